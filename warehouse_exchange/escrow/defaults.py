"""A tenant in default: the owner, whose rent the guarantee reserve had to cover, may end the
lease early. The month in which it ends stays the owner's in full (its notice month); the
months after it are no longer owed, their space is free again, and whatever the tenant had
paid for them comes back."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..bookings.commands import lock_as_owner, shorten_lease
from ..bookings.models import Booking
from ..bookings.rules import month_starts
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..ledger import services as ledger
from ..unit_of_work import use_case
from ..validation import require_text
from .models import PaymentInstalment, ReleaseInstalment
from .payments import fee_legs, scheduled_payments
from .refunds import owe_refund, unowed_escrow_minor
from .releases import booking_releases


@use_case
def end_lease_after_default(
    actor: User, booking_id: int, last_day: date, reason: str, now: datetime, today: date
) -> Booking:
    """The owner ends a defaulted lease on `last_day` (today at the earliest)."""
    booking = lock_as_owner(actor, booking_id)
    _check_can_end(booking, last_day, today)
    reason = require_text(reason, "reason", 500)
    kept_months = len(month_starts(booking.start_date, last_day))
    shorten_lease(
        booking, last_day, actor, now, f"Ended early by the owner after a default: {reason}"
    )
    _drop_months_after(booking, kept_months, last_day, now)
    _give_back_the_rest(booking, now)
    db.session.commit()
    return booking


def _check_can_end(booking: Booking, last_day: date, today: date) -> None:
    if booking.state not in ("confirmed", "active"):
        raise Conflict(f"Booking {booking.id} is {booking.state}; only a running lease can end.")
    if booking.defaulted_at is None:
        raise Conflict("Only a lease whose tenant has defaulted on an instalment can end early.")
    if not isinstance(last_day, date):
        raise InvalidInput("The last day is a date.", {"last_day": "Not a date."})
    earliest = max(today, booking.start_date)
    if not earliest <= last_day < booking.end_date:
        raise InvalidInput(
            f"The last day must be from {earliest} to {booking.end_date - timedelta(days=1)}.",
            {"last_day": "Outside the lease, in the past or not before its end."},
        )


def _drop_months_after(booking: Booking, kept_months: int, last_day: date, now) -> None:
    for instalment in scheduled_payments(booking.id):
        if instalment.sequence > kept_months:
            if instalment.paid_at is not None:
                _return_instalment_fees(booking, instalment)
            instalment.cancelled_at = now
    for release in booking_releases(booking.id):
        if release.released_at is not None:
            continue
        if release.sequence > kept_months:
            db.session.delete(release)
        elif release.sequence == kept_months:
            release.due_on, release.awaits_check_in = last_day + timedelta(days=1), False
    db.session.flush()


def _return_instalment_fees(booking: Booking, instalment: PaymentInstalment) -> None:
    legs = fee_legs(booking, -instalment.commission_minor, -instalment.guarantee_fee_minor)
    if legs:
        ledger.post(
            f"fees-returned:{booking.id}:{instalment.sequence}",
            "fee_return",
            legs,
            booking_id=booking.id,
            memo=f"Lease ended before month {instalment.sequence}: its fees go back",
        )


def _give_back_the_rest(booking: Booking, now: datetime) -> None:
    """What escrow holds beyond the releases still to come and the refunds already owed was
    paid for months that will not be: it is owed back to the tenant."""
    to_release = db.session.scalar(
        select(func.coalesce(func.sum(ReleaseInstalment.amount_minor), 0)).where(
            ReleaseInstalment.booking_id == booking.id, ReleaseInstalment.released_at.is_(None)
        )
    )
    rest = unowed_escrow_minor(booking) - int(to_release)
    if rest > 0:
        owe_refund(booking, rest, "Paid for months after the lease was ended early", now)
