"""What escrow keeps besides the ledger: bank receipts, refunds owed, and release instalments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..bookings.models import Booking
from ..extensions import db
from ..models_base import UTCDateTime, utcnow
from ..money import Money


class BankReceipt(db.Model):
    """A transfer that reached the platform's escrow bank account, as an operator saw it."""

    __tablename__ = "bank_receipts"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date)
    #: the bank's own reference: one transfer is recorded once, however often it is entered
    bank_reference: Mapped[str] = mapped_column(String(80), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))

    booking: Mapped[Booking] = relationship()

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class Refund(db.Model):
    """Money owed back to a tenant. It stays in escrow until an operator has sent it."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("state IN ('due', 'sent')", name="state_known"),
        CheckConstraint("(state = 'sent') = (transaction_id IS NOT NULL)", name="sent_is_posted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(4), default="due")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bank_reference: Mapped[str | None] = mapped_column(String(80), unique=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))

    booking: Mapped[Booking] = relationship()

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class ReleaseInstalment(db.Model):
    """A part of the owner's share, released from escrow to the owner once it is due."""

    __tablename__ = "release_instalments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "(released_at IS NULL) = (transaction_id IS NULL)", name="released_is_posted"
        ),
        UniqueConstraint("booking_id", "sequence"),
        Index("ix_release_instalments_due", "released_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))

    booking: Mapped[Booking] = relationship()

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)
