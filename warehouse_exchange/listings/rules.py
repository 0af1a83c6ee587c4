"""Pure rules of listings: status transitions and prices for a quantity and dates."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from ..errors import Conflict
from ..money import Money

#: status -> statuses it may move to
TRANSITIONS = {
    "active": {"paused", "archived"},
    "paused": {"active", "archived"},
    "archived": set(),
}


def check_transition(current: str, wanted: str) -> None:
    if wanted not in TRANSITIONS.get(current, set()):
        allowed_from = sorted(s for s, targets in TRANSITIONS.items() if wanted in targets)
        raise Conflict(
            f"A listing cannot go from {current} to {wanted}; "
            f"only {' or '.join(allowed_from) or 'no'} listings can."
        )


def lease_days(start: date, end: date) -> int:
    """Lease dates are inclusive: 1 to 7 March is seven days."""
    return (end - start).days + 1


def lease_price(unit_price: Money, quantity: int, start: date, end: date) -> Money:
    """Unit price per week x quantity x days / 7, rounded once."""
    return unit_price.times(Fraction(quantity * lease_days(start, end), 7))
