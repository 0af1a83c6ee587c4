"""Use cases of card payments through a gateway (Stripe): the tenant pays a booking's
outstanding total (a taker a transfer's price, in `transfers.cards`, which registers how that
money is applied), the gateway's webhook tells the platform what happened, and refunds go back
to the card."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Organization, User
from ..adapters.payments import (
    CARD_UNSUPPORTED_CURRENCIES,
    GatewayError,
    OnboardingLink,
    PaymentGateway,
    WebhookEvent,
)
from ..audit.services import record as audit
from ..bookings.commands import lock_booking
from ..bookings.queries import get_booking
from ..errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.services import Leg
from ..permissions import require_operator, require_user
from ..unit_of_work import after_commit, locked_row, use_case
from .hooks import card_payment_handler
from .models import CardPayment, ConnectedAccount, GatewayCustomer, GatewayEvent, Refund
from .payments import (
    PAYABLE_STATES,
    apply_payment,
    ensure_payment_schedule,
    next_payment,
    owed_minor,
    paid_minor,
)
from .refunds import due_refund, mark_refund_sent, owe_refund
from .rules import CARD_GATEWAY

log = logging.getLogger(__name__)


def configured_gateway() -> PaymentGateway | None:
    """The app's card gateway; None when tenants pay by bank transfer only."""
    return current_app.extensions["payment_gateway"]


def required_gateway() -> PaymentGateway:
    gateway = configured_gateway()
    if gateway is None:
        raise NotFound("Card payments are not enabled here.")
    return gateway


def _lock_organization(organization_id: int) -> None:
    """One gateway customer or account per organization: two members asking for one at the
    same moment queue here, and the second finds the first one's."""
    db.session.execute(
        select(Organization.id).where(Organization.id == organization_id).with_for_update()
    )


def gateway_customer_id(gateway: PaymentGateway, actor: User) -> str:
    organization = actor.organization
    _lock_organization(organization.id)
    known = db.session.get(GatewayCustomer, (organization.id, CARD_GATEWAY))
    if known is not None:
        return known.customer_id
    customer_id = gateway.create_customer(organization.id, organization.name, actor.email)
    db.session.add(
        GatewayCustomer(
            organization_id=organization.id, gateway=CARD_GATEWAY, customer_id=customer_id
        )
    )
    return customer_id


@use_case
def start_card_payment(actor: User, booking_id: int, gateway: PaymentGateway) -> CardPayment:
    """A PaymentIntent for the booking's next instalment (its whole outstanding total when
    paid up front); the page confirms it with the card. Asking again while one is pending
    returns that one instead of charging twice."""
    booking = get_booking(actor, booking_id)
    if actor.organization_id != booking.tenant_id:
        raise Forbidden("Only the tenant pays for a booking.")
    if booking.currency in CARD_UNSUPPORTED_CURRENCIES:
        raise Conflict(f"Bookings in {booking.currency} are paid by bank transfer.")
    _amount_due(booking)
    customer_id = gateway_customer_id(gateway, actor)  # its lock comes before the listing's
    booking = lock_booking(booking.id)
    outstanding = _amount_due(booking)  # again: it may have changed before the lock
    pending = db.session.scalar(
        select(CardPayment).where(
            CardPayment.booking_id == booking.id,
            CardPayment.status == "pending",
            CardPayment.amount_minor == outstanding,
        )
    )
    if pending is not None:
        db.session.commit()
        return pending
    attempt = db.session.query(CardPayment).filter_by(booking_id=booking.id).count() + 1
    intent = gateway.charge(
        outstanding,
        booking.currency,
        customer_id,
        booking.id,
        idempotency_key=f"booking-{booking.id}-charge-{attempt}",
        save_card=booking.payment_plan == "monthly",
    )
    payment = CardPayment(
        booking=booking,
        payment_intent_id=intent.id,
        client_secret=intent.client_secret,
        amount_minor=outstanding,
        currency=booking.currency,
    )
    db.session.add(payment)
    db.session.commit()
    return payment


def _amount_due(booking) -> int:
    """What the next card payment of the booking is for; Conflict when nothing is to pay."""
    if booking.state not in PAYABLE_STATES:
        raise Conflict(f"Booking {booking.id} is {booking.state}; only accepted bookings are paid.")
    schedule = ensure_payment_schedule(booking)
    _instalment, outstanding = next_payment(schedule, paid_minor(booking.id))
    if outstanding <= 0:
        raise Conflict(f"Booking {booking.id} is paid in full.")
    return outstanding


def _payment_of(intent: dict) -> CardPayment | None:
    return locked_row(select(CardPayment).where(CardPayment.payment_intent_id == intent["id"]))


def _succeeded(payment: CardPayment, intent: dict, now: datetime) -> str:
    if payment.status == "succeeded":
        return "ignored: already recorded"
    if payment.pays_for != "booking":  # a lease transfer's price: transfers applies it
        apply = card_payment_handler(payment.pays_for)
        return apply(payment, int(intent["amount"]), _charge_id(intent), now)
    booking = lock_booking(payment.booking_id)
    if booking.payment_plan == "monthly" and intent.get("payment_method"):
        _save_card(booking.tenant_id, _id_of(intent["payment_method"]))
    return record_card_success(payment, int(intent["amount"]), _charge_id(intent), now)


def _save_card(organization_id: int, payment_method_id: str) -> None:
    customer = db.session.get(GatewayCustomer, (organization_id, CARD_GATEWAY))
    if customer is not None:
        customer.payment_method_id = payment_method_id


def record_card_success(
    payment: CardPayment, amount: int, charge_id: str | None, now: datetime
) -> str:
    """The gateway took `amount` for the payment: it enters escrow and pays the booking."""
    booking = lock_booking(payment.booking_id)
    owed_before = owed_minor(booking) - paid_minor(booking.id)
    ledger.post(
        f"card-payment:{payment.payment_intent_id}",
        "payment",
        [
            Leg(ledger.clearing(CARD_GATEWAY, payment.currency), -amount),
            Leg(ledger.escrow(booking.tenant_id, payment.currency), amount, booking.id),
        ],
        booking_id=booking.id,
        memo=f"Card payment {payment.payment_intent_id} for booking {booking.id}",
    )
    payment.status, payment.decline_message = "succeeded", ""
    payment.charge_id = charge_id
    if booking.state not in PAYABLE_STATES:
        reason = f"Paid by card after the booking was {booking.state}"
        owe_refund(booking, amount, reason, now, card_payment=payment)
        return f"applied; refund due: booking is {booking.state}"
    if owed_before <= 0:
        reason = "Paid by card after the booking was paid in full"
        owe_refund(booking, amount, reason, now, card_payment=payment)
        return "applied; refund due: booking is paid in full"
    apply_payment(booking, None, now)
    return "applied"


def _id_of(value) -> str | None:
    """An expandable field: an id, or the object itself once expanded."""
    return value.get("id") if isinstance(value, dict) else value


def _charge_id(intent: dict) -> str | None:
    return _id_of(intent.get("latest_charge"))


def _failed(payment: CardPayment, intent: dict) -> str:
    if payment.status == "succeeded":
        return "ignored: the payment succeeded (events out of order)"
    error = intent.get("last_payment_error") or {}
    payment.status = "failed"
    payment.decline_message = (error.get("message") or "The card was declined.")[:500]
    return "applied"


def _cancelled(payment: CardPayment, intent: dict) -> str:
    if payment.status == "succeeded":
        return "ignored: the payment succeeded (events out of order)"
    payment.status = "failed"
    payment.decline_message = "Cancelled before the card was confirmed; nothing was charged."
    return "applied"


HANDLERS = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "payment_intent.canceled": _cancelled,
}


def cancel_unconfirmed(payments: list[CardPayment]) -> None:
    """What these payments (pending, or declined and open to another try) were for can no
    longer be paid: once this transaction commits, withdraw their charges at the gateway so
    that no card is charged. One the payer confirmed meanwhile still reports its success, and
    the money is owed back; so does one the gateway could not cancel. The gateway's webhook
    marks each cancelled payment."""
    gateway = configured_gateway()
    charges = [(p.id, p.payment_intent_id) for p in payments if p.payment_intent_id]
    if gateway is None or not charges:
        return

    def cancel() -> None:
        for payment_id, intent_id in charges:
            try:
                gateway.cancel_charge(intent_id, f"cancel-{payment_id}")
            except GatewayError as error:
                log.warning("Card payment %s stays open: %s", payment_id, error.message)

    after_commit(cancel)


@use_case
def handle_gateway_event(event: WebhookEvent, now: datetime) -> GatewayEvent:
    """Apply a verified webhook event once. The event's id is stored with its effects in one
    transaction: a replay finds it and changes nothing."""
    known = db.session.get(GatewayEvent, event.id)
    if known is not None:
        return known
    try:
        return _apply_event(event, now)
    except IntegrityError:  # the same event delivered twice at once: the other one applied it
        db.session.rollback()
        return db.session.get(GatewayEvent, event.id)


def _apply_event(event: WebhookEvent, now: datetime) -> GatewayEvent:
    record = GatewayEvent(id=event.id, gateway=CARD_GATEWAY, type=event.type)
    db.session.add(record)
    handler = HANDLERS.get(event.type)
    payment = _payment_of(event.object) if handler else None
    if handler is None:
        record.outcome = "ignored: not an event the platform acts on"
    elif payment is None:
        record.outcome = "ignored: no such payment here"
        log.warning("Gateway event %s (%s) names no payment here", event.id, event.type)
    else:
        record.booking_id = payment.booking_id
        args = (payment, event.object, now) if handler is _succeeded else (payment, event.object)
        record.outcome = handler(*args)
    db.session.commit()
    return record


@use_case
def refund_to_card(actor: User, refund_id: int, gateway: PaymentGateway, now: datetime) -> Refund:
    """An operator sends a refund due back to the card that paid the booking."""
    require_operator(actor)
    refund = due_refund(refund_id)
    payment = refund.card_payment or db.session.scalar(
        select(CardPayment)
        .where(
            CardPayment.booking_id == refund.booking_id,
            CardPayment.status == "succeeded",
            CardPayment.amount_minor >= refund.amount_minor,
        )
        .order_by(CardPayment.id)
    )
    if payment is None:
        raise Conflict("This money was not paid by card; send the refund by bank transfer.")
    gateway_refund = gateway.refund(
        payment.payment_intent_id, refund.amount_minor, idempotency_key=f"refund-{refund.id}"
    )
    before = {"state": refund.state, "amount_minor": refund.amount_minor}
    mark_refund_sent(refund, CARD_GATEWAY, gateway_refund, actor, now)
    after = {**before, "state": refund.state, "gateway": CARD_GATEWAY, "refund_id": gateway_refund}
    audit(actor, "refund.sent", "refund", refund.id, before, after, now)
    db.session.commit()
    return refund


@use_case
def start_onboarding(
    actor: User, gateway: PaymentGateway, return_url: str, refresh_url: str
) -> OnboardingLink:
    """An owner sets up (or finishes setting up) the account releases are sent to."""
    organization = require_user(actor).organization
    if organization is None or not organization.owns_warehouses:
        raise Forbidden("Only warehouse owners receive releases.")
    _lock_organization(organization.id)
    known = db.session.get(ConnectedAccount, (organization.id, CARD_GATEWAY))
    link = gateway.onboarding_link(
        organization.id, known.account_id if known else None, return_url, refresh_url
    )
    if known is None:
        db.session.add(
            ConnectedAccount(
                organization_id=organization.id, gateway=CARD_GATEWAY, account_id=link.account_id
            )
        )
    db.session.commit()
    return link


def connected_account(actor: User) -> ConnectedAccount | None:
    return db.session.get(ConnectedAccount, (require_user(actor).organization_id, CARD_GATEWAY))
