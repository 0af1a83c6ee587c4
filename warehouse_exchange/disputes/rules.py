"""Pure rules of disputes: categories, the state machine, deadlines, and who lost."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..errors import Conflict

#: characters of a claim, a message or a decision's reasons
MAX_TEXT = 5000

CATEGORIES: dict[str, str] = {
    "space_not_available": "Space not available",
    "goods_damaged": "Goods damaged or lost",
    "wrong_handling": "Wrong handling",
    "unpaid": "Unpaid",
    "other": "Other",
}

#: a dispute is born open and moves to awaiting_response as soon as the other party is told;
#: the respondent's reply, the end of the window or an operator taking it starts the review
TRANSITIONS: dict[str, set[str]] = {
    "open": {"awaiting_response", "withdrawn"},
    "awaiting_response": {"under_review", "withdrawn"},
    "under_review": {"resolved", "withdrawn"},
    "resolved": set(),
    "withdrawn": set(),
}
STATES = tuple(TRANSITIONS)
#: states in which the booking's escrow is frozen
UNRESOLVED_STATES = ("open", "awaiting_response", "under_review")
#: bookings whose escrow can be disputed (paid leases, running or over)
DISPUTABLE_BOOKING_STATES = ("confirmed", "active", "completed")


def check_transition(from_state: str, to_state: str) -> None:
    if to_state not in TRANSITIONS.get(from_state, set()):
        raise Conflict(
            f"A dispute that is {from_state.replace('_', ' ')} cannot become"
            f" {to_state.replace('_', ' ')}."
        )


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
