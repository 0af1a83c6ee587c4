"""Money escrow holds that is owed back (to the tenant, or to the taker of a transfer who paid
its price), and the operator's sending of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..accounts.models import User
from ..audit.services import record
from ..bookings.models import Booking
from ..errors import Conflict, NotFound
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.services import Leg
from ..permissions import require_operator
from ..unit_of_work import locked_row, use_case
from ..validation import require_text
from .models import CardPayment, Refund
from .rules import BANK_GATEWAY
from .signals import refund_due


def owe_refund(
    booking: Booking,
    amount_minor: int,
    reason: str,
    now: datetime,
    taker_of=None,
    card_payment: CardPayment | None = None,
) -> Refund:
    """Money escrow holds is owed back to the tenant (or, `taker_of` a transfer, to the taker
    who paid its price; to the `card_payment` it came by, when it is exactly that money); an
    operator sends it."""
    refund = Refund(
        booking=booking,
        payee_id=taker_of.taker_id if taker_of is not None else booking.tenant_id,
        transfer_id=taker_of.id if taker_of is not None else None,
        card_payment=card_payment,
        amount_minor=amount_minor,
        currency=booking.currency,
        reason=reason,
    )
    db.session.add(refund)
    db.session.flush()
    refund_due.send(refund, now=now)
    return refund


def refunds_owed_minor(booking: Booking) -> int:
    """What the booking's tenant is owed back and not yet sent: money its escrow holds that
    is no longer the booking's."""
    owed = db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.booking_id == booking.id,
            Refund.payee_id == booking.tenant_id,
            Refund.state == "due",
        )
    )
    return int(owed)


def unowed_escrow_minor(booking: Booking) -> int:
    """What escrow holds for the booking less the refunds already owed from it: the most
    that any other movement may take out of it."""
    held = ledger.balance(ledger.escrow(booking.tenant_id, booking.currency), booking.id)
    return held.amount_minor - refunds_owed_minor(booking)


@use_case
def send_refund(actor: User, refund_id: int, bank_reference: str, now: datetime) -> Refund:
    """An operator sent a refund that was due: the money leaves escrow for the tenant."""
    require_operator(actor)
    refund = due_refund(refund_id)
    reference = require_text(bank_reference, "bank_reference", 80)
    if db.session.scalar(select(Refund.id).where(Refund.bank_reference == reference)):
        raise Conflict(f"Bank transfer {reference} is already recorded for another refund.")
    before = {
        "state": refund.state,
        "amount_minor": refund.amount_minor,
        "currency": refund.currency,
    }
    mark_refund_sent(refund, BANK_GATEWAY, reference, actor, now)
    after = {**before, "state": refund.state, "bank_reference": reference}
    record(actor, "refund.sent", "refund", refund.id, before, after, now)
    db.session.commit()
    return refund


def due_refund(refund_id: int) -> Refund:
    """The refund, locked, as long as it is still to be sent."""
    refund = locked_row(select(Refund).where(Refund.id == refund_id))
    if refund is None:
        raise NotFound("There is no such refund.")
    if refund.state != "due":
        raise Conflict(f"Refund {refund.id} was already sent on {refund.sent_at:%Y-%m-%d}.")
    return refund


def mark_refund_sent(refund: Refund, gateway: str, reference: str, actor: User, now) -> None:
    """The refund left escrow for the tenant through `gateway`, as `reference` says."""
    booking = refund.booking
    posting = ledger.post(
        f"refund:{refund.id}",
        "refund",
        [
            Leg(ledger.escrow(refund.payee_id, refund.currency), -refund.amount_minor, booking.id),
            Leg(ledger.clearing(gateway, refund.currency), refund.amount_minor),
        ],
        booking_id=booking.id,
        memo=f"Refund {refund.id} ({gateway}): {refund.reason}",
        actor_id=actor.id,
    )
    refund.state, refund.sent_at, refund.gateway = "sent", now, gateway
    refund.bank_reference, refund.transaction_id = reference, posting.id
