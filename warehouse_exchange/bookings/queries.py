"""Reads of bookings: one booking for its parties, an owner's requests, a tenant's leases,
and a listing's availability, occupancy and live bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..listings.models import Listing
from ..pagination import Page, paginate
from ..permissions import require_user
from ..warehouses.models import Warehouse
from . import capacity
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
