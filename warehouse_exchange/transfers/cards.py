"""The taker pays a transfer's price by card. The gateway's webhook says the money came in,
and the transfer completes in the same transaction; money that comes for a transfer that can
no longer complete (withdrawn, lapsed, paid by bank meanwhile) is owed back to the taker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ..accounts.models import User
from ..adapters.payments import CARD_UNSUPPORTED_CURRENCIES, PaymentGateway
from ..errors import Conflict, Forbidden
from ..escrow.cards import cancel_unconfirmed, gateway_customer_id
from ..escrow.models import CardPayment, Refund
from ..escrow.refunds import owe_refund
from ..escrow.rules import CARD_GATEWAY
from ..extensions import db
from ..unit_of_work import use_case
from .commands import lock_transfer, unfinished_card_payments
from .models import Transfer
from .queries import get_transfer
from .rules import payable_state
from .settlement import check_payable, check_still_fits, complete_transfer, price_into_escrow


@dataclass(frozen=True)
class PricePayments:
    """The taker's card payments of a transfer's price, and what is owed back of them."""

    card_payments: list[CardPayment]
    refunds: list[Refund]

    @property
    def decline_message(self) -> str:
        """Why the newest card payment failed, while no later one is under way."""
        latest = self.card_payments[-1] if self.card_payments else None
        return latest.decline_message if latest and latest.status == "failed" else ""


def price_payments(actor: User, transfer: Transfer) -> PricePayments:
    """What the taker paid by card for the transfer: for the taker and operators only."""
    if not actor.is_operator and actor.organization_id != transfer.taker_id:
        return PricePayments([], [])
    payments = select(CardPayment).where(CardPayment.transfer_id == transfer.id)
    refunds = select(Refund).where(Refund.transfer_id == transfer.id)
    return PricePayments(
        list(db.session.scalars(payments.order_by(CardPayment.id))),
        list(db.session.scalars(refunds.order_by(Refund.id))),
    )


@use_case
def start_price_card_payment(
    actor: User, transfer_id: int, gateway: PaymentGateway, today: date
) -> CardPayment:
    """A PaymentIntent for the transfer's price, confirmed with the card on the taker's page.
    Asking again while one is pending returns that one instead of charging twice."""
    transfer = get_transfer(actor, transfer_id)
    if transfer.taker_id is None or actor.organization_id != transfer.taker_id:
        raise Forbidden("Only the exporter taking the lease over pays its price.")
    if transfer.currency in CARD_UNSUPPORTED_CURRENCIES:
        raise Conflict(f"Prices in {transfer.currency} are paid by bank transfer.")
    check_payable(transfer, today)
    customer_id = gateway_customer_id(gateway, actor)  # its lock comes before the listing's
    transfer = lock_transfer(transfer.id)
    check_payable(transfer, today)  # again: it may have changed before the lock
    check_still_fits(transfer, transfer.booking, today)
    pending = db.session.scalar(
        select(CardPayment).where(
            CardPayment.transfer_id == transfer.id, CardPayment.status == "pending"
        )
    )
    if pending is not None:
        db.session.commit()
        return pending
    declined = unfinished_card_payments(transfer.id)
    cancel_unconfirmed(declined)  # one charge open at a time: the new one replaces them
    attempt = 1 + db.session.scalar(
        select(func.count()).select_from(CardPayment).where(CardPayment.transfer_id == transfer.id)
    )
    intent = gateway.charge(
        transfer.price_minor,
        transfer.currency,
        customer_id,
        transfer.booking_id,
        idempotency_key=f"transfer-{transfer.id}-charge-{attempt}",
    )
    payment = CardPayment(
        transfer_id=transfer.id,
        payment_intent_id=intent.id,
        client_secret=intent.client_secret,
        amount_minor=transfer.price_minor,
        currency=transfer.currency,
    )
    db.session.add(payment)
    db.session.commit()
    return payment


def record_price_paid_by_card(
    payment: CardPayment, amount: int, charge_id: str | None, now: datetime
) -> str:
    """The gateway took `amount` for a transfer's price (a step of escrow's webhook use case,
    which finds this handler by what the payment pays for): it enters the taker's escrow, and
    completes the transfer or is owed back."""
    transfer = lock_transfer(payment.transfer_id)
    booking, intent_id = transfer.booking, payment.payment_intent_id
    price_into_escrow(
        transfer, CARD_GATEWAY, amount, f"card-payment:{intent_id}",
        f"Card payment {intent_id} for transfer {transfer.id}", None,
    )  # fmt: skip
    payment.status, payment.decline_message, payment.charge_id = "succeeded", "", charge_id
    refusal = _refusal(transfer, amount, now.date())
    if refusal:
        reason = f"Paid by card for transfer #{transfer.id}, which {refusal}"
        owe_refund(booking, amount, reason[:200], now, taker_of=transfer, card_payment=payment)
        return f"applied; refund due: the transfer {refusal}"[:200]
    complete_transfer(transfer, None, now, now.date())
    return "applied; transfer completed"


def _refusal(transfer: Transfer, amount: int, today: date) -> str:
    """Why the money cannot complete the transfer ("" when it can)."""
    if transfer.state == "completed":
        return "was already paid and completed"
    if transfer.state != payable_state(transfer.consent_required):
        return f"is {transfer.state.replace('_', ' ')}"
    if transfer.effective_date <= today:
        return f"lapsed on its effective day {transfer.effective_date}"
    if amount != transfer.price_minor:
        return f"costs {transfer.price}, not the amount paid"
    try:
        check_still_fits(transfer, transfer.booking, today)
    except Conflict as error:
        return f"no longer fits: {error.message}"
    return ""
