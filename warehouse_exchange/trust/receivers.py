"""Ratings follow the facts they are computed from: the parties of a booking are rated again
when it is paid, completed or cancelled, a tenant when the reserve covers its payment, and
both parties of a dispute when it is opened, withdrawn or decided.
Receivers run inside the sender's unit of work, so a rating changes with its fact."""

from __future__ import annotations

from ..bookings.models import Booking
from ..disputes.models import Dispute
from ..escrow.models import PaymentInstalment
from .credit import rate_by_id

#: booking states whose arrival changes a fact of the score (payments, leases, cancellations)
RATED_MOVES = {"confirmed", "completed", "cancelled"}


def rate_parties(booking: Booking, *, to_state: str, now, **_):
    if to_state in RATED_MOVES:
        rate_by_id(booking.tenant_id, now)
        rate_by_id(booking.listing.warehouse.organization_id, now)


def rate_defaulter(instalment: PaymentInstalment, *, now, **_):
    rate_by_id(instalment.booking.tenant_id, now)


def rate_disputants(dispute: Dispute, *, now, **_):
    """A dispute against an organization, and a decision against it, lower its score; a
    withdrawn one no longer counts."""
    rate_by_id(dispute.against_org_id, now)
    rate_by_id(dispute.opened_by_org_id, now)
