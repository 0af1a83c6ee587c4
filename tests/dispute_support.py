"""A paid, running lease to dispute, and the calls that open and decide a dispute on it."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import OperatorFactory
from tests.helpers import pay_in_full
from tests.test_escrow import NOW, START, accepted_booking, at_noon
from warehouse_exchange.bookings.services import advance_leases
from warehouse_exchange.disputes.services import Decision, DisputeData, Upload, open_dispute
from warehouse_exchange.escrow.services import run_due_releases

#: the first release is due on the lease's first day; this is a moment after it
FIRST_DAY = at_noon(START)
LATER = FIRST_DAY + timedelta(days=40)


def running_lease(owner, exporter):
    """Paid up front (3 months), started, and its first month released to the owner."""
    booking = accepted_booking(owner, exporter)
    pay_in_full(OperatorFactory(), booking, f"PAID-{booking.id}")
    advance_leases(FIRST_DAY)
    run_due_releases(FIRST_DAY)
    return booking


def claim(amount=5000, category="space_not_available", files=(), currency="EUR", text="No space"):
    return DisputeData(category, text, amount, currency, [Upload(n, d) for n, d in files])


def open_on(booking, by, data=None, now=FIRST_DAY):
    return open_dispute(by, booking.id, data or claim(), now)


def decision(tenant, owner, payout=0, currency="EUR", reasons="Photos show the hall was full."):
    return Decision(tenant, owner, payout, currency, reasons)


__all__ = ["NOW", "START"]
