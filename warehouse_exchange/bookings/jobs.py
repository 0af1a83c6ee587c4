"""Scheduler jobs of bookings: unanswered requests and unpaid bookings lapse, leases start
on their first day and complete after their last. Each booking is worked on in its own
transaction, claimed so that two scheduler processes never work on the same one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..unit_of_work import locked_row
from ..work_items import item_failed
from .commands import move_booking
from .models import Booking
from .rules import BookingState
from .signals import booking_expired


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
        move_booking(booking, BookingState.EXPIRED, None, now, reason)
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
            move_booking(booking, BookingState.ACTIVE, None, now, "Start day reached")
            moved = True
        if booking.state == BookingState.ACTIVE and booking.end_date < local_today:
            move_booking(booking, BookingState.COMPLETED, None, now, "End day passed")
            moved = True
        return moved

    return _each_claimed(due, (BookingState.CONFIRMED, BookingState.ACTIVE), advance)


def _zone(booking: Booking):
    from zoneinfo import ZoneInfo

    return ZoneInfo(booking.listing.warehouse.timezone)
