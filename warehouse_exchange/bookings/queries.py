"""Reads of bookings: one booking for its parties, an owner's requests, a tenant's leases,
and a listing's availability, occupancy and live bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..accounts.models import User
from ..catalog import MAX_QUANTITY
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..listings.models import Listing
from ..pagination import Page, paginate
from ..permissions import require_user
from ..warehouses.models import Warehouse
from . import capacity
from .calendar import (
    DayCell,
    MonthGrid,
    calendar_window,
    day_range,
    mark_chosen,
    month_grids,
)
from .models import Booking
from .rules import LIVE_STATES, BookingState


def booking_by_id(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("No such booking.")
    return booking


def get_booking(actor: User, booking_id: int) -> Booking:
    """A booking, for its parties and for operators only."""
    booking = booking_by_id(booking_id)
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
class ChosenSpace:
    """The dates and quantity an exporter searched for, as a link carries them."""

    start: date
    end: date
    quantity: int


@dataclass(frozen=True)
class AvailabilityCalendar:
    listing: Listing
    months: list[MonthGrid]
    chosen: ChosenSpace | None
    #: the chosen days without the chosen quantity free, first first (all of them, even past
    #: the twelve months shown)
    short_days: list[DayCell]

    @property
    def chosen_days(self) -> int:
        return (self.chosen.end - self.chosen.start).days + 1 if self.chosen else 0


MAX_CHOSEN_DAYS = 2 * MAX_AVAILABILITY_DAYS


def availability_calendar(
    listing_id: int, today: date, chosen: ChosenSpace | None = None
) -> AvailabilityCalendar:
    """Free units of a listing on each day of the next twelve months, for anyone to see, with
    the chosen days marked and those that cannot take the chosen quantity named. One query."""
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("No such listing.")
    first, last = calendar_window(today)
    if chosen is not None:
        _check_chosen(chosen, today)
        first, last = min(first, chosen.start), max(last, chosen.end)
    held = capacity.held_by_day(listing, first, last)
    cells = [
        DayCell(day, _offered(listing, day, today), held.get(day, 0))
        for day in day_range(first, last)
    ]
    short: list[DayCell] = []
    if chosen is not None:
        cells = mark_chosen(cells, chosen.start, chosen.end, chosen.quantity)
        short = [c for c in cells if c.short]
    shown_from, shown_to = calendar_window(today)
    shown = [c for c in cells if shown_from <= c.day <= shown_to]
    return AvailabilityCalendar(listing, month_grids(shown), chosen, short)


def _offered(listing: Listing, day: date, today: date) -> int:
    in_window = listing.available_from <= day <= listing.available_to
    return listing.quantity if in_window and day >= today else 0


def _check_chosen(chosen: ChosenSpace, today: date) -> None:
    if chosen.start > chosen.end:
        raise InvalidInput("The last day is before the first day.", {"end": "Before start."})
    if chosen.start < today:
        raise InvalidInput("The first day has passed.", {"start": "In the past."})
    if (chosen.end - chosen.start).days >= MAX_CHOSEN_DAYS:
        raise InvalidInput(f"Choose at most {MAX_CHOSEN_DAYS} days.", {"end": "Range too long."})
    if not 1 <= chosen.quantity <= MAX_QUANTITY:
        raise InvalidInput(f"Choose from 1 to {MAX_QUANTITY} units.", {"quantity": "Out of range."})


def listing_bookings(actor: User, listing_id: int) -> list[Booking]:
    from ..listings.services import own_listing

    own_listing(actor, listing_id)
    query = (
        select(Booking)
        .where(Booking.listing_id == listing_id, Booking.state.in_(LIVE_STATES))
        .order_by(Booking.start_date)
    )
    return list(db.session.scalars(query))
