"""A paid, running lease to dispute, and the calls that open and decide a dispute on it."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import OperatorFactory
from tests.helpers import pay_in_full
from tests.test_escrow import NOW, START, accepted_booking, at_noon
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.disputes.commands import (
    Decision,
    DisputeData,
    Upload,
    add_message,
    decide_dispute,
    open_dispute,
    take_dispute,
    withdraw_dispute,
)
from warehouse_exchange.disputes.jobs import escalate_overdue
from warehouse_exchange.disputes.settlement import frozen_minor
from warehouse_exchange.escrow.releases import run_due_releases

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


#: the states a case page is read in: before, during and after the decision
CASE_STATES = ("awaiting_response", "under_review", "escalated", "resolved", "withdrawn")


def dispute_in(state, owner, exporter, operator, files=()):
    """A tenant's dispute on a running lease, brought to `state` (one of CASE_STATES)."""
    booking = running_lease(owner, exporter)
    dispute = open_on(booking, exporter, claim(files=files))
    if state == "withdrawn":
        withdraw_dispute(exporter, dispute.id, FIRST_DAY)
    elif state != "awaiting_response":
        add_message(owner, dispute.id, "The hall was free.", [], FIRST_DAY)
    if state == "escalated":
        escalate_overdue(dispute.review_by)
    if state == "resolved":
        take_dispute(operator, dispute.id, FIRST_DAY)
        decide_dispute(operator, dispute.id, decision(frozen_minor(booking), 0), FIRST_DAY)
    return dispute


__all__ = ["NOW", "START"]
