"""Use cases that change bookings: request (and its preview), accept, decline, cancel, confirm
a payment, shorten a lease; the locks they take; and the one way a booking changes state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..blacklist.guards import require_not_blacklisted
from ..catalog import (
    MAX_QUANTITY,
    MAX_SKU_COUNT,
    MAX_TEMPERATURE_C,
    MAX_UNIT_SIDE_CM,
    MAX_UNIT_WEIGHT_KG,
    MIN_TEMPERATURE_C,
)
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..listings.models import Listing
from ..listings.rules import ListingStatus
from ..money import MAX_AMOUNT_MINOR, Money
from ..permissions import require_user
from ..unit_of_work import locked_row, use_case
from ..validation import Problems, require_int, require_text
from . import capacity
from .models import Booking, BookingEvent
from .queries import booking_by_id
from .rules import (
    BOOKING_MACHINE,
    HOLDING_STATES,
    BookingState,
    BookingTerms,
    SkuProfile,
    check_dates,
    check_payment_plan,
    check_quantity,
    payment_due_dates,
    payment_parts,
    refusals,
)
from .signals import booking_cancelled, booking_moved, booking_requested, lease_shortened


@dataclass(frozen=True)
class BookingRequest:
    listing_id: int
    quantity: int
    start: date
    end: date
    goods: SkuProfile
    idempotency_key: str | None = None
    #: "upfront" or "monthly" (only for leases longer than the terms allow)
    payment_plan: str = "upfront"


def move_booking(
    booking: Booking, state: BookingState, actor: User | None, now: datetime, reason=""
) -> None:
    """The one way a booking changes state: its event row, its hold on the listing's capacity,
    the state itself, then `booking_moved` for the areas built on bookings."""

    def record(from_state: str) -> None:
        booking.events.append(
            BookingEvent(from_state=from_state, to_state=state, actor=actor, at=now, reason=reason)
        )
        _hold_or_release(booking, state)

    BOOKING_MACHINE.move(
        booking, state, record=record, signal=booking_moved, actor=actor, now=now, reason=reason
    )


def _hold_or_release(booking: Booking, state: BookingState) -> None:
    """The booking's units count in the listing's capacity exactly while it is in a holding
    state."""
    if state in HOLDING_STATES and not booking.holds_capacity:
        capacity.hold(booking.listing, booking.start_date, booking.end_date, booking.quantity)
        booking.holds_capacity = True
    elif state not in HOLDING_STATES and booking.holds_capacity:
        capacity.release(booking.listing, booking.start_date, booking.end_date, booking.quantity)
        booking.holds_capacity = False


def _check_goods(goods: SkuProfile) -> None:
    for name in ("unit_length_cm", "unit_width_cm", "unit_height_cm"):
        require_int(getattr(goods, name), name, minimum=1, maximum=MAX_UNIT_SIDE_CM)
    require_int(goods.unit_weight_kg, "unit_weight_kg", minimum=1, maximum=MAX_UNIT_WEIGHT_KG)
    require_int(goods.sku_count, "sku_count", minimum=1, maximum=MAX_SKU_COUNT)
    low = require_int(
        goods.temperature_min_c,
        "temperature_min_c",
        minimum=MIN_TEMPERATURE_C,
        maximum=MAX_TEMPERATURE_C,
    )
    high = require_int(
        goods.temperature_max_c,
        "temperature_max_c",
        minimum=MIN_TEMPERATURE_C,
        maximum=MAX_TEMPERATURE_C,
    )
    if low > high:
        raise InvalidInput(
            "Minimum temperature above maximum.", {"temperature_min_c": "Above max."}
        )


def _replayed(actor: User, request: BookingRequest) -> Booking | None:
    if not request.idempotency_key:
        return None
    booking = db.session.scalar(
        select(Booking).where(
            Booking.tenant_id == actor.organization_id,
            Booking.idempotency_key == request.idempotency_key,
        )
    )
    same = booking is not None and (
        booking.listing_id,
        booking.quantity,
        booking.start_date,
        booking.end_date,
        booking.payment_plan,
    ) == (request.listing_id, request.quantity, request.start, request.end, request.payment_plan)
    if booking is not None and not same:
        raise Conflict("This idempotency key was used for another booking request.")
    return booking


def _bookable_listing(actor: User, listing_id: int) -> Listing:
    if db.session.get(Listing, listing_id) is None:
        raise NotFound("No such listing.")
    listing = capacity.lock_listing(listing_id)
    if listing.status != ListingStatus.ACTIVE or listing.warehouse.status != "active":
        raise Conflict(f"This listing is {listing.status} and cannot be booked.")
    if listing.warehouse.organization_id == actor.organization_id:
        raise Forbidden("You cannot book your own listing.")
    return listing


def _checked(actor: User, request: BookingRequest, terms: BookingTerms, today: date):
    """Every check of a request; the locked listing and its quote when all pass. The mistakes
    in what was asked are reported together."""
    problems = Problems()
    with problems.check():
        require_int(request.quantity, "quantity", minimum=1, maximum=MAX_QUANTITY)
    with problems.check():
        _check_goods(request.goods)
    problems.raise_any()  # the rest needs a whole number of units and goods to judge
    require_not_blacklisted(actor.organization_id, today)
    listing = _bookable_listing(actor, request.listing_id)
    require_not_blacklisted(listing.warehouse.organization_id, today, whose="The owner's")
    with problems.check():
        check_dates(listing, request.start, request.end, today)
        check_payment_plan(
            request.payment_plan, request.start, request.end, terms.monthly_after_months
        )
    with problems.check():
        check_quantity(listing, request.quantity)
    with problems.check():
        refused = refusals(listing, request.goods)
        if refused:
            raise InvalidInput("The listing does not accept these goods.", refused)
    problems.raise_any()
    free = capacity.free_quantity(listing, request.start, request.end)
    if request.quantity > free:
        raise capacity.InsufficientCapacity(
            f"Only {free} units are free on every day from {request.start} to {request.end}.",
            {"quantity": f"At most {free}."},
        )
    price = terms.quote(listing.unit_price, request.quantity, request.start, request.end)
    if price.total.amount_minor > MAX_AMOUNT_MINOR:
        largest = Money(MAX_AMOUNT_MINOR, price.total.currency).format()
        raise InvalidInput(
            f"This lease would cost more than {largest}, the most the platform takes in one sum.",
            {"quantity": "Ask for fewer units or a shorter lease."},
        )
    return listing, price


def _require_tenant(actor: User | None) -> User:
    actor = require_user(actor)
    if actor.organization is None or not actor.organization.rents_space:
        raise Forbidden("Only exporter organizations can book space.")
    return actor


@use_case
def preview_booking(actor: User, request: BookingRequest, terms: BookingTerms, today: date):
    """The quote a request would get, after every check it would pass; nothing is saved."""
    _, price = _checked(_require_tenant(actor), request, terms, today)
    db.session.rollback()  # release the listing lock taken by the checks
    if request.payment_plan != "monthly":
        return price
    parts = payment_parts(
        price.subtotal.amount_minor,
        price.commission.amount_minor,
        price.guarantee_fee.amount_minor,
        request.start,
        request.end,
        monthly=True,
    )
    due = payment_due_dates(parts, today, current_app.config["PAYMENT_DUE_DAYS_BEFORE"])
    currency = price.total.currency
    return replace(
        price,
        instalments=tuple(
            (part.month_start, day, Money(part.amount_minor, currency))
            for part, day in zip(parts, due, strict=True)
        ),
    )


@use_case
def request_booking(
    actor: User, request: BookingRequest, terms: BookingTerms, now: datetime, today: date
) -> Booking:
    """An exporter asks for space; instant-book listings accept (and hold) at once."""
    actor = _require_tenant(actor)
    replayed = _replayed(actor, request)
    if replayed is not None:
        return replayed
    listing, price = _checked(actor, request, terms, today)
    goods = request.goods
    booking = Booking(
        listing=listing,
        tenant_id=actor.organization_id,
        requested_by=actor,
        quantity=request.quantity,
        start_date=request.start,
        end_date=request.end,
        state=BookingState.REQUESTED,
        holds_capacity=False,
        currency=listing.currency,
        subtotal_minor=price.subtotal.amount_minor,
        commission_minor=price.commission.amount_minor,
        guarantee_fee_minor=price.guarantee_fee.amount_minor,
        total_minor=price.total.amount_minor,
        payment_plan=request.payment_plan,
        idempotency_key=request.idempotency_key,
        expires_at=now + terms.request_ttl,
        unit_length_cm=goods.unit_length_cm,
        unit_width_cm=goods.unit_width_cm,
        unit_height_cm=goods.unit_height_cm,
        unit_weight_kg=goods.unit_weight_kg,
        temperature_min_c=goods.temperature_min_c,
        temperature_max_c=goods.temperature_max_c,
        hazmat_class=goods.hazmat_class,
        category=goods.category,
        sku_count=goods.sku_count,
    )
    booking.events.append(
        BookingEvent(from_state=None, to_state=BookingState.REQUESTED, actor=actor, at=now)
    )
    db.session.add(booking)
    if listing.instant_book:
        booking.expires_at = now + terms.payment_window  # before the move: the deadline
        move_booking(booking, BookingState.ACCEPTED, actor, now, "Instant booking")
    else:
        db.session.flush()  # receivers name the booking by its id
        booking_requested.send(booking, now=now)
    db.session.commit()
    return booking


def _locked(booking: Booking) -> Booking:
    """The booking re-read under its listing's lock and its own row lock: whatever moved it
    meanwhile (the other party, a payment, a job) is seen before it is moved again. The
    listing first, as every hold takes it, so that two actions never wait on each other."""
    capacity.lock_listing(booking.listing_id)
    return lock_booking(booking.id)


def lock_booking(booking_id: int) -> Booking | None:
    """The booking, locked for this transaction and read afresh (None when there is none)."""
    return locked_row(select(Booking).where(Booking.id == booking_id))


def lock_as_owner(actor: User, booking_id: int) -> Booking:
    booking = booking_by_id(booking_id)
    if require_user(actor).organization_id != booking.listing.warehouse.organization_id:
        raise Forbidden("Only the listing's owner can do this.")
    return _locked(booking)


@use_case
def accept_booking(actor: User, booking_id: int, now: datetime) -> Booking:
    booking = lock_as_owner(actor, booking_id)
    require_not_blacklisted(actor.organization_id, now.date())
    if booking.state == BookingState.REQUESTED and booking.expires_at and booking.expires_at <= now:
        raise Conflict("This request has expired; it can no longer be accepted.")
    if booking.state != BookingState.REQUESTED:
        BOOKING_MACHINE.check(booking.state, BookingState.ACCEPTED)
    # the payment deadline is set before the move, whose receivers schedule the payments
    booking.expires_at = now + BookingTerms.from_config(current_app.config).payment_window
    move_booking(booking, BookingState.ACCEPTED, actor, now)
    db.session.commit()
    return booking


@use_case
def decline_booking(actor: User, booking_id: int, reason: str, now: datetime) -> Booking:
    booking = lock_as_owner(actor, booking_id)
    move_booking(booking, BookingState.DECLINED, actor, now, require_text(reason, "reason", 500))
    db.session.commit()
    return booking


@use_case
def cancel_booking(actor: User, booking_id: int, reason: str, now: datetime, today: date):
    """The tenant or the owner cancels a lease that has not started."""
    booking = booking_by_id(booking_id)
    actor = require_user(actor)
    if actor.organization_id not in (booking.tenant_id, booking.listing.warehouse.organization_id):
        raise Forbidden("Only the parties to a booking can cancel it.")
    reason = require_text(reason, "reason", 500)
    booking = _locked(booking)
    if booking.state == BookingState.CONFIRMED and booking.start_date <= today:
        raise Conflict("The lease has started; it can no longer be cancelled.")
    if _handed_on(booking):
        raise Conflict(
            "Days of this lease were transferred to another lease; it can no longer be cancelled."
        )
    move_booking(booking, BookingState.CANCELLED, actor, now, reason)
    by_owner = actor.organization_id != booking.tenant_id
    booking_cancelled.send(booking, actor=actor, now=now, by_owner=by_owner)
    db.session.commit()
    return booking


def _handed_on(booking: Booking) -> bool:
    """Whether a transfer moved days of the lease (and the rent paid for them) to another: its
    cancellation terms, judged on the whole rent, no longer fit what is left of it."""
    taken_over = select(Booking.id).where(Booking.transferred_from_id == booking.id)
    return db.session.scalar(taken_over.limit(1)) is not None


def shorten_lease(
    booking: Booking, last_day: date, actor: User | None, now: datetime, reason: str
) -> None:
    """The lease now ends on `last_day`: the days after it are free for others at once. The
    caller holds the booking's locks and settles the money."""
    old_end = booking.end_date
    capacity.release(booking.listing, last_day + timedelta(days=1), old_end, booking.quantity)
    booking.original_end_date = booking.original_end_date or old_end
    booking.end_date = last_day
    booking.events.append(
        BookingEvent(
            from_state=booking.state, to_state=booking.state, actor=actor, at=now, reason=reason
        )
    )
    lease_shortened.send(booking, old_end=old_end, actor=actor, now=now, reason=reason)


def decline_for_platform(booking_id: int, reason: str, now: datetime) -> Booking | None:
    """The platform declines a request still open, e.g. because a party was blacklisted (a
    step of another area's use case: flushed, not committed). None when it was not open."""
    booking = _locked(booking_by_id(booking_id))
    if booking.state != BookingState.REQUESTED:
        return None
    move_booking(booking, BookingState.DECLINED, None, now, reason)
    return booking


def confirm_payment(booking: Booking, actor: User, now: datetime) -> None:
    """Escrow holds the booking's total, or its first monthly instalment: it is confirmed
    (a step of escrow's use case)."""
    reason = (
        "First monthly instalment paid into escrow"
        if booking.payment_plan == "monthly"
        else "Paid in full into escrow"
    )
    move_booking(booking, BookingState.CONFIRMED, actor, now, reason)
