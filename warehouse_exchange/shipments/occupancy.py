"""The owner's occupancy calendars: for each day of the next twelve months, the units a listing
(or a warehouse, per unit) has on offer, the units bookings hold, and the space the goods
checked in take, with the monthly figures of held against capacity. Held comes from the
per-day capacity rows in one grouped query; used from the stock of the leases in one more."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..accounts.models import User
from ..bookings.calendar import (
    DayCell,
    MonthFigures,
    MonthGrid,
    calendar_window,
    day_range,
    month_figures,
    month_grids,
)
from ..bookings.models import Booking, CapacityDay
from ..catalog import UNIT_NOUNS
from ..extensions import db
from ..listings.models import Listing
from ..listings.rules import ListingStatus
from ..listings.services import own_listing
from ..warehouses.services import own_warehouse
from .models import StockItem
from .stock import HOLDING_STATES, space_of

#: what an owner's calendar may be coloured by: the share booked, or the share goods take
OCCUPANCY_COLOURS = ("held", "used")


@dataclass(frozen=True)
class OccupancyCalendar:
    title: str
    unit: str
    months: list[MonthGrid]
    figures: list[MonthFigures]
    today: DayCell

    @property
    def unit_nouns(self) -> tuple[str, str]:
        return UNIT_NOUNS[self.unit]


def listing_occupancy_calendar(actor: User, listing_id: int, today: date) -> OccupancyCalendar:
    listing = own_listing(actor, listing_id)
    return _calendars([listing], today, title=listing.title)[0]


def warehouse_occupancy_calendars(
    actor: User, warehouse_id: int, today: date
) -> list[OccupancyCalendar]:
    """One calendar per unit the warehouse's listings offer (pallets and square metres do not
    add up), in the order pallet, cbm, sqm; none when it has no listing."""
    warehouse = own_warehouse(actor, warehouse_id)
    listings = list(db.session.scalars(select(Listing).where(Listing.warehouse_id == warehouse.id)))
    return _calendars(listings, today)


def _calendars(
    listings: list[Listing], today: date, title: str | None = None
) -> list[OccupancyCalendar]:
    """Per unit; each titled `title`, or by its unit."""
    if not listings:
        return []
    first, last = calendar_window(today)
    held = _held_by_unit_and_day(listings, first, last)
    used = _used_by_unit_and_day(listings, today, last)
    calendars = []
    for unit in (u for u in UNIT_NOUNS if any(x.unit == u for x in listings)):
        of_unit = [x for x in listings if x.unit == unit]
        cells = [
            DayCell(
                day,
                sum(_offered(x, day, today) for x in of_unit),
                held[unit].get(day, 0),
                used[unit].get(day, Decimal(0)) if day >= today else None,
            )
            for day in day_range(first, last)
        ]
        months = month_grids(cells)
        today_cell = next(c for c in cells if c.day == today)
        calendars.append(
            OccupancyCalendar(
                title or UNIT_NOUNS[unit][1].capitalize(),
                unit,
                months,
                month_figures(months),
                today_cell,
            )
        )
    return calendars


def _offered(listing: Listing, day: date, today: date) -> int:
    """An archived listing offers nothing; a paused one still has its space, leased or not."""
    if listing.status == ListingStatus.ARCHIVED or day < today:
        return 0
    return listing.quantity if listing.available_from <= day <= listing.available_to else 0


def _held_by_unit_and_day(
    listings: list[Listing], first: date, last: date
) -> dict[str, dict[date, int]]:
    rows = db.session.execute(
        select(Listing.unit, CapacityDay.day, func.sum(CapacityDay.held))
        .join(Listing, Listing.id == CapacityDay.listing_id)
        .where(
            CapacityDay.listing_id.in_([x.id for x in listings]),
            CapacityDay.day >= first,
            CapacityDay.day <= last,
        )
        .group_by(Listing.unit, CapacityDay.day)
    )
    held: dict[str, dict[date, int]] = defaultdict(dict)
    for unit, day, units in rows:
        held[unit][day] = int(units)
    return held


def _used_by_unit_and_day(
    listings: list[Listing], today: date, last: date
) -> dict[str, dict[date, Decimal]]:
    """The goods on hand of each lease that holds space take theirs from today to the lease's
    last day: they are in the warehouse now, and leave by the end of the lease."""
    leases = list(
        db.session.scalars(
            select(Booking).where(
                Booking.listing_id.in_([x.id for x in listings]),
                Booking.state.in_(HOLDING_STATES),
                Booking.end_date >= today,
            )
        )
    )
    items = defaultdict(list)
    for item in db.session.scalars(
        select(StockItem).where(StockItem.booking_id.in_([b.id for b in leases]))
    ):
        items[item.booking_id].append(item)
    used: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for lease in leases:
        space = space_of(lease, items[lease.id]) if items[lease.id] else Decimal(0)
        if space:
            for day in day_range(max(lease.start_date, today), min(lease.end_date, last)):
                used[lease.listing.unit][day] += space
    return used
