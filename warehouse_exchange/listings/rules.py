"""Pure rules of listings: status transitions and prices for a quantity and dates."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from ..money import Money
from ..state_machine import StateMachine


class ListingStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


#: status -> statuses it may move to
TRANSITIONS: dict[ListingStatus, frozenset[ListingStatus]] = {
    ListingStatus.ACTIVE: frozenset({ListingStatus.PAUSED, ListingStatus.ARCHIVED}),
    ListingStatus.PAUSED: frozenset({ListingStatus.ACTIVE, ListingStatus.ARCHIVED}),
    ListingStatus.ARCHIVED: frozenset(),
}
LISTING_MACHINE = StateMachine(
    ListingStatus,
    TRANSITIONS,
    lambda current, wanted, allowed: (
        f"A listing cannot go from {current} to {wanted}; only {allowed} listings can."
    ),
    attribute="status",
)


@dataclass(frozen=True)
class CancellationPolicy:
    """How much of the rent a tenant gets back when cancelling a paid lease before it starts.
    The commission and guarantee fee are not refunded; the rent kept goes to the owner."""

    description: str
    #: (at least this many days before the start, share of the rent refunded in basis points)
    steps: tuple[tuple[int, int], ...]

    def refund_bp(self, cancelled_on: date, start: date) -> int:
        notice = (start - cancelled_on).days
        return max((bp for days, bp in self.steps if notice >= days), default=0)


#: When the owner's first release of a paid lease falls due: on the lease's first day, or when
#: the tenant's goods are first checked in (at the latest RELEASE_CHECK_IN_WAIT_DAYS after the
#: first day, so that a tenant who sends nothing does not keep the owner waiting for ever).
FIRST_RELEASES = {
    "start_day": "On the lease's first day",
    "check_in": "When the tenant's goods are first checked in",
}

CANCELLATION_POLICIES = {
    "flexible": CancellationPolicy(
        "Full refund of the rent up to the day before the lease starts", ((1, 10_000),)
    ),
    "moderate": CancellationPolicy(
        "Full refund of the rent up to 14 days before the start, half after that",
        ((14, 10_000), (0, 5_000)),
    ),
    "strict": CancellationPolicy(
        "Half the rent refunded up to 30 days before the start, nothing after that",
        ((30, 5_000),),
    ),
}


def lease_days(start: date, end: date) -> int:
    """Lease dates are inclusive: 1 to 7 March is seven days."""
    return (end - start).days + 1


def lease_price(unit_price: Money, quantity: int, start: date, end: date) -> Money:
    """Unit price per week x quantity x days / 7, rounded once."""
    return unit_price.times(Fraction(quantity * lease_days(start, end), 7))
