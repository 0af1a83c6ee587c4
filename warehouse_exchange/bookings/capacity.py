"""The per-day capacity ledger: holding and giving back units of a listing for a date range.

The database enforces `held <= capacity` on every day row; a hold that would break it fails
inside a savepoint and becomes `InsufficientCapacity`. The listing row is locked first, so
that holds on one listing queue instead of deadlocking on their day rows.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, NoResultFound

from ..errors import Conflict
from ..extensions import db
from ..listings.models import Listing
from ..unit_of_work import locked_row
from .models import CapacityDay


class InsufficientCapacity(Conflict):
    code = "insufficient_capacity"


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def lock_listing(listing_id: int) -> Listing:
    """The listing, locked until the end of the transaction (PostgreSQL; SQLite locks the
    whole database for writing anyway)."""
    listing = locked_row(select(Listing).where(Listing.id == listing_id))
    if listing is None:
        raise NoResultFound(f"no listing {listing_id}")
    return listing


def _insert_missing_days(listing: Listing, start: date, end: date) -> None:
    """Day rows are made on first use. Most holds find them all there already; the missing
    ones go in as one cached statement run for many rows (a VALUES list per range length
    would be compiled anew each time, which cost a third of a booking)."""
    existing = set(
        db.session.scalars(select(CapacityDay.day).where(*_day_range(listing.id, start, end)))
    )
    missing = [
        {"listing_id": listing.id, "day": day, "capacity": listing.quantity, "held": 0}
        for day in days(start, end)
        if day not in existing
    ]
    if missing:
        dialect = db.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        db.session.execute(insert(CapacityDay).on_conflict_do_nothing(), missing)


def _day_range(listing_id: int, start: date, end: date):
    return (
        CapacityDay.listing_id == listing_id,
        CapacityDay.day >= start,
        CapacityDay.day <= end,
    )


def hold(listing: Listing, start: date, end: date, quantity: int) -> None:
    """Count `quantity` more units as held on every day from start to end (inclusive)."""
    _insert_missing_days(listing, start, end)
    try:
        with db.session.begin_nested():
            db.session.execute(
                update(CapacityDay)
                .where(*_day_range(listing.id, start, end))
                .values(held=CapacityDay.held + quantity)
            )
    except IntegrityError as error:
        free = free_quantity(listing, start, end)
        raise InsufficientCapacity(
            f"Only {free} of {listing.quantity} units are free on every day from {start} "
            f"to {end}; {quantity} were asked.",
            {"quantity": f"At most {free}."},
        ) from error


def release(listing: Listing, start: date, end: date, quantity: int) -> None:
    db.session.execute(
        update(CapacityDay)
        .where(*_day_range(listing.id, start, end))
        .values(held=CapacityDay.held - quantity)
    )


def free_quantity(listing: Listing, start: date, end: date) -> int:
    most_held = db.session.scalar(
        select(func.max(CapacityDay.held)).where(*_day_range(listing.id, start, end))
    )
    return listing.quantity - (most_held or 0)


def held_by_day(listing: Listing, start: date, end: date) -> dict[date, int]:
    rows = db.session.execute(
        select(CapacityDay.day, CapacityDay.held).where(*_day_range(listing.id, start, end))
    )
    return {day: held for day, held in rows}


def resize(listing: Listing, quantity: int) -> None:
    """A new quantity for every day; raises IntegrityError if a day holds more than it."""
    with db.session.begin_nested():
        db.session.execute(
            update(CapacityDay)
            .where(CapacityDay.listing_id == listing.id)
            .values(capacity=quantity)
        )


def held_outside(listing: Listing, start: date, end: date) -> bool:
    query = select(CapacityDay.day).where(
        CapacityDay.listing_id == listing.id,
        CapacityDay.held > 0,
        (CapacityDay.day < start) | (CapacityDay.day > end),
    )
    return db.session.scalar(query.limit(1)) is not None


def check_resize(listing: Listing, quantity: int, start: date, end: date) -> None:
    """Refuse a smaller quantity or a shorter window that bookings already hold, naming them."""
    from .models import Booking

    crowded_days = select(CapacityDay.day).where(
        CapacityDay.listing_id == listing.id,
        CapacityDay.held > 0,
        (CapacityDay.held > quantity) | (CapacityDay.day < start) | (CapacityDay.day > end),
    )
    first_day = db.session.scalar(crowded_days.order_by(CapacityDay.day).limit(1))
    if first_day is None:
        resize(listing, quantity)
        return
    in_the_way = db.session.scalars(
        select(Booking.id)
        .where(
            Booking.listing_id == listing.id,
            Booking.holds_capacity.is_(True),
            Booking.start_date <= first_day,
            Booking.end_date >= first_day,
        )
        .order_by(Booking.id)
    ).all()
    names = ", ".join(f"#{booking_id}" for booking_id in in_the_way)
    raise Conflict(
        f"Bookings {names} hold units on {first_day}: the quantity or window cannot shrink "
        "below what they hold.",
        {"quantity": f"Held by bookings {names}."},
    )
