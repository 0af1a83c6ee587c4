"""Monthly leases paid by card: the card the tenant confirmed for the first instalment is
kept at the gateway and charged off-session as each later instalment falls due, once a day
at most, until it is paid, covered by the guarantee reserve, or no longer owed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select

from ..adapters.payments import GatewayError, PaymentDeclined, PaymentGateway
from ..bookings.commands import lock_booking
from ..bookings.models import Booking
from ..extensions import db
from ..unit_of_work import locked_row
from ..work_items import item_failed
from .cards import record_card_success
from .models import CardPayment, GatewayCustomer, PaymentInstalment
from .payments import ensure_payment_schedule, next_payment, paid_minor
from .rules import CARD_GATEWAY
from .signals import card_charge_failed

RUNNING = ("confirmed", "active")
NEEDS_TENANT = "Your bank asks you to confirm this payment: pay it from the booking page."


def charge_saved_cards(now: datetime, gateway: PaymentGateway | None) -> int:
    """Charge each due instalment to its tenant's saved card, each in its own transaction.
    Returns how many were paid."""
    if gateway is None:
        return 0
    due = db.session.execute(_due_instalments(now)).all()
    db.session.rollback()
    paid = 0
    for instalment_id, booking_id in due:
        try:
            paid += _charge_one(instalment_id, booking_id, now, gateway)
            db.session.commit()
        except GatewayError:  # the gateway is away: the next run tries again
            db.session.rollback()
            item_failed(f"Charge of payment instalment {instalment_id}")
    return paid


def _due_instalments(now: datetime):
    tried_today = (
        select(CardPayment.id)
        .where(
            CardPayment.instalment_id == PaymentInstalment.id,
            CardPayment.created_at >= datetime.combine(now.date(), datetime.min.time(), now.tzinfo),
        )
        .exists()
    )
    return (
        select(PaymentInstalment.id, PaymentInstalment.booking_id)
        .join(Booking, Booking.id == PaymentInstalment.booking_id)
        .join(
            GatewayCustomer,
            and_(
                GatewayCustomer.organization_id == Booking.tenant_id,
                GatewayCustomer.gateway == CARD_GATEWAY,
                GatewayCustomer.payment_method_id.is_not(None),
            ),
        )
        .where(
            PaymentInstalment.outstanding(),
            PaymentInstalment.sequence > 1,
            PaymentInstalment.due_on <= now.date(),
            Booking.payment_plan == "monthly",
            Booking.state.in_(RUNNING),
            ~tried_today,
        )
        .order_by(PaymentInstalment.due_on, PaymentInstalment.id)
    )


def _charge_one(instalment_id: int, booking_id: int, now: datetime, gateway) -> int:
    booking = lock_booking(booking_id)
    statement = select(PaymentInstalment).where(
        PaymentInstalment.id == instalment_id, PaymentInstalment.outstanding()
    )
    instalment = locked_row(statement, skip_locked=True)
    if booking is None or booking.state not in RUNNING or instalment is None:
        return 0
    upcoming, amount = next_payment(ensure_payment_schedule(booking), paid_minor(booking.id))
    if upcoming is None or upcoming.id != instalment.id or amount <= 0:
        return 0  # an earlier one is still unpaid, or transfers already pay this one
    customer = db.session.get(GatewayCustomer, (booking.tenant_id, CARD_GATEWAY))
    payment = CardPayment(
        booking=booking,
        instalment_id=instalment.id,
        amount_minor=amount,
        currency=booking.currency,
        created_at=now,
    )
    try:
        intent = gateway.charge(
            amount,
            booking.currency,
            customer.customer_id,
            booking.id,
            idempotency_key=f"instalment-{instalment.id}-{now:%Y%m%d}",
            payment_method_id=customer.payment_method_id,
        )
    except PaymentDeclined as declined:
        return _failed(payment, declined.payment_intent_id, declined.message, now)
    payment.payment_intent_id, payment.client_secret = intent.id, intent.client_secret
    if not intent.succeeded:
        return _failed(payment, intent.id, NEEDS_TENANT, now)
    db.session.add(payment)
    db.session.flush()
    record_card_success(payment, amount, intent.charge_id, now)
    return 1


def _failed(payment: CardPayment, intent_id: str | None, message: str, now: datetime) -> int:
    payment.payment_intent_id, payment.status = intent_id, "failed"
    payment.decline_message = message[:500]
    db.session.add(payment)
    db.session.flush()
    card_charge_failed.send(payment, now=now)
    return 0
