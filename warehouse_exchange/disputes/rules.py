"""Pure rules of disputes: categories, the state machine, deadlines, and who lost."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from ..bookings.rules import BookingState
from ..state_machine import StateMachine

#: characters of a claim, a message or a decision's reasons
MAX_TEXT = 5000

CATEGORIES: dict[str, str] = {
    "space_not_available": "Space not available",
    "goods_damaged": "Goods damaged or lost",
    "wrong_handling": "Wrong handling",
    "unpaid": "Unpaid",
    "other": "Other",
}


class DisputeState(enum.StrEnum):
    OPEN = "open"
    AWAITING_RESPONSE = "awaiting_response"
    UNDER_REVIEW = "under_review"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


#: a dispute is born open and moves to awaiting_response as soon as the other party is told;
#: the respondent's reply, the end of the window or an operator taking it starts the review
TRANSITIONS: dict[DisputeState, frozenset[DisputeState]] = {
    DisputeState.OPEN: frozenset({DisputeState.AWAITING_RESPONSE, DisputeState.WITHDRAWN}),
    DisputeState.AWAITING_RESPONSE: frozenset({DisputeState.UNDER_REVIEW, DisputeState.WITHDRAWN}),
    DisputeState.UNDER_REVIEW: frozenset({DisputeState.RESOLVED, DisputeState.WITHDRAWN}),
    DisputeState.RESOLVED: frozenset(),
    DisputeState.WITHDRAWN: frozenset(),
}
DISPUTE_MACHINE = StateMachine(
    DisputeState,
    TRANSITIONS,
    lambda current, wanted, _allowed: (
        f"A dispute that is {current.replace('_', ' ')} cannot become {wanted.replace('_', ' ')}."
    ),
)
#: states in which the booking's escrow is frozen
UNRESOLVED_STATES = (
    DisputeState.OPEN,
    DisputeState.AWAITING_RESPONSE,
    DisputeState.UNDER_REVIEW,
)
#: bookings whose escrow can be disputed (paid leases, running or over)
DISPUTABLE_BOOKING_STATES = (BookingState.CONFIRMED, BookingState.ACTIVE, BookingState.COMPLETED)


def deadlines(opened_at: datetime, response_days: int, review_days: int):
    """When the other party must have answered, and when an operator must have decided."""
    respond_by = opened_at + timedelta(days=response_days)
    return respond_by, respond_by + timedelta(days=review_days)


def loser(frozen: int, tenant_share: int, owner_share: int, reserve_payout: int) -> str | None:
    """Which party a decision went against: the tenant's side got more than half of the frozen
    escrow or a reserve payout (the owner lost), or the owner's side got more than half (the
    tenant lost); an even split is lost by nobody."""
    if reserve_payout > 0 or 2 * tenant_share > frozen:
        return "owner"
    if 2 * owner_share > frozen:
        return "tenant"
    return None
