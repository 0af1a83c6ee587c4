"""Pure rules of inbound shipments: modes, timeline event kinds, which event may follow which,
what a shipment's status is, when it is late, what a check-in found, and how much of a
lease's space goods take."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from ..errors import Conflict, InvalidInput

#: goods lines one shipment announces
MAX_LINES = 50
#: units of goods on one line, in one check-in count or one outbound release
MAX_UNITS = 1_000_000
#: the declared value of one line, in minor units
MAX_VALUE_MINOR = 10**12
#: an expected arrival may lie this far back (a late shipment announced after the fact)
MAX_ARRIVAL_PAST = timedelta(days=365)
#: photos and documents one check-in may carry
MAX_PHOTOS = 10
#: the longest texts of shipments, each as long as its column
MAX_SKU = 64
MAX_DESCRIPTION = 200
MAX_CARRIER = 80
MAX_TRACKING_NUMBER = 80
MAX_EVENT_PLACE = 120
MAX_NOTE = 500
MAX_CHECK_IN_NOTE = 1000
MAX_OUTBOUND_REFERENCE = 120
MAX_CANCEL_REASON = 500
MAX_TOKEN_NAME = 80

#: how the goods travel
MODES = {
    "sea": "Sea freight",
    "air": "Air freight",
    "rail": "Rail freight",
    "road": "Road freight",
    "courier": "Courier",
}

#: what can happen to a shipment on its way to the warehouse, in the usual order
EVENT_KINDS = {
    "booked": "Booked with the carrier",
    "departed": "Departed",
    "in_transit": "In transit",
    "at_customs": "At customs",
    "customs_cleared": "Customs cleared",
    "out_for_delivery": "Out for delivery",
    "arrived": "Arrived at the warehouse",
    "checked_in": "Checked in",
    "exception": "Exception",
}

#: the status of a shipment without events
ANNOUNCED = "announced"
#: the status of a shipment its tenant called off before it arrived; nothing follows it
CANCELLED = "cancelled"
STATUSES = (ANNOUNCED, *EVENT_KINDS, CANCELLED)

#: events that mean the goods reached the warehouse: a shipment with one is never late
ARRIVAL_KINDS = ("arrived", "checked_in")

#: once goods are checked in, only these events may still be added
AFTER_CHECK_IN = ("exception",)

#: the event only the owner's check-in adds
CHECKED_IN = "checked_in"

#: what the parties and carriers report by hand: everything but the check-in
REPORTED_KINDS = {kind: label for kind, label in EVENT_KINDS.items() if kind != CHECKED_IN}

#: how long a carrier token may live, in days, and how long it lives unless told
CARRIER_TOKEN_DAYS = (1, 90)
CARRIER_TOKEN_DEFAULT_DAYS = 30

#: the states of a lease that goods may be shipped to
SHIPPABLE_BOOKING_STATES = ("confirmed", "active")

HS_CODE_DIGITS = (6, 10)


def check_lease_state(state: str) -> None:
    if state not in SHIPPABLE_BOOKING_STATES:
        raise Conflict(
            f"Shipments can be announced only on a confirmed or active lease; this one is {state}."
        )


class CheckInBeforeLease(Conflict):
    """Goods come in before the lease's first day (or the early-arrival day the owner allowed)."""


class CheckInAfterLease(Conflict):
    """Goods come in after the lease's last day."""


#: how long before a lease's first day an owner may let its goods in
MAX_EARLY_ARRIVAL = timedelta(days=180)


def first_check_in_day(start: date, early_from: date | None) -> date:
    """The lease's first day, or the earlier day from which the owner lets its goods in."""
    return min(start, early_from) if early_from is not None else start


def local_day(now: datetime, timezone: str) -> date:
    """The calendar day `now` falls on in a warehouse's time zone."""
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(timezone)).date()


def check_check_in_day(day: date, start: date, end: date, early_from: date | None) -> None:
    """Goods are checked in from the lease's first day (or the owner's early-arrival day) to
    its last day, both counted in the warehouse's time zone."""
    first = first_check_in_day(start, early_from)
    if day < first:
        allowed = (
            f"the owner allows goods in from {first}"
            if first < start
            else "goods can be checked in from then, or earlier if the owner allows an early"
            " arrival on the lease"
        )
        raise CheckInBeforeLease(f"The lease starts on {start}: {allowed}.")
    if day > end:
        raise CheckInAfterLease(f"The lease ended on {end}: goods are no longer checked in to it.")


#: the groups of an owner's arrivals list, in its order
ARRIVAL_GROUPS = {
    "arrived": "Arrived, waiting for check-in",
    "late": "Late",
    "this_week": "Expected this week",
    "later": "Expected later",
    "checked_in": "Checked in lately",
}
#: "this week" is today and the six days after it
WEEK = timedelta(days=7)
#: how long a checked-in shipment stays on the arrivals list
RECENT_CHECK_INS = timedelta(days=14)


def arrival_group(
    expected_arrival: date, arrived_at: datetime | None, checked_in: bool, today: date
) -> str:
    """Where a shipment stands on its owner's arrivals list."""
    if checked_in:
        return "checked_in"
    if arrived_at is not None:
        return "arrived"
    if expected_arrival < today:
        return "late"
    return "this_week" if expected_arrival < today + WEEK else "later"


def check_can_amend(status: str, arrived_at: datetime | None) -> None:
    """A shipment is changed or cancelled only while it is on its way."""
    if status == CANCELLED:
        raise Conflict("This shipment is cancelled.")
    if arrived_at is not None:
        raise Conflict(
            "These goods reached the warehouse: the shipment can no longer be changed or"
            " cancelled (report an exception instead)."
        )


def check_event_allowed(existing_kinds: Iterable[str], kind: str) -> None:
    """After a check-in only an exception may be recorded."""
    if kind not in EVENT_KINDS:
        raise InvalidInput(f"Unknown event {kind!r}.", {"kind": "Not a known event."})
    if "checked_in" in set(existing_kinds) and kind not in AFTER_CHECK_IN:
        raise Conflict("These goods are already checked in: only an exception can be added now.")


def timeline_key(event) -> tuple[datetime, int]:
    """Events are shown in the order they happened; those at the same time as they were added."""
    return (event.at, event.id or 0)


def current_status(events: Iterable) -> str:
    """The kind of the latest event by time, or 'announced' without any."""
    latest = max(events, key=timeline_key, default=None)
    return latest.kind if latest is not None else ANNOUNCED


def is_late(expected_arrival: date, arrived_at: datetime | None, today: date) -> bool:
    """Expected before today, and not yet arrived or checked in."""
    return arrived_at is None and expected_arrival < today


def normalize_hs_code(value: str | None, field: str = "hs_code") -> str:
    """An HS code is 6 to 10 digits; dots and spaces people write between them are dropped."""
    code = (value or "").strip().replace(".", "").replace(" ", "")
    low, high = HS_CODE_DIGITS
    if not (code.isascii() and code.isdigit() and low <= len(code) <= high):
        raise InvalidInput(
            f"HS code {value!r} is not {low} to {high} digits.",
            {field: f"Must be {low} to {high} digits."},
        )
    return code


def check_reported_kind(kind: str) -> None:
    if kind == CHECKED_IN:
        raise InvalidInput(
            "Goods are checked in by the warehouse owner's check-in, not as an event.",
            {"kind": "Use the check-in form."},
        )
    if kind not in EVENT_KINDS:
        raise InvalidInput(f"Unknown event {kind!r}.", {"kind": "Not a known event."})


def line_discrepancy(announced: int, good: int, damaged: int) -> tuple[int, int]:
    """(missing, over-delivered) units of one SKU: what did not come, and what came beyond
    the announced count. At most one of them is positive."""
    received = good + damaged
    return max(announced - received, 0), max(received - announced, 0)


def carrier_token_expiry(now: datetime, days: int) -> datetime:
    low, high = CARRIER_TOKEN_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise InvalidInput(
            f"A carrier token lives {low} to {high} days.", {"days": f"From {low} to {high}."}
        )
    return now + timedelta(days=days)


# --- occupancy -------------------------------------------------------------------------------
#
# Assumptions, so that owners and tenants can check the arithmetic by hand:
# - A pallet position holds one 120 x 80 cm (EUR) pallet. Units sit on it in whole layers,
#   all turned the same way (the better of the two ways), stacked up to the warehouse's
#   maximum pallet height less the pallet's own 15 cm, and never heavier in all than the
#   warehouse's maximum pallet weight. SKUs are not mixed on a pallet.
# - A unit too large or heavy for one pallet takes as many positions as its footprint or its
#   weight needs, each unit on its own.
# - Cubic metres are the units' own volume, length x width x height.
# - Floor space (sqm) is the footprint of stacks of units, each stack as high as the
#   warehouse's maximum pallet height and no heavier than its floor load allows on that
#   footprint; a unit too tall or heavy to stack stands alone.
# - cbm and sqm are rounded up to the hundredth.

PALLET_FOOTPRINT_CM = (120, 80)
PALLET_DECK_CM = 15
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class UnitSize:
    length_cm: int
    width_cm: int
    height_cm: int
    weight_kg: int


@dataclass(frozen=True)
class StorageLimits:
    """What a warehouse allows: from its max pallet height and weight and its floor load."""

    max_height_cm: int = 180
    max_pallet_weight_kg: int = 1000
    floor_load_kg_m2: int = 3000


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def units_per_pallet(size: UnitSize, limits: StorageLimits) -> int:
    """How many units one pallet position holds; 0 when one unit does not fit on a pallet."""
    long, short = PALLET_FOOTPRINT_CM
    per_layer = max(
        (long // size.length_cm) * (short // size.width_cm),
        (long // size.width_cm) * (short // size.length_cm),
    )
    layers = max(limits.max_height_cm - PALLET_DECK_CM, 0) // size.height_cm
    return min(per_layer * layers, limits.max_pallet_weight_kg // size.weight_kg)


def pallets_needed(size: UnitSize, units: int, limits: StorageLimits) -> int:
    per_pallet = units_per_pallet(size, limits)
    if per_pallet:
        return _ceil_div(units, per_pallet)
    long, short = PALLET_FOOTPRINT_CM
    footprint = _ceil_div(size.length_cm * size.width_cm, long * short)
    weight = _ceil_div(size.weight_kg, limits.max_pallet_weight_kg)
    return units * max(footprint, weight, 1)


def cubic_metres(size: UnitSize, units: int) -> Decimal:
    cubic_cm = units * size.length_cm * size.width_cm * size.height_cm
    return Decimal(_ceil_div(cubic_cm, 10_000)) * HUNDREDTH


def floor_square_metres(size: UnitSize, units: int, limits: StorageLimits) -> Decimal:
    footprint_cm2 = size.length_cm * size.width_cm
    by_height = limits.max_height_cm // size.height_cm
    by_load = limits.floor_load_kg_m2 * footprint_cm2 // (10_000 * size.weight_kg)
    stacks = _ceil_div(units, max(min(by_height, by_load), 1))
    return Decimal(_ceil_div(stacks * footprint_cm2, 100)) * HUNDREDTH


def space_used(unit: str, size: UnitSize, units: int, limits: StorageLimits) -> Decimal:
    """The space `units` units of one SKU take, in a listing's unit (pallet, cbm or sqm)."""
    if units <= 0:
        return Decimal(0)
    if unit == "pallet":
        return Decimal(pallets_needed(size, units, limits))
    if unit == "cbm":
        return cubic_metres(size, units)
    if unit == "sqm":
        return floor_square_metres(size, units, limits)
    raise ValueError(f"unknown unit {unit!r}")
