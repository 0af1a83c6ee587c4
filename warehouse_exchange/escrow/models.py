"""What escrow keeps besides the ledger: bank receipts, refunds owed, and release instalments."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization
from ..bookings.models import Booking
from ..extensions import db
from ..models_base import UTCDateTime, utcnow
from ..money import Money

if TYPE_CHECKING:  # transfers build on escrow: the class is named, not imported
    from ..transfers.models import Transfer


class BankReceipt(db.Model):
    """A bank transfer that reached the platform's escrow bank account, as an operator saw it:
    it pays a booking (its tenant's payment) or a lease transfer (its taker's price), never
    both. A bank reference is recorded once, whatever it paid: the database refuses the
    second, so one transfer can never be counted twice."""

    __tablename__ = "bank_receipts"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("(booking_id IS NULL) <> (transfer_id IS NULL)", name="pays_one_thing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the booking it pays (None: a transfer's price)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    #: the lease transfer whose price it pays (None: a booking's payment)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date)
    #: the bank's own reference: one transfer is recorded once, however often it is entered
    bank_reference: Mapped[str] = mapped_column(String(80), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))

    booking: Mapped[Booking | None] = relationship()
    transfer: Mapped[Transfer | None] = relationship("Transfer")

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def paid_what(self) -> str:
        """What it paid, in words: "booking #12" or "transfer #3"."""
        if self.transfer_id is not None:
            return f"transfer #{self.transfer_id}"
        return f"booking #{self.booking_id}"


class Refund(db.Model):
    """Money escrow owes back to whoever paid it in: the booking's tenant, or the taker of a
    transfer whose card payment came after the transfer could no longer complete. It stays in
    the payee's escrow until an operator has sent it."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("state IN ('due', 'sent')", name="state_known"),
        CheckConstraint("(state = 'sent') = (transaction_id IS NOT NULL)", name="sent_is_posted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    #: the organization the money goes back to, out of its own escrow
    payee_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    #: the lease transfer whose taker paid the money in (None: the booking's own money)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    #: the card payment the money came in by, which a refund to the card goes back to
    card_payment_id: Mapped[int | None] = mapped_column(ForeignKey("card_payments.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(4), default="due")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bank_reference: Mapped[str | None] = mapped_column(String(80), unique=True)
    #: how it was sent: "bank" or "stripe" (back to the card)
    gateway: Mapped[str | None] = mapped_column(String(20))
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))

    booking: Mapped[Booking] = relationship()
    payee: Mapped[Organization] = relationship()
    card_payment: Mapped[CardPayment | None] = relationship()

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
    #: the gateway transfer that paid the instalment to the owner's connected account
    transfer_id: Mapped[str | None] = mapped_column(String(255))
    #: what that transfer sent (the instalment less what the owner owed), as the gateway took it
    transferred_minor: Mapped[int | None] = mapped_column(BigInteger)
    #: the first instalment of a listing paid from check-in: due_on is the latest day it
    #: waits for the goods; the first check-in brings it forward
    awaits_check_in: Mapped[bool] = mapped_column(default=False, server_default=false())

    booking: Mapped[Booking] = relationship()

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class PaymentInstalment(db.Model):
    """A part of the booking's total the tenant pays into escrow by its due date: the whole
    total for an upfront booking, one month's rent and fees for a monthly one. Unpaid after
    the grace period, the guarantee reserve covers its rent (and the tenant is in default)."""

    __tablename__ = "payment_instalments"
    __table_args__ = (
        CheckConstraint(
            "rent_minor >= 0 AND commission_minor >= 0 AND guarantee_fee_minor >= 0"
            " AND amount_minor > 0"
            " AND amount_minor = rent_minor + commission_minor + guarantee_fee_minor",
            name="parts_add_up",
        ),
        CheckConstraint(
            "cover_transaction_id IS NULL OR covered_at IS NOT NULL", name="cover_is_dated"
        ),
        UniqueConstraint("booking_id", "sequence"),
        Index("ix_payment_instalments_due", "paid_at", "covered_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    #: the month of the lease it pays for (1 for the first; an upfront booking has only 1)
    sequence: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    rent_minor: Mapped[int] = mapped_column(BigInteger)
    commission_minor: Mapped[int] = mapped_column(BigInteger)
    guarantee_fee_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the guarantee reserve paid its rent into escrow because the tenant had not
    covered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cover_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    #: when it stopped being owed: the owner ended the lease before its month
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()

    @classmethod
    def outstanding(cls):
        """SQL: still owed by the tenant and not covered by the reserve."""
        return and_(cls.paid_at.is_(None), cls.covered_at.is_(None), cls.cancelled_at.is_(None))

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def rent(self) -> Money:
        return Money(self.rent_minor, self.currency)

    def status(self, today: date | None) -> str:
        """paid, covered (by the guarantee reserve), cancelled, overdue or due."""
        if self.paid_at is not None:
            return "paid"
        if self.covered_at is not None:
            return "covered"
        if self.cancelled_at is not None:
            return "cancelled"
        return "overdue" if today is not None and self.due_on < today else "due"


class GatewayCustomer(db.Model):
    """An organization's customer record at a card gateway, made once and reused."""

    __tablename__ = "gateway_customers"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    #: the card saved (with the tenant's consent, when paying a monthly lease's first
    #: instalment) for charging later instalments off-session
    payment_method_id: Mapped[str | None] = mapped_column(String(255))


class CardPayment(db.Model):
    """A card payment at the gateway (a Stripe PaymentIntent): of a booking by its tenant,
    or of a lease transfer's price by its taker."""

    __tablename__ = "card_payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status_known"),
        CheckConstraint("(booking_id IS NULL) <> (transfer_id IS NULL)", name="pays_one_thing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    #: None for a saved card the gateway refused before making a PaymentIntent
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    client_secret: Mapped[str] = mapped_column(String(255), default="")
    #: the monthly instalment charged off-session to the saved card (None: paid on the page)
    instalment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_instalments.id"), index=True
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decline_message: Mapped[str] = mapped_column(String(500), default="")
    charge_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking | None] = relationship()

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def pays_for(self) -> str:
        """What the money pays: "booking" (its instalments) or "transfer" (the price)."""
        return "transfer" if self.transfer_id is not None else "booking"


class GatewayEvent(db.Model):
    """A webhook event, stored once (its id is the key) in the transaction of its effects,
    so that a replayed or duplicated delivery changes nothing."""

    __tablename__ = "gateway_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(100))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    #: what the platform did with it: applied, ignored (and why)
    outcome: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConnectedAccount(db.Model):
    """An owner's account at the card gateway (Stripe Connect), where releases are sent."""

    __tablename__ = "connected_accounts"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
