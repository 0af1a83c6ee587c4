"""The warehouse owner's side of inbound goods: the shipments coming to its warehouses, by
when they come, and its consent that a lease's goods come in before the lease's first day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, or_, select

from ..accounts.models import User
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..errors import Conflict, Forbidden, InvalidInput
from ..extensions import db
from ..listings.models import Listing
from ..pagination import Page, paginate
from ..permissions import require_user
from ..unit_of_work import locked_row, use_case
from ..warehouses.models import Warehouse
from .models import CheckIn, EarlyArrival, Shipment
from .rules import (
    ARRIVAL_GROUPS,
    CANCELLED,
    MAX_EARLY_ARRIVAL,
    RECENT_CHECK_INS,
    SHIPPABLE_BOOKING_STATES,
    WEEK,
    arrival_group,
    first_check_in_day,
    local_day,
)

#: the lease states in which an owner may still let goods in before the first day
EARLY_ARRIVAL_STATES = ("requested", "accepted", "confirmed")


@dataclass(frozen=True)
class Arrival:
    """One shipment on the owner's arrivals list."""

    shipment: Shipment
    #: a key of ARRIVAL_GROUPS
    group: str
    #: the first day the owner checks it in; None once it is checked in
    check_in_from: date | None
    #: whether it is that day or later in the warehouse's time zone
    can_check_in: bool

    @property
    def group_label(self) -> str:
        return ARRIVAL_GROUPS[self.group]


def _arrivals_query(organization_id: int, today: date, now: datetime):
    checked = CheckIn.id.is_not(None)
    order = case(
        (checked, 4),
        (Shipment.arrived_at.is_not(None), 0),
        (Shipment.expected_arrival < today, 1),
        (Shipment.expected_arrival < today + WEEK, 2),
        else_=3,
    )
    waiting = and_(
        CheckIn.id.is_(None),
        Shipment.status != CANCELLED,
        Booking.state.in_(SHIPPABLE_BOOKING_STATES),
    )
    return (
        select(Shipment)
        .join(Booking, Booking.id == Shipment.booking_id)
        .join(Listing, Listing.id == Booking.listing_id)
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .outerjoin(CheckIn, CheckIn.shipment_id == Shipment.id)
        .where(Warehouse.organization_id == organization_id)
        .where(or_(waiting, CheckIn.checked_in_at >= now - RECENT_CHECK_INS))
        .order_by(order, Shipment.expected_arrival, Shipment.id)
    )


def owner_arrivals(actor: User, now: datetime, page: int, per_page: int) -> Page[Arrival]:
    """Shipments coming to the actor's warehouses, those that arrived and wait for their
    check-in first, then late ones, this week's, later ones, and those checked in over the
    last two weeks. Forbidden to an organization without warehouses."""
    actor = require_user(actor)
    organization = actor.organization
    if organization is None or not organization.owns_warehouses:
        raise Forbidden("Arrivals are the shipments coming to your warehouses: add one first.")
    today = now.date()
    found = paginate(_arrivals_query(organization.id, today, now), page, per_page)
    items = [_arrival(shipment, now) for shipment in found.items]
    return Page(items, found.page, found.per_page, found.total)


def _arrival(shipment: Shipment, now: datetime) -> Arrival:
    checked_in = shipment.check_in is not None
    group = arrival_group(shipment.expected_arrival, shipment.arrived_at, checked_in, now.date())
    if checked_in:
        return Arrival(shipment, group, None, False)
    first_day = shipment.check_in_from
    local_today = local_day(now, shipment.booking.listing.warehouse.timezone)
    return Arrival(shipment, group, first_day, first_day <= local_today)


def early_arrival(booking: Booking) -> EarlyArrival | None:
    return db.session.get(EarlyArrival, booking.id)


def check_in_from(booking: Booking) -> date:
    consent = early_arrival(booking)
    return first_check_in_day(booking.start_date, consent.from_date if consent else None)


def _checked_early_day(booking: Booking, from_date: date) -> date:
    if not isinstance(from_date, date):
        raise InvalidInput("Give the first day goods may come in.", {"from_date": "Required."})
    if from_date >= booking.start_date:
        raise InvalidInput(
            f"The lease starts on {booking.start_date}: goods come in from then anyway.",
            {"from_date": f"Before the lease's first day, {booking.start_date}."},
        )
    if from_date < booking.start_date - MAX_EARLY_ARRIVAL:
        days = MAX_EARLY_ARRIVAL.days
        raise InvalidInput(
            f"Goods may come in at most {days} days before the lease starts.",
            {"from_date": f"At most {days} days before {booking.start_date}."},
        )
    return from_date


@use_case
def allow_early_arrival(
    actor: User, booking_id: int, from_date: date | None, now: datetime
) -> Booking:
    """The warehouse owner lets a lease's goods be checked in from a day before its first
    day, or (with None) withdraws that consent. Only before the lease has started."""
    actor = require_user(actor)
    booking = get_booking(actor, booking_id)
    if actor.organization_id != booking.owner_id:
        raise Forbidden("Only the warehouse owner lets goods in before the lease starts.")
    # the lease's lock: a check-in running at the same time sees the consent before or after
    locked_row(select(Booking).where(Booking.id == booking.id))
    if booking.state not in EARLY_ARRIVAL_STATES or booking.start_date <= local_day(
        now, booking.listing.warehouse.timezone
    ):
        raise Conflict(
            f"Lease #{booking.id} is {booking.state} and starts on {booking.start_date}: an early"
            " arrival is agreed only before a live lease starts."
        )
    consent = early_arrival(booking)
    if from_date is None:
        if consent is not None:
            db.session.delete(consent)
    else:
        day = _checked_early_day(booking, from_date)
        if consent is None:
            consent = EarlyArrival(booking_id=booking.id)
            db.session.add(consent)
        consent.from_date, consent.granted_by_id, consent.granted_at = day, actor.id, now
    db.session.commit()
    return booking


def lease_arrival_terms(actor: User, booking_id: int) -> tuple[Booking, EarlyArrival | None]:
    """A lease and its owner's early-arrival consent, for its parties and operators."""
    booking = get_booking(require_user(actor), booking_id)
    return booking, early_arrival(booking)
