"""What escrow does when the areas it builds on act: an accepted booking gets its payment
schedule, the goods' arrival makes the first release due, and a cancelled or lapsed booking's
money goes back. Receivers run inside the sender's unit of work."""

from __future__ import annotations

from datetime import datetime

from ..bookings.models import Booking
from ..extensions import db
from .cancellations import settle_cancelled_escrow
from .payments import ensure_payment_schedule
from .releases import end_check_in_wait


def schedule_payments(booking: Booking, *, to_state: str, **_kw) -> None:
    """An accepted booking gets its payment schedule, due from its payment deadline on."""
    if to_state == "accepted":
        if booking.id is None:
            db.session.flush()
        ensure_payment_schedule(booking)


def release_at_check_in(booking: Booking, *, at: datetime, **_kw) -> None:
    end_check_in_wait(booking, at)


def refund_cancelled_booking(booking: Booking, *, now: datetime, by_owner: bool = False, **_kw):
    settle_cancelled_escrow(booking, now, by_owner)
