"""The blacklist's entries: kept below listings, bookings and transfers, which refuse a
blacklisted organization, while trust/blacklist.py (above them) lists and lifts entries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization
from ..extensions import db
from ..models_base import UTCDateTime, utcnow


class BlacklistEntry(db.Model):
    """An operator's listing of an organization, with the reason, until an end date (or
    indefinitely) or until an operator lifts it. Entries are kept when they end."""

    __tablename__ = "blacklist_entries"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("(lifted_at IS NULL) = (lifted_by_id IS NULL)", name="lifted_by_someone"),
        Index("ix_blacklist_entries_organization", "organization_id", "lifted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    reason: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(Date)
    #: the last day (UTC) it applies; NULL: until an operator lifts it
    ends_on: Mapped[date | None] = mapped_column(Date)
    listed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str] = mapped_column(String(500), default="")

    organization: Mapped[Organization] = relationship()

    def applies_on(self, day: date) -> bool:
        return (
            self.lifted_at is None
            and self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
        )
