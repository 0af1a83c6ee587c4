"""What a booking's tenant pays, and when: the payment schedule (one instalment up front, or one
per month), and how money paid into escrow, by bank or by card, pays its instalments in order
and splits off the platform's fees."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from ..accounts.models import User
from ..bookings.commands import confirm_payment
from ..bookings.models import Booking
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from ..ledger.services import Leg
from ..money import Money
from .models import PaymentInstalment
from .refunds import owe_refund
from .releases import schedule_releases
from .rules import payment_due_dates, payment_parts

#: states in which a booking takes payments (while some of its total is still to pay)
PAYABLE_STATES = ("accepted", "confirmed", "active", "completed")
#: postings that pay into a booking's escrow: a payment, or the escrow that followed the days
#: a transfer handed on (only its legs into a booking count: the lease it left stays paid)
PAID_IN_KINDS = ("payment", "escrow_transfer")


def paid_minor(booking_id: int) -> int:
    """Everything paid into escrow for the booking, by any gateway (the ledger says)."""
    paid = db.session.scalar(
        select(func.sum(LedgerEntry.amount_minor))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerEntry.booking_id == booking_id,
            LedgerTransaction.kind.in_(PAID_IN_KINDS),
            LedgerAccount.kind == "tenant_escrow",
            LedgerEntry.amount_minor > 0,
        )
    )
    return int(paid or 0)


def scheduled_payments(booking_id: int) -> list[PaymentInstalment]:
    """The booking's payment instalments in order (none before it is accepted)."""
    return list(
        db.session.scalars(
            select(PaymentInstalment)
            .where(PaymentInstalment.booking_id == booking_id)
            .order_by(PaymentInstalment.sequence)
        )
    )


def next_payment(
    instalments: list[PaymentInstalment], paid: int
) -> tuple[PaymentInstalment | None, int]:
    """The first instalment not yet paid, and what is still to pay to pay it (money paid
    beyond the instalments before it counts towards it)."""
    owed = 0
    for instalment in _owed(instalments):
        owed += instalment.amount_minor
        if instalment.paid_at is None:
            return instalment, max(0, owed - paid)
    return None, 0


def _owed(instalments: list[PaymentInstalment]) -> list[PaymentInstalment]:
    return [instalment for instalment in instalments if instalment.cancelled_at is None]


def owed_minor(booking: Booking) -> int:
    """What the tenant pays in all: the total, less the months of a lease ended early."""
    instalments = scheduled_payments(booking.id)
    if not instalments:
        return booking.total_minor
    return sum(instalment.amount_minor for instalment in _owed(instalments))


def amount_to_pay(booking: Booking) -> Money:
    """What the tenant pays next: the rest of the first instalment not yet paid (all that is
    outstanding, when the booking is paid up front)."""
    paid = paid_minor(booking.id)
    instalments = scheduled_payments(booking.id)
    if instalments:
        _instalment, due = next_payment(instalments, paid)
    else:
        due = max(0, booking.total_minor - paid)
    return Money(due, booking.currency)


def ensure_payment_schedule(booking: Booking) -> list[PaymentInstalment]:
    """The booking's payment schedule, in order; made at acceptance (or on first use, for a
    booking accepted before payment plans existed). An upfront booking has one instalment."""
    made = scheduled_payments(booking.id)
    if made or booking.total_minor == 0:  # a transferred lease whose rent was all released
        return made
    parts = payment_parts(
        booking.subtotal_minor,
        booking.commission_minor,
        booking.guarantee_fee_minor,
        booking.start_date,
        booking.end_date,
        monthly=booking.payment_plan == "monthly",
    )
    first_due = booking.expires_at.date() if booking.expires_at else booking.start_date
    due = payment_due_dates(parts, first_due, current_app.config["PAYMENT_DUE_DAYS_BEFORE"])
    made = [
        PaymentInstalment(
            booking=booking,
            sequence=part.sequence,
            due_on=due_on,
            amount_minor=part.amount_minor,
            rent_minor=part.rent_minor,
            commission_minor=part.commission_minor,
            guarantee_fee_minor=part.guarantee_fee_minor,
            currency=booking.currency,
        )
        for part, due_on in zip(parts, due, strict=True)
    ]
    db.session.add_all(made)
    db.session.flush()
    return made


def apply_payment(booking: Booking, actor: User | None, now: datetime) -> None:
    """Money just paid into the booking's escrow (by bank or by card) pays its instalments
    in order. Each instalment paid in full has its share of the commission and guarantee fee
    split off (and, if the guarantee reserve had covered it, pays the reserve back); the
    first one confirms the booking and schedules the releases; anything paid beyond the
    whole total is owed back."""
    paid = paid_minor(booking.id)
    owed = 0
    instalments = ensure_payment_schedule(booking)
    for instalment in _owed(instalments):
        owed += instalment.amount_minor
        if instalment.paid_at is None and paid >= owed:
            instalment.paid_at = now
            _split_fees(booking, instalment)
            if instalment.covered_at is not None:
                _repay_reserve(booking, instalment)
    if booking.state == "accepted" and instalments[0].paid_at is not None:
        _confirm(booking, actor, now)
    excess = paid - owed  # the loop summed every instalment still owed
    if excess > 0:
        currency = booking.currency
        owe_refund(booking, excess, f"Paid {Money(excess, currency)} more than the total", now)


def fee_legs(booking: Booking, commission: int, fee: int) -> list[Leg]:
    """The legs that move a commission and a guarantee fee out of the tenant's escrow into the
    platform's fees and the reserve (negative amounts move them back); none when both are 0."""
    currency = booking.currency
    legs = [
        Leg(ledger.fees(currency), commission, booking.id),
        Leg(ledger.reserve(currency), fee, booking.id),
        Leg(ledger.escrow(booking.tenant_id, currency), -(commission + fee), booking.id),
    ]
    legs = [leg for leg in legs if leg.amount_minor]
    return legs if len(legs) > 1 else []


def _split_fees(booking: Booking, instalment: PaymentInstalment) -> None:
    legs = fee_legs(booking, instalment.commission_minor, instalment.guarantee_fee_minor)
    if legs:
        ledger.post(
            f"fees:{booking.id}:{instalment.sequence}",
            "fees",
            legs,
            booking_id=booking.id,
            memo=f"Commission and guarantee fee of instalment {instalment.sequence}",
        )


def _repay_reserve(booking: Booking, instalment: PaymentInstalment) -> None:
    """The tenant paid late an instalment the reserve had covered: the rent goes back."""
    if instalment.rent_minor:
        ledger.post(
            f"cover-repaid:{instalment.id}",
            "cover_repaid",
            [
                Leg(ledger.escrow(booking.tenant_id, booking.currency), -instalment.rent_minor,
                    booking.id),
                Leg(ledger.reserve(booking.currency), instalment.rent_minor, booking.id),
            ],
            booking_id=booking.id,
            memo=f"Instalment {instalment.sequence} paid late: the guarantee reserve is repaid",
        )  # fmt: skip


def _confirm(booking: Booking, actor: User | None, now: datetime) -> None:
    confirm_payment(booking, actor, now)
    schedule_releases(booking)
