"""Use cases of bookings: request, accept, decline, cancel, pay, expire, start and complete."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..listings.models import Listing
from ..listings.rules import ListingStatus
from ..money import MAX_AMOUNT_MINOR, Money
from ..pagination import Page, paginate
from ..permissions import require_user
from ..trust.guards import require_not_blacklisted
from ..unit_of_work import locked_row, use_case
from ..validation import Problems, require_int, require_text
from ..warehouses.models import Warehouse
from ..work_items import item_failed
from . import capacity
from .models import Booking, BookingEvent
from .rules import (
    BOOKING_MACHINE,
    HOLDING_STATES,
    LIVE_STATES,
    BookingState,
    Quote,
    SkuProfile,
    check_dates,
    check_payment_plan,
    check_quantity,
    payment_due_dates,
    payment_parts,
    quote,
    refusals,
)
from .signals import (
    booking_cancelled,
    booking_expired,
    booking_moved,
    booking_requested,
    lease_shortened,
)

MAX_QUANTITY = 1_000_000


@dataclass(frozen=True)
class BookingTerms:
    """What the platform charges and how long an owner has to answer (from config)."""

    commission_bp: int
    guarantee_bp: int
    request_ttl: timedelta
    #: an accepted booking not paid in full by then expires and frees its space
    payment_window: timedelta = timedelta(hours=72)
    #: monthly payment only for leases of more than this many months
    monthly_after_months: int = 3

    @classmethod
    def from_config(cls, config) -> BookingTerms:
        return cls(
            config["BOOKING_COMMISSION_BP"],
            config["BOOKING_GUARANTEE_BP"],
            timedelta(hours=config["BOOKING_REQUEST_TTL_HOURS"]),
            timedelta(hours=config["BOOKING_PAYMENT_WINDOW_HOURS"]),
            config["PAYMENT_PLAN_MONTHLY_AFTER_MONTHS"],
        )

    def quote(self, unit_price: Money, quantity: int, start: date, end: date) -> Quote:
        """The one quote of a lease: a request's, a preview's and a search result's."""
        return quote(unit_price, quantity, start, end, self.commission_bp, self.guarantee_bp)


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


def _move(
    booking: Booking, state: BookingState, actor: User | None, now: datetime, reason=""
) -> None:
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
        require_int(getattr(goods, name), name, minimum=1, maximum=5000)
    require_int(goods.unit_weight_kg, "unit_weight_kg", minimum=1, maximum=50_000)
    require_int(goods.sku_count, "sku_count", minimum=1, maximum=100_000)
    low = require_int(goods.temperature_min_c, "temperature_min_c", minimum=-60, maximum=60)
    high = require_int(goods.temperature_max_c, "temperature_max_c", minimum=-60, maximum=60)
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
        _move(booking, BookingState.ACCEPTED, actor, now, "Instant booking")
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
    booking = _get(booking_id)
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
    _move(booking, BookingState.ACCEPTED, actor, now)
    db.session.commit()
    return booking


@use_case
def decline_booking(actor: User, booking_id: int, reason: str, now: datetime) -> Booking:
    booking = lock_as_owner(actor, booking_id)
    _move(booking, BookingState.DECLINED, actor, now, require_text(reason, "reason", 500))
    db.session.commit()
    return booking


@use_case
def cancel_booking(actor: User, booking_id: int, reason: str, now: datetime, today: date):
    """The tenant or the owner cancels a lease that has not started."""
    booking = _get(booking_id)
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
    _move(booking, BookingState.CANCELLED, actor, now, reason)
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
    booking = _locked(_get(booking_id))
    if booking.state != BookingState.REQUESTED:
        return None
    _move(booking, BookingState.DECLINED, None, now, reason)
    return booking


def confirm_payment(booking: Booking, actor: User, now: datetime) -> None:
    """Escrow holds the booking's total, or its first monthly instalment: it is confirmed
    (a step of escrow's use case)."""
    reason = (
        "First monthly instalment paid into escrow"
        if booking.payment_plan == "monthly"
        else "Paid in full into escrow"
    )
    _move(booking, BookingState.CONFIRMED, actor, now, reason)


def _claim(booking_id: int, states: tuple[BookingState, ...]) -> Booking | None:
    """The booking, locked for this transaction, if it is still in one of `states` and no
    other runner holds it: two scheduler processes never work on the same item."""
    statement = select(Booking).where(Booking.id == booking_id, Booking.state.in_(states))
    return locked_row(statement, skip_locked=True)


def _each_claimed(booking_ids, states: tuple[BookingState, ...], work) -> int:
    """Run `work` on every booking this runner can claim, one transaction each; a failure on
    one booking is logged and rolled back, and the others go on."""
    done = 0
    for booking_id in booking_ids:
        try:
            booking = _claim(booking_id, states)
            if booking is not None and work(booking):
                done += 1
            db.session.commit()
        except Exception:  # one bad item must not stop the run; it is retried next time
            db.session.rollback()
            item_failed(f"Booking {booking_id}")
    return done


def _expire_overdue(now: datetime, state: BookingState, reason: str) -> int:
    overdue = db.session.scalars(
        select(Booking.id).where(Booking.state == state, Booking.expires_at <= now)
    ).all()
    db.session.rollback()

    def expire(booking: Booking) -> bool:
        if booking.expires_at > now:
            return False
        _move(booking, BookingState.EXPIRED, None, now, reason)
        booking_expired.send(booking, now=now)
        return True

    return _each_claimed(overdue, (state,), expire)


def expire_stale_requests(now: datetime) -> int:
    """Requests nobody answered in time lapse. Returns how many this runner expired."""
    return _expire_overdue(now, BookingState.REQUESTED, "No answer in time")


def expire_unpaid_bookings(now: datetime) -> int:
    """Accepted bookings not paid in full within the payment window lapse and free their
    space; whatever was paid towards them is owed back. Returns how many expired."""
    return _expire_overdue(now, BookingState.ACCEPTED, "Not paid in time")


def advance_leases(now: datetime) -> int:
    """Confirmed leases become active on their first day and complete after their last day,
    each judged by the calendar of its warehouse's time zone. Returns the moves made."""
    due = db.session.scalars(
        select(Booking.id).where(
            Booking.state.in_((BookingState.CONFIRMED, BookingState.ACTIVE)),
            Booking.start_date <= (now + timedelta(days=1)).date(),
        )
    ).all()
    db.session.rollback()

    def advance(booking: Booking) -> bool:
        local_today = now.astimezone(_zone(booking)).date()
        moved = False
        if booking.state == BookingState.CONFIRMED and booking.start_date <= local_today:
            _move(booking, BookingState.ACTIVE, None, now, "Start day reached")
            moved = True
        if booking.state == BookingState.ACTIVE and booking.end_date < local_today:
            _move(booking, BookingState.COMPLETED, None, now, "End day passed")
            moved = True
        return moved

    return _each_claimed(due, (BookingState.CONFIRMED, BookingState.ACTIVE), advance)


def _zone(booking: Booking):
    from zoneinfo import ZoneInfo

    return ZoneInfo(booking.listing.warehouse.timezone)


def _get(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("No such booking.")
    return booking


def get_booking(actor: User, booking_id: int) -> Booking:
    """A booking, for its parties and for operators only."""
    booking = _get(booking_id)
    actor = require_user(actor)
    parties = (booking.tenant_id, booking.listing.warehouse.organization_id)
    if not actor.is_operator and actor.organization_id not in parties:
        raise NotFound("No such booking.")
    return booking


def owner_requests(actor: User, page: int, per_page: int, states=(BookingState.REQUESTED,)) -> Page:
    query = (
        select(Booking)
        .join(Booking.listing)
        .join(Listing.warehouse)
        .where(
            Warehouse.organization_id == require_user(actor).organization_id,
            Booking.state.in_(states),
        )
        .order_by(Booking.created_at, Booking.id)
    )
    return paginate(query, page, per_page)


def tenant_leases(actor: User, page: int, per_page: int) -> Page:
    query = (
        select(Booking)
        .where(Booking.tenant_id == require_user(actor).organization_id)
        .order_by(Booking.start_date.desc(), Booking.id.desc())
    )
    return paginate(query, page, per_page)


MAX_AVAILABILITY_DAYS = 366


def availability(listing_id: int, start: date, end: date) -> list[tuple[date, int]]:
    """Free units of a listing on each day from start to end (none outside its window)."""
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("No such listing.")
    if start > end:
        raise InvalidInput("The end date is before the start date.", {"end": "Before start."})
    if (end - start).days >= MAX_AVAILABILITY_DAYS:
        raise InvalidInput(
            f"Ask for at most {MAX_AVAILABILITY_DAYS} days.", {"end": "Range too long."}
        )
    held = capacity.held_by_day(listing, start, end)
    return [
        (
            day,
            listing.quantity - held.get(day, 0)
            if listing.available_from <= day <= listing.available_to
            else 0,
        )
        for day in capacity.days(start, end)
    ]


@dataclass(frozen=True)
class Week:
    start: date
    #: the most units held on any day of the week, and so the fewest free
    held: int
    free: int


def weekly_occupancy(actor: User, listing_id: int, today: date, weeks: int = 52) -> list[Week]:
    """The owner's calendar: held and free units per week, from this week on."""
    from ..listings.services import own_listing

    listing = own_listing(actor, listing_id)
    first = today - timedelta(days=today.weekday())
    held = capacity.held_by_day(listing, first, first + timedelta(weeks=weeks))
    calendar = []
    for n in range(weeks):
        monday = first + timedelta(weeks=n)
        most = max((held.get(monday + timedelta(days=d), 0) for d in range(7)), default=0)
        calendar.append(Week(monday, most, listing.quantity - most))
    return calendar


def listing_bookings(actor: User, listing_id: int) -> list[Booking]:
    from ..listings.services import own_listing

    own_listing(actor, listing_id)
    query = (
        select(Booking)
        .where(Booking.listing_id == listing_id, Booking.state.in_(LIVE_STATES))
        .order_by(Booking.start_date)
    )
    return list(db.session.scalars(query))
