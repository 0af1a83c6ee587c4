"""Use cases of transfers: offer the rest of a lease, ask to take it over, approve or refuse,
withdraw, expire; and what each party may see. Paying and completing is in settlement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import and_, or_, select

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
from ..escrow.releases import booking_releases
from ..extensions import db
from ..money import Money, require_currency
from ..pagination import Page, paginate
from ..permissions import require_operator, require_user
from ..shipments.stock import lease_space_used
from ..unit_of_work import locked_row, use_case
from ..validation import require_text
from ..work_items import item_failed
from .models import Transfer
from .rules import (
    ABANDONED_STATES,
    OPEN_STATES,
    TRANSFER_MACHINE,
    TransferState,
    split_escrow,
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


def _check_transferable(booking: Booking) -> None:
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
    _check_transferable(booking)
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


def unreleased_value(booking: Booking, effective: date, quantity: int) -> Money:
    """The guide to a fair price: the tenant's escrow that would follow `quantity` units
    from the effective day on (the releases not yet made that fall due from that day)."""
    moving = sum(
        release.amount_minor
        for release in booking_releases(booking.id)
        if release.released_at is None and release.due_on >= effective
    )
    taken, _kept = split_escrow(moving, quantity, booking.quantity - quantity)
    return Money(taken, booking.currency)


@dataclass(frozen=True)
class GoodsLeftOver:
    """The tenant's goods on hand on a lease take more space than the units it would keep."""

    #: space the goods take, in the listing's unit (rounded up to a tenth)
    used: Decimal
    #: units the tenant keeps after the transfer
    kept: int


def goods_left_over(booking: Booking, quantity: int) -> GoodsLeftOver | None:
    """Whether the goods checked in on the lease would not fit in the units the tenant keeps
    after handing `quantity` on (None: they fit, or nothing is on hand)."""
    used = lease_space_used(booking)
    kept = max(0, booking.quantity - quantity)
    if used <= kept:
        return None
    shown = used.quantize(Decimal("0.1"), ROUND_CEILING)
    if shown == shown.to_integral_value():
        shown = shown.quantize(Decimal(1))
    return GoodsLeftOver(shown, kept)


def goods_left_over_of(actor: User, transfer: Transfer) -> GoodsLeftOver | None:
    """The warning of an open transfer, for the tenant, the owner and operators only: the
    tenant's stock is not for the exporters browsing offers."""
    actor = require_user(actor)
    readers = (transfer.tenant_id, owner_of(transfer))
    if not transfer.is_open or not (actor.is_operator or actor.organization_id in readers):
        return None
    return goods_left_over(transfer.booking, transfer.quantity)


def _get(transfer_id: int) -> Transfer:
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFound("No such transfer.")
    return transfer


def lock_transfer(transfer_id: int) -> Transfer:
    """The transfer, read afresh under the locks of its listing, its lease and its own row
    (in that order, as every hold and payment takes them)."""
    transfer = _get(transfer_id)
    _lock_lease(transfer.booking_id)
    return locked_row(select(Transfer).where(Transfer.id == transfer_id))


def owner_of(transfer: Transfer) -> int:
    return transfer.listing.warehouse.organization_id


def get_transfer(actor: User, transfer_id: int) -> Transfer:
    """An offer is seen by everyone logged in (any exporter may ask for it); once asked for,
    only by its parties (tenant, taker, owner) and operators."""
    transfer = _get(transfer_id)
    actor = require_user(actor)
    parties = (transfer.tenant_id, transfer.taker_id, owner_of(transfer))
    if (
        transfer.state == TransferState.OFFERED
        or actor.is_operator
        or actor.organization_id in parties
    ):
        return transfer
    raise NotFound("No such transfer.")


def _move(
    transfer: Transfer, state: TransferState, actor: User | None, now: datetime, reason=""
) -> None:
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
    _check_not_lapsed(transfer, today)
    _move(transfer, TransferState.REQUESTED, actor, now)
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


def _check_not_lapsed(transfer: Transfer, today: date) -> None:
    if transfer.effective_date <= today:
        raise Conflict(
            f"The effective day {transfer.effective_date} has come: this transfer has lapsed."
        )


def _lock_as_owner(actor: User, transfer_id: int) -> Transfer:
    transfer = _get(transfer_id)
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
    _check_not_lapsed(transfer, today)
    _move(transfer, TransferState.OWNER_APPROVED, actor, now)
    transfer.approved_at = now
    transfer_answered.send(transfer, now=now)
    db.session.commit()
    return transfer


@use_case
def refuse_transfer(actor: User, transfer_id: int, reason: str, now: datetime) -> Transfer:
    transfer = _lock_as_owner(actor, transfer_id)
    _check_awaits_answer(transfer, "refused")
    reason = require_text(reason, "reason", 500)
    _move(transfer, TransferState.REFUSED, actor, now, reason)
    transfer_answered.send(transfer, now=now)
    db.session.commit()
    return transfer


@use_case
def withdraw_transfer(actor: User, transfer_id: int, reason: str, now: datetime) -> Transfer:
    """The tenant takes its offer back at any time before completion."""
    transfer = _get(transfer_id)
    if require_user(actor).organization_id != transfer.tenant_id:
        raise Forbidden("Only the tenant who offered the lease can withdraw the offer.")
    reason = require_text(reason, "reason", 500, required=False)
    transfer = lock_transfer(transfer_id)
    _move(transfer, TransferState.WITHDRAWN, actor, now, reason or "Withdrawn by the tenant")
    transfer_ended.send(transfer, now=now)
    db.session.commit()
    return transfer


def expire_transfers(now: datetime) -> int:
    """Offers and requests not completed before their effective day lapse, each in its own
    transaction (a runner skips one another runner holds). Returns how many expired."""
    today = now.date()
    due = db.session.scalars(
        select(Transfer.id).where(Transfer.state.in_(OPEN_STATES), Transfer.effective_date <= today)
    ).all()
    db.session.rollback()
    expired = 0
    for transfer_id in due:
        try:
            transfer = locked_row(
                select(Transfer).where(
                    Transfer.id == transfer_id,
                    Transfer.state.in_(OPEN_STATES),
                    Transfer.effective_date <= today,
                ),
                skip_locked=True,
            )
            if transfer is not None:
                _move(
                    transfer,
                    TransferState.EXPIRED,
                    None,
                    now,
                    "Not completed before the effective day",
                )
                transfer_ended.send(transfer, now=now)
                expired += 1
            db.session.commit()
        except Exception:  # one bad item must not stop the run; it is retried next time
            db.session.rollback()
            item_failed(f"Transfer {transfer_id}")
    return expired


def offers(today: date, page: int, per_page: int, listing_id: int | None = None) -> Page:
    """Transfers on offer that can still be taken, the soonest first."""
    query = select(Transfer).where(
        Transfer.state == TransferState.OFFERED, Transfer.effective_date > today
    )
    if listing_id is not None:
        query = query.where(Transfer.listing_id == listing_id)
    return paginate(query.order_by(Transfer.effective_date, Transfer.id), page, per_page)


def my_transfers(actor: User, page: int, per_page: int) -> Page:
    """Transfers the actor's organization offered, asked for, or must answer as owner."""
    from ..listings.models import Listing
    from ..warehouses.models import Warehouse

    organization_id = require_user(actor).organization_id
    owned = select(Listing.id).join(Warehouse).where(Warehouse.organization_id == organization_id)
    query = select(Transfer).where(
        or_(
            Transfer.tenant_id == organization_id,
            Transfer.taker_id == organization_id,
            Transfer.listing_id.in_(owned),
        )
    )
    return paginate(query.order_by(Transfer.id.desc()), page, per_page)


def awaiting_payment(actor: User) -> list[Transfer]:
    """For operators, who record the takers' bank transfers: transfers that take payment."""
    require_operator(actor)
    return list(db.session.scalars(payable_transfers()))


def payable_transfers(today: date | None = None):
    """SQL: transfers that take the taker's payment (from `today` on: not yet lapsed)."""
    payable = or_(
        Transfer.state == TransferState.OWNER_APPROVED,
        and_(Transfer.state == TransferState.REQUESTED, Transfer.consent_required.is_(False)),
    )
    query = select(Transfer).where(payable).order_by(Transfer.effective_date, Transfer.id)
    return query if today is None else query.where(Transfer.effective_date > today)


def offers_on_lease(booking_id: int) -> list[Transfer]:
    return list(
        db.session.scalars(
            select(Transfer).where(Transfer.booking_id == booking_id).order_by(Transfer.id.desc())
        )
    )


@dataclass(frozen=True)
class LeaseSplit:
    """How a completed transfer touched a lease: `original` is the lease it split, `taken`
    the taker's new lease, `kept` the tenant's continuation of the units it kept."""

    role: str
    transfer: Transfer

    @property
    def kept_units(self) -> int:
        return self.transfer.booking.quantity - self.transfer.quantity


def lease_splits(booking: Booking) -> list[LeaseSplit]:
    """The completed transfers that made this lease or split it, oldest first."""
    transfers = db.session.scalars(
        select(Transfer)
        .where(
            Transfer.state == TransferState.COMPLETED,
            or_(
                Transfer.booking_id == booking.id,
                Transfer.new_booking_id == booking.id,
                Transfer.continuation_id == booking.id,
            ),
        )
        .order_by(Transfer.id)
    )
    return [LeaseSplit(_role_of(booking, transfer), transfer) for transfer in transfers]


def _role_of(booking: Booking, transfer: Transfer) -> str:
    if transfer.booking_id == booking.id:
        return "original"
    return "taken" if transfer.new_booking_id == booking.id else "kept"


def lease_to_offer(actor: User, booking_id: int) -> Booking:
    """The lease whose offer page the actor opens: its tenant's only."""
    booking = get_booking(actor, booking_id)
    if actor.organization_id != booking.tenant_id:
        raise Forbidden("Only the lease's tenant can offer it for transfer.")
    return booking


def transfer_refusal(booking: Booking) -> str | None:
    """Why the lease cannot be offered now, for the offer page (None: it can)."""
    try:
        _check_transferable(booking)
    except Conflict as error:
        return error.message
    return None
