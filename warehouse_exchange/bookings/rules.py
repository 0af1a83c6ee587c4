"""Pure rules of bookings: the state machine, the quote, and whether goods fit a listing."""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from ..catalog import CATEGORIES
from ..errors import InvalidInput
from ..listings.models import Listing
from ..listings.rules import lease_days
from ..money import Money, allocate, round_half_even
from ..state_machine import StateMachine

#: how a tenant pays: the whole total at confirmation, or one instalment per month of the lease
PAYMENT_PLANS = ("upfront", "monthly")


class BookingState(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    CONFIRMED = "confirmed"
    ACTIVE = "active"
    COMPLETED = "completed"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


#: state -> states it may move to
TRANSITIONS: dict[BookingState, frozenset[BookingState]] = {
    BookingState.REQUESTED: frozenset(
        {BookingState.ACCEPTED, BookingState.DECLINED, BookingState.EXPIRED, BookingState.CANCELLED}
    ),
    BookingState.ACCEPTED: frozenset(
        {BookingState.CONFIRMED, BookingState.EXPIRED, BookingState.CANCELLED}
    ),
    BookingState.CONFIRMED: frozenset({BookingState.ACTIVE, BookingState.CANCELLED}),
    BookingState.ACTIVE: frozenset({BookingState.COMPLETED}),
    BookingState.COMPLETED: frozenset(),
    BookingState.DECLINED: frozenset(),
    BookingState.EXPIRED: frozenset(),
    BookingState.CANCELLED: frozenset(),
}
BOOKING_MACHINE = StateMachine(
    BookingState,
    TRANSITIONS,
    lambda current, wanted, allowed: (
        f"A booking cannot become {wanted} from {current}; only {allowed} bookings can."
    ),
)
#: states in which a booking counts in the listing's capacity (a completed lease used its days)
HOLDING_STATES = frozenset(
    {BookingState.ACCEPTED, BookingState.CONFIRMED, BookingState.ACTIVE, BookingState.COMPLETED}
)
#: states in which a booking still needs something to happen
LIVE_STATES = frozenset(
    {BookingState.REQUESTED, BookingState.ACCEPTED, BookingState.CONFIRMED, BookingState.ACTIVE}
)


@dataclass(frozen=True)
class Quote:
    subtotal: Money
    commission: Money
    guarantee_fee: Money
    total: Money
    #: with the monthly plan: (month start, due date, amount) of each instalment; the first
    #: is due at confirmation
    instalments: tuple[tuple[date, date, Money], ...] = ()


def quote(
    unit_price: Money, quantity: int, start: date, end: date, commission_bp: int, guarantee_bp: int
) -> Quote:
    """The total is rounded once; its parts are shares of it that add up exactly."""
    base = Fraction(unit_price.amount_minor * quantity * lease_days(start, end), 7)
    total = round_half_even(base * Fraction(10_000 + commission_bp + guarantee_bp, 10_000))
    subtotal, commission, fee = allocate(total, [10_000, commission_bp, guarantee_bp])
    currency = unit_price.currency
    return Quote(*(Money(x, currency) for x in (subtotal, commission, fee, total)))


@dataclass(frozen=True)
class BookingTerms:
    """What the platform charges and how long an owner has to answer (from config)."""

    commission_bp: int
    guarantee_bp: int
    request_ttl: timedelta
    #: an accepted booking not paid in full by then expires and frees its space
    payment_window: timedelta = timedelta(hours=72)
    #: monthly payment only for leases of more than this many months
    monthly_after_months: int = 3

    @classmethod
    def from_config(cls, config) -> BookingTerms:
        return cls(
            config["BOOKING_COMMISSION_BP"],
            config["BOOKING_GUARANTEE_BP"],
            timedelta(hours=config["BOOKING_REQUEST_TTL_HOURS"]),
            timedelta(hours=config["BOOKING_PAYMENT_WINDOW_HOURS"]),
            config["PAYMENT_PLAN_MONTHLY_AFTER_MONTHS"],
        )

    def quote(self, unit_price: Money, quantity: int, start: date, end: date) -> Quote:
        """The one quote of a lease: a request's, a preview's and a search result's."""
        return quote(unit_price, quantity, start, end, self.commission_bp, self.guarantee_bp)


@dataclass(frozen=True)
class SkuProfile:
    unit_length_cm: int
    unit_width_cm: int
    unit_height_cm: int
    unit_weight_kg: int
    temperature_min_c: int
    temperature_max_c: int
    category: str
    sku_count: int = 1
    hazmat_class: int | None = None


def refusals(listing: Listing, goods: SkuProfile) -> dict[str, str]:
    """What about the goods the listing does not accept, field by field (empty: all fits)."""
    problems = {}
    length, width = goods.unit_length_cm, goods.unit_width_cm
    flat_fit = (length <= listing.max_unit_length_cm and width <= listing.max_unit_width_cm) or (
        width <= listing.max_unit_length_cm and length <= listing.max_unit_width_cm
    )
    if not flat_fit:
        problems["unit_length_cm"] = (
            f"Units up to {listing.max_unit_length_cm} x {listing.max_unit_width_cm} cm."
        )
    if goods.unit_height_cm > listing.max_unit_height_cm:
        problems["unit_height_cm"] = f"Units up to {listing.max_unit_height_cm} cm high."
    if goods.unit_weight_kg > listing.max_unit_weight_kg:
        problems["unit_weight_kg"] = f"Units up to {listing.max_unit_weight_kg} kg."
    if (
        listing.temperature_min_c < goods.temperature_min_c
        or listing.temperature_max_c > goods.temperature_max_c
    ):
        problems["temperature_min_c"] = (
            f"The space is kept at {listing.temperature_min_c} to {listing.temperature_max_c} °C."
        )
    if goods.hazmat_class is not None and goods.hazmat_class not in listing.hazmat_classes:
        problems["hazmat_class"] = f"Hazard class {goods.hazmat_class} is not accepted."
    if goods.category not in listing.categories:
        accepted = ", ".join(CATEGORIES[name] for name in listing.categories)
        problems["category"] = f"This category is not accepted; this listing takes {accepted}."
    return problems


def check_quantity(listing: Listing, quantity: int) -> None:
    if quantity < listing.min_quantity:
        raise InvalidInput(
            f"Book at least {listing.min_quantity} units.", {"quantity": "Below the minimum."}
        )
    if quantity > listing.quantity:
        raise InvalidInput(
            f"The listing offers {listing.quantity} units in all.",
            {"quantity": f"At most {listing.quantity}."},
        )


def check_dates(listing: Listing, start: date, end: date, today: date) -> None:
    if start > end:
        raise InvalidInput("The lease ends before it starts.", {"end": "Before the start."})
    if start < today:
        raise InvalidInput("The lease cannot start in the past.", {"start": "In the past."})
    if start < listing.available_from or end > listing.available_to:
        raise InvalidInput(
            f"The listing is available from {listing.available_from} to {listing.available_to}.",
            {"start": "Outside the availability window."},
        )
    if lease_days(start, end) < listing.min_term_days:
        raise InvalidInput(
            f"The minimum term is {listing.min_term_days} days.", {"end": "Term too short."}
        )


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_starts(start: date, end: date) -> list[date]:
    """The first day of each month of a lease: its start day, then the same day monthly."""
    starts = [start]
    while (following := add_months(start, len(starts))) <= end:
        starts.append(following)
    return starts


def lease_months(start: date, end: date) -> tuple[list[date], list[int]]:
    """The first day of each month of the lease, and how many of its days each month has."""
    starts = month_starts(start, end)
    ends = [*starts[1:], end + timedelta(days=1)]
    return starts, [(b - a).days for a, b in zip(starts, ends, strict=True)]


def check_payment_plan(plan: str, start: date, end: date, monthly_after_months: int) -> None:
    """Monthly instalments only for leases of more than `monthly_after_months` months."""
    if plan not in PAYMENT_PLANS:
        raise InvalidInput(
            f"Unknown payment plan {plan!r}.", {"payment_plan": "Choose upfront or monthly."}
        )
    if plan == "monthly" and start <= end and len(month_starts(start, end)) <= monthly_after_months:
        raise InvalidInput(
            f"Monthly payment is offered for leases longer than {monthly_after_months} months;"
            " pay this one up front.",
            {"payment_plan": f"Only for leases longer than {monthly_after_months} months."},
        )


@dataclass(frozen=True)
class PaymentPart:
    """What one payment instalment pays: a month's rent (exactly the owner's share released
    for that month) and that month's share of the commission and the guarantee fee."""

    sequence: int
    month_start: date
    rent_minor: int
    commission_minor: int
    guarantee_fee_minor: int

    @property
    def amount_minor(self) -> int:
        return self.rent_minor + self.commission_minor + self.guarantee_fee_minor


def payment_parts(
    rent: int, commission: int, fee: int, start: date, end: date, monthly: bool
) -> list[PaymentPart]:
    """The instalments a tenant pays: one for everything up front, or one per month of the
    lease (the months of the release schedule). Each part of the total is shared over the
    months by days, so the rent of month n is exactly release n, and every part adds up."""
    if not monthly:
        return [PaymentPart(1, start, rent, commission, fee)]
    starts, days = lease_months(start, end)
    shares = zip(allocate(rent, days), allocate(commission, days), allocate(fee, days), strict=True)
    parts = [
        PaymentPart(n, month, *share)
        for n, (month, share) in enumerate(zip(starts, shares, strict=True), start=1)
    ]
    return [part for part in parts if part.amount_minor > 0]


def payment_due_dates(parts: list[PaymentPart], first_due: date, due_days_before: int):
    """The first instalment is due by the booking's payment deadline; each later one
    `due_days_before` days before its month starts (never before the first)."""
    later = (part.month_start - timedelta(days=due_days_before) for part in parts[1:])
    return [first_due, *(max(first_due, day) for day in later)][: len(parts)]
