"""Use cases that change transfers: offer the rest of a lease, ask to take it over, approve or
refuse, withdraw; the checks they make, the locks they take, and the one way a transfer
changes state. Paying and completing is in settlement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..accounts.models import User
from ..blacklist.guards import require_not_blacklisted
from ..bookings import capacity
from ..bookings.commands import lock_booking
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..bookings.rules import BookingState, SkuProfile, refusals
from ..disputes.models import unresolved_dispute_id
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..escrow.cards import cancel_unconfirmed
from ..escrow.models import CardPayment
from ..escrow.payments import scheduled_payments
from ..extensions import db
from ..money import require_currency
from ..permissions import require_user
from ..unit_of_work import locked_row, use_case
from ..validation import require_text
from .models import Transfer
from .queries import get_transfer, owner_of, transfer_by_id
from .rules import (
    ABANDONED_STATES,
    OPEN_STATES,
    TRANSFER_MACHINE,
    TransferState,
)
from .signals import transfer_answered, transfer_ended, transfer_offered, transfer_requested

MAX_PRICE_MINOR = 10**12
#: states of a lease that can be handed on
TRANSFERABLE_STATES = (BookingState.CONFIRMED, BookingState.ACTIVE)


@dataclass(frozen=True)
class Offer:
    booking_id: int
    effective_date: date
    quantity: int
    price_minor: int
    currency: str


def check_transferable(booking: Booking) -> None:
    """Whether the lease itself can be handed on now. Every offer and every completion asks
    here."""
    if booking.state not in TRANSFERABLE_STATES:
        raise Conflict(
            f"Booking {booking.id} is {booking.state}; only a confirmed or active lease can be"
            " transferred."
        )
    disputed = unresolved_dispute_id(booking.id)
    if disputed is not None:
        raise Conflict(
            f"Booking {booking.id} is in dispute (#{disputed}); it can be transferred once an"
            " operator has decided or the dispute is withdrawn."
        )
    unpaid = [
        instalment
        for instalment in scheduled_payments(booking.id)
        if instalment.paid_at is None and instalment.cancelled_at is None
    ]
    if unpaid:
        raise Conflict(
            f"{len(unpaid)} payment instalment(s) of this lease are still to pay; a lease can"
            " be transferred once every instalment is paid."
        )


def _check_offer(booking: Booking, offer: Offer, today: date) -> None:
    first = max(today, booking.start_date)
    if not isinstance(offer.effective_date, date) or not (
        first < offer.effective_date <= booking.end_date
    ):
        raise InvalidInput(
            f"The effective day must be after {first} and on or before the lease's last day"
            f" {booking.end_date}.",
            {"effective_date": "After today and the lease's first day, not after its end."},
        )
    if isinstance(offer.quantity, bool) or not isinstance(offer.quantity, int):
        raise InvalidInput("The quantity is a whole number.", {"quantity": "Not a number."})
    if not 1 <= offer.quantity <= booking.quantity:
        raise InvalidInput(
            f"Offer from 1 to {booking.quantity} units: the lease has {booking.quantity}.",
            {"quantity": f"Must be between 1 and {booking.quantity}."},
        )
    if require_currency(offer.currency, "price") != booking.currency:
        raise InvalidInput(
            f"The price is in the lease's currency, {booking.currency}.",
            {"price": f"Must be in {booking.currency}."},
        )
    if isinstance(offer.price_minor, bool) or not isinstance(offer.price_minor, int):
        raise InvalidInput("The price is a whole number.", {"price": "Not a number."})
    if not 0 < offer.price_minor <= MAX_PRICE_MINOR:
        raise InvalidInput("Ask a price above zero.", {"price": "Must be more than zero."})


def _lock_lease(booking_id: int) -> Booking:
    """The lease under its listing's lock and its own, as bookings take them."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("No such booking.")
    capacity.lock_listing(booking.listing_id)
    return lock_booking(booking_id)


def _open_transfer(booking_id: int) -> Transfer | None:
    return db.session.scalar(
        select(Transfer).where(Transfer.booking_id == booking_id, Transfer.state.in_(OPEN_STATES))
    )


@use_case
def offer_transfer(actor: User, offer: Offer, now: datetime, today: date) -> Transfer:
    """The tenant offers the rest of a lease: `quantity` units from the effective day on."""
    booking = get_booking(actor, offer.booking_id)
    if actor.organization_id != booking.tenant_id:
        raise Forbidden("Only the lease's tenant can offer it for transfer.")
    require_not_blacklisted(booking.tenant_id, today)
    booking = _lock_lease(booking.id)
    check_transferable(booking)
    _check_offer(booking, offer, today)
    if _open_transfer(booking.id) is not None:
        raise Conflict("This lease is already offered for transfer; withdraw that offer first.")
    transfer = Transfer(
        booking=booking,
        listing_id=booking.listing_id,
        tenant_id=booking.tenant_id,
        offered_by=actor,
        effective_date=offer.effective_date,
        quantity=offer.quantity,
        price_minor=offer.price_minor,
        currency=booking.currency,
        consent_required=booking.listing.transfer_consent,
        state=TransferState.OFFERED,
        created_at=now,
    )
    db.session.add(transfer)
    db.session.flush()
    transfer_offered.send(transfer, now=now)
    db.session.commit()
    return transfer


def lock_transfer(transfer_id: int) -> Transfer:
    """The transfer, read afresh under the locks of its listing, its lease and its own row
    (in that order, as every hold and payment takes them)."""
    transfer = transfer_by_id(transfer_id)
    _lock_lease(transfer.booking_id)
    return locked_row(select(Transfer).where(Transfer.id == transfer_id))


def move_transfer(
    transfer: Transfer, state: TransferState, actor: User | None, now: datetime, reason=""
) -> None:
    """The one way a transfer changes state: offers and requests that end also drop the
    taker's unfinished card payments of the price."""
    TRANSFER_MACHINE.move(transfer, state)
    if actor is not None and state != TransferState.REQUESTED:
        transfer.decided_by_id = actor.id
    if reason:
        transfer.reason = reason
    if state not in OPEN_STATES:
        transfer.closed_at = now
    if state in ABANDONED_STATES:
        cancel_unconfirmed(unfinished_card_payments(transfer.id))


def unfinished_card_payments(transfer_id: int) -> list[CardPayment]:
    """The taker's card payments of the price that have not succeeded: pending, or declined
    (a declined charge can still be tried again with another card)."""
    unfinished = (CardPayment.transfer_id == transfer_id, CardPayment.status != "succeeded")
    return list(db.session.scalars(select(CardPayment).where(*unfinished)))


def _require_exporter(actor: User) -> User:
    actor = require_user(actor)
    if actor.organization is None or not actor.organization.rents_space:
        raise Forbidden("Only exporter organizations can take over a lease.")
    return actor


@use_case
def request_transfer(
    actor: User, transfer_id: int, goods: SkuProfile, now: datetime, today: date
) -> Transfer:
    """An exporter asks to take the offered lease over, declaring the goods it will store."""
    actor = _require_exporter(actor)
    transfer = get_transfer(actor, transfer_id)
    if actor.organization_id == transfer.tenant_id:
        raise Forbidden("This is your own lease: you cannot take it over.")
    require_not_blacklisted(actor.organization_id, today)
    require_not_blacklisted(transfer.tenant_id, today, whose="The offering tenant's")
    problems = refusals(transfer.listing, goods)
    if problems:
        raise InvalidInput("The listing does not accept these goods.", problems)
    transfer = lock_transfer(transfer_id)
    TRANSFER_MACHINE.check(transfer.state, TransferState.REQUESTED)
    check_not_lapsed(transfer, today)
    move_transfer(transfer, TransferState.REQUESTED, actor, now)
    transfer.taker_id, transfer.requested_by_id, transfer.requested_at = (
        actor.organization_id,
        actor.id,
        now,
    )
    for name, value in vars(goods).items():
        setattr(transfer, name, value)
    transfer_requested.send(transfer, now=now)
    db.session.commit()
    return transfer


def check_not_lapsed(transfer: Transfer, today: date) -> None:
    if transfer.effective_date <= today:
        raise Conflict(
            f"The effective day {transfer.effective_date} has come: this transfer has lapsed."
        )


def _lock_as_owner(actor: User, transfer_id: int) -> Transfer:
    transfer = transfer_by_id(transfer_id)
    if require_user(actor).organization_id != owner_of(transfer):
        raise Forbidden("Only the listing's owner can approve or refuse a transfer.")
    return lock_transfer(transfer_id)


#: why a transfer in each state no longer waits for the owner's answer
_NOT_AWAITING = {
    TransferState.OFFERED: "nobody has asked to take it over yet",
    TransferState.OWNER_APPROVED: "it was approved already",
    TransferState.COMPLETED: "it is completed",
    TransferState.WITHDRAWN: "the tenant withdrew it",
    TransferState.REFUSED: "it was refused",
    TransferState.EXPIRED: "it lapsed on its effective day",
}


def _check_awaits_answer(transfer: Transfer, verb: str) -> None:
    if transfer.state != TransferState.REQUESTED:
        raise Conflict(
            f"Transfer #{transfer.id} cannot be {verb}: {_NOT_AWAITING[transfer.state]}."
        )


@use_case
def approve_transfer(actor: User, transfer_id: int, now: datetime, today: date) -> Transfer:
    """The owner accepts the taker as its new tenant; the taker may now pay."""
    transfer = _lock_as_owner(actor, transfer_id)
    require_not_blacklisted(actor.organization_id, today)
    if not transfer.consent_required:
        raise Conflict("This listing does not ask the owner's consent to transfers.")
    _check_awaits_answer(transfer, "approved")
    check_not_lapsed(transfer, today)
    move_transfer(transfer, TransferState.OWNER_APPROVED, actor, now)
    transfer.approved_at = now
    transfer_answered.send(transfer, now=now)
    db.session.commit()
    return transfer


@use_case
def refuse_transfer(actor: User, transfer_id: int, reason: str, now: datetime) -> Transfer:
    transfer = _lock_as_owner(actor, transfer_id)
    _check_awaits_answer(transfer, "refused")
    reason = require_text(reason, "reason", 500)
    move_transfer(transfer, TransferState.REFUSED, actor, now, reason)
    transfer_answered.send(transfer, now=now)
    db.session.commit()
    return transfer


@use_case
def withdraw_transfer(actor: User, transfer_id: int, reason: str, now: datetime) -> Transfer:
    """The tenant takes its offer back at any time before completion."""
    transfer = transfer_by_id(transfer_id)
    if require_user(actor).organization_id != transfer.tenant_id:
        raise Forbidden("Only the tenant who offered the lease can withdraw the offer.")
    reason = require_text(reason, "reason", 500, required=False)
    transfer = lock_transfer(transfer_id)
    move_transfer(
        transfer, TransferState.WITHDRAWN, actor, now, reason or "Withdrawn by the tenant"
    )
    transfer_ended.send(transfer, now=now)
    db.session.commit()
    return transfer


def transfer_refusal(booking: Booking) -> str | None:
    """Why the lease cannot be offered now, for the offer page (None: it can)."""
    try:
        check_transferable(booking)
    except Conflict as error:
        return error.message
    return None
