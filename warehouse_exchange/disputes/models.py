"""A dispute on a booking, and its thread of messages with evidence files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User
from ..bookings.models import Booking
from ..extensions import db
from ..files.models import StoredFile
from ..models_base import UTCDateTime, utcnow
from ..money import Money
from .rules import CATEGORIES, DISPUTE_MACHINE, UNRESOLVED_STATES, DisputeState

_UNRESOLVED = DISPUTE_MACHINE.sql_in(UNRESOLVED_STATES)


class Dispute(db.Model):
    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint(DISPUTE_MACHINE.sql_in(), name="state_known"),
        CheckConstraint(f"category IN {tuple(CATEGORIES)!r}", name="category_known"),
        CheckConstraint("claimed_minor >= 0", name="claim_not_negative"),
        CheckConstraint(
            "tenant_share_minor >= 0 AND owner_share_minor >= 0 AND reserve_payout_minor >= 0",
            name="decision_not_negative",
        ),
        CheckConstraint("(state = 'resolved') = (decided_at IS NOT NULL)", name="resolved_decided"),
        CheckConstraint("opened_by_org_id <> against_org_id", name="parties_differ"),
        # one unresolved dispute per booking, however many requests race to open one
        Index(
            "uq_disputes_one_unresolved",
            "booking_id",
            unique=True,
            sqlite_where=text(_UNRESOLVED),
            postgresql_where=text(_UNRESOLVED),
        ),
        Index("ix_disputes_state", "state", "review_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=DisputeState.OPEN)
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    #: what the opener claims, in the booking's currency
    claimed_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the party that opened it, and the party it is against
    opened_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    against_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the end of the other party's response window, and of the operators' review
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    review_by: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when a scheduler run found it past a deadline and told the operators
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the decision: how the frozen escrow was split, and what the guarantee reserve paid
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    frozen_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tenant_share_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    owner_share_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    reserve_payout_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    reasons: Mapped[str] = mapped_column(Text, default="")
    #: the organization the decision went against (None: nobody, or not decided)
    lost_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))

    booking: Mapped[Booking] = relationship()
    opened_by: Mapped[User] = relationship(foreign_keys=[opened_by_id])
    opener: Mapped[Organization] = relationship(foreign_keys=[opened_by_org_id])
    respondent: Mapped[Organization] = relationship(foreign_keys=[against_org_id])
    taken_by: Mapped[User | None] = relationship(foreign_keys=[taken_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    messages: Mapped[list[DisputeMessage]] = relationship(
        back_populates="dispute", order_by="DisputeMessage.id"
    )

    def money(self, minor: int) -> Money:
        return Money(minor, self.currency)

    @property
    def claimed(self) -> Money:
        return self.money(self.claimed_minor)

    @property
    def is_unresolved(self) -> bool:
        return self.state in UNRESOLVED_STATES

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]


dispute_message_files = Table(
    "dispute_message_files",
    db.metadata,
    Column("message_id", ForeignKey("dispute_messages.id"), primary_key=True),
    Column("stored_file_id", ForeignKey("stored_files.id"), primary_key=True, unique=True),
)


class DisputeMessage(db.Model):
    """A message in the thread, from a party or an operator, with evidence files."""

    __tablename__ = "dispute_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the author's organization; None for an operator
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dispute: Mapped[Dispute] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()
    files: Mapped[list[StoredFile]] = relationship(
        secondary=dispute_message_files, order_by=StoredFile.id
    )


def unresolved_dispute_id(booking_id: int) -> int | None:
    """The booking's dispute still to be decided, if any (one at most: a unique index)."""
    return db.session.scalar(
        select(Dispute.id).where(
            Dispute.booking_id == booking_id, Dispute.state.in_(UNRESOLVED_STATES)
        )
    )
