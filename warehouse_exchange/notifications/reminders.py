"""Reminders the clock sends: tenants before their leases end and before their monthly
instalments fall due, owners of requests that still wait for an answer. Each reminder is one
notification with its own event key, so running the job again, or in two scheduler processes
at once, never sends it twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..bookings.models import Booking
from ..escrow.models import PaymentInstalment
from ..extensions import db
from . import messages, services

#: days before the last day of a lease at which its tenant is reminded
LEASE_ENDING_DAYS = (14, 3)
#: days before a payment instalment falls due at which its tenant is reminded
INSTALMENT_DUE_DAYS = 3
#: an owner is reminded of a request this long before it lapses
REQUEST_WAITING_NOTICE = timedelta(hours=12)


def _told_once(organization_id: int, message, booking: Booking, key: str, now) -> bool:
    """Notify inside a savepoint: a second runner telling the same event at the same moment
    hits the unique event key, and only that one reminder is undone."""
    try:
        with db.session.begin_nested():
            told = services.notify(organization_id, message, f"/bookings/{booking.id}", key, now)
    except IntegrityError:  # the other runner told it first
        return False
    return told is not None


def remind_leases_ending(now: datetime) -> int:
    """Tenants of running or confirmed leases hear 14 and 3 days before the last day."""
    sent = 0
    for days in LEASE_ENDING_DAYS:
        last_day = (now + timedelta(days=days)).date()
        ending = db.session.scalars(
            select(Booking).where(
                Booking.state.in_(("confirmed", "active")), Booking.end_date == last_day
            )
        ).all()
        for booking in ending:
            key = f"lease-ending:{booking.id}:{days}"
            message = messages.lease_ending(booking, days)
            sent += _told_once(booking.tenant_id, message, booking, key, now)
    db.session.commit()
    return sent


def remind_waiting_requests(now: datetime) -> int:
    """Owners hear of a request still unanswered when its deadline is near."""
    waiting = db.session.scalars(
        select(Booking).where(
            Booking.state == "requested",
            Booking.expires_at > now,
            Booking.expires_at <= now + REQUEST_WAITING_NOTICE,
        )
    ).all()
    sent = 0
    for booking in waiting:
        key = f"request-waiting:{booking.id}"
        message = messages.request_waiting(booking)
        sent += _told_once(booking.owner_id, message, booking, key, now)
    db.session.commit()
    return sent


def remind_instalments_due(now: datetime) -> int:
    """Tenants of paid leases hear 3 days before an instalment they have not paid falls due
    (the first instalment is paid at confirmation: only later ones are reminded)."""
    day = (now + timedelta(days=INSTALMENT_DUE_DAYS)).date()
    due = db.session.scalars(
        select(PaymentInstalment)
        .join(Booking, Booking.id == PaymentInstalment.booking_id)
        .where(
            PaymentInstalment.outstanding(),
            PaymentInstalment.due_on == day,
            Booking.state.in_(("confirmed", "active")),
        )
        .order_by(PaymentInstalment.id)
    ).all()
    sent = 0
    for instalment in due:
        booking = instalment.booking
        key = f"instalment-due:{instalment.id}"
        message = messages.instalment_due(instalment, INSTALMENT_DUE_DAYS)
        sent += _told_once(booking.tenant_id, message, booking, key, now)
    db.session.commit()
    return sent
