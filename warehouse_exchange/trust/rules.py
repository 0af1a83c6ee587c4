"""Pure rules of trust: the credit score and tier from an organization's recorded facts, what a
review asks about whom, and when a lease is over enough to be reviewed.

docs/credit-score.md explains the score to users; keep the two in step."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

from ..catalog import RATING_TIERS, UNRATED

#: the three aspects a review rates, by whom it is about (the columns aspect_1, aspect_2,
#: communication)
ASPECTS = {
    "owner": ("Space as described", "Handling of the goods", "Communication"),
    "tenant": ("Paid on time", "Goods as declared", "Communication"),
}

#: the lowest score of each tier, best first; below the last one is C
TIER_FLOORS = (("AAA", 850), ("AA", 750), ("A", 650), ("BBB", 550), ("BB", 450), ("B", 350))
#: below this many finished leases an organization is unrated (its score is still kept)
MIN_FINISHED_LEASES = 1
BASE_SCORE = 500


@dataclass(frozen=True)
class CreditFacts:
    """What the score is computed from; everything is counted from recorded rows."""

    verified: bool = False
    days_on_platform: int = 0
    #: leases it took part in (as owner or tenant) that completed
    leases_completed: int = 0
    #: their totals in whole units of the base currency, at the latest rates
    leases_value: int = 0
    #: its payment instalments (as tenant): paid by the due date, paid after it, and paid
    #: by the guarantee reserve because it did not pay
    instalments_on_time: int = 0
    instalments_late: int = 0
    instalments_covered: int = 0
    #: its leases that went into default (bookings.defaulted_at)
    defaults: int = 0
    #: accepted or paid leases it cancelled (declining or withdrawing a request is free)
    cancellations: int = 0
    #: disputes opened against it (not withdrawn), and those decided against it
    disputes_against: int = 0
    disputes_lost: int = 0
    #: visible reviews about it, and the sum of all their stars (three aspects each)
    reviews: int = 0
    review_stars: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Assessment:
    score: int
    tier: str
    #: (what, points) for every factor that moved the score, in a fixed order
    factors: tuple[tuple[str, int], ...]

    @property
    def raised_by(self) -> list[tuple[str, int]]:
        return [f for f in self.factors if f[1] > 0]

    @property
    def lowered_by(self) -> list[tuple[str, int]]:
        return [f for f in self.factors if f[1] < 0]


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _capped(count: int, each: int, cap: int) -> int:
    return min(count * each, cap)


def _review_points(reviews: int, stars: int) -> int:
    """An average above 3 stars raises, below lowers, by up to 100 points, in full once
    there are five reviews (fewer count for less, so one review cannot swing it)."""
    if reviews == 0:
        return 0
    average = Fraction(stars, 3 * reviews)
    return round(50 * (average - 3) * Fraction(min(reviews, 5), 5))


def _value_points(value: int) -> int:
    """Grows with the number of digits: 1,000 gives 25, 10,000 gives 50, 1,000,000 the
    cap of 100."""
    return min(100, 25 * max(0, len(str(value)) - 3)) if value > 0 else 0


def _factors(facts: CreditFacts) -> list[tuple[str, int]]:
    average = Fraction(facts.review_stars, 3 * facts.reviews) if facts.reviews else 0
    return [
        ("Verified enterprise", 100 if facts.verified else 0),
        (
            f"{_plural(facts.leases_completed, 'completed lease')}",
            _capped(facts.leases_completed, 20, 150),
        ),
        (f"Leases worth {facts.leases_value:,} in all", _value_points(facts.leases_value)),
        (
            f"{_plural(facts.instalments_on_time, 'payment')} made on time",
            _capped(facts.instalments_on_time, 5, 100),
        ),
        (f"{_plural(facts.instalments_late, 'payment')} made late", -25 * facts.instalments_late),
        (
            f"{_plural(facts.instalments_covered, 'payment')} covered by the guarantee reserve",
            -60 * facts.instalments_covered,
        ),
        (f"{_plural(facts.defaults, 'lease')} in default", -120 * facts.defaults),
        (
            f"{_plural(facts.cancellations, 'lease')} cancelled after acceptance",
            -30 * facts.cancellations,
        ),
        (f"{_plural(facts.disputes_against, 'dispute')} opened against it",
         -20 * facts.disputes_against),
        (f"{_plural(facts.disputes_lost, 'dispute')} decided against it",
         -80 * facts.disputes_lost),
        (
            f"Reviews average {float(average):.1f} of 5 ({_plural(facts.reviews, 'review')})",
            _review_points(facts.reviews, facts.review_stars),
        ),
        (
            f"{facts.days_on_platform // 30} months on the platform",
            _capped(facts.days_on_platform // 30, 2, 50),
        ),
    ]  # fmt: skip


def tier_of(score: int) -> str:
    for tier, floor in TIER_FLOORS:
        if score >= floor:
            return tier
    return RATING_TIERS[-1]


def assess(facts: CreditFacts) -> Assessment:
    """The score (0 to 1000) and tier of an organization with these facts, and why."""
    factors = tuple((label, points) for label, points in _factors(facts) if points)
    score = max(0, min(1000, BASE_SCORE + sum(points for _, points in factors)))
    rated = facts.leases_completed >= MIN_FINISHED_LEASES
    return Assessment(score, tier_of(score) if rated else UNRATED, factors)


def tiers_at_least(tier: str) -> tuple[str, ...]:
    """The tiers as good as `tier` or better (for a search's minimum tier)."""
    return RATING_TIERS[: RATING_TIERS.index(tier) + 1]


def tier_rank(tier: str) -> int:
    """7 for AAA down to 1 for C, 0 for unrated: higher is better."""
    return len(RATING_TIERS) - RATING_TIERS.index(tier) if tier in RATING_TIERS else 0


def lease_is_over(state: str, was_confirmed: bool) -> bool:
    """A lease can be reviewed once it is over: it completed, or it was cancelled after it
    had been paid (it ended early). Transfers and dispute rulings that end a lease will add
    their own end states here."""
    return state == "completed" or (state == "cancelled" and was_confirmed)
