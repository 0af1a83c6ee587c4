"""The inbox of each organization, the outbox of emails, and who wants which kind by email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import UTCDateTime, utcnow
from .kinds import KINDS

_KNOWN_KIND = f"kind IN {tuple(KINDS)!r}"
EMAIL_STATES = ("pending", "sent", "failed")


class Notification(db.Model):
    """One event told to one organization; read (by any member) or not."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_KNOWN_KIND, name="kind_known"),
        # one event is told to an organization once, however often it is announced
        UniqueConstraint("organization_id", "event_key"),
        Index("ix_notifications_unread", "organization_id", "read_at"),
        Index("ix_notifications_newest", "organization_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(String(30))
    #: what happened, e.g. "booking:12:accepted" or "release:40"
    event_key: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    #: a path on this site, e.g. /bookings/12
    link: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxEmail(db.Model):
    """An email waiting to be sent, sent, or given up on. Rows are never deleted, so that no
    message is lost: a failed one keeps its last error."""

    __tablename__ = "outbox_emails"
    __table_args__ = (
        CheckConstraint(f"state IN {EMAIL_STATES!r}", name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", name="sent_has_time"),
        Index("ix_outbox_emails_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for an email to one person about their own account (a lock-out), which is no
    #: organization's notification and cannot be switched off
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"), index=True)
    #: the event key and the address: one event never makes two emails to one address
    idempotency_key: Mapped[str] = mapped_column(String(400), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(7), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a runner handing the email over holds it until then, outside any transaction; a claim
    #: whose runner died lapses, and the email is due again
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: which runner's claim: only that runner records how the hand-over went
    claim_token: Mapped[str | None] = mapped_column(String(32))

    notification: Mapped[Notification | None] = relationship()


class EmailOptOut(db.Model):
    """A kind a user does not want by email. Every kind is emailed unless opted out."""

    __tablename__ = "email_opt_outs"
    __table_args__ = (CheckConstraint(_KNOWN_KIND, name="kind_known"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
