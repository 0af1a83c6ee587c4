"""Pure rules of inbound shipments: modes, timeline event kinds, which event may follow which,
what a shipment's status is, and when it is late."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from ..errors import Conflict, InvalidInput

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
STATUSES = (ANNOUNCED, *EVENT_KINDS)

#: events that mean the goods reached the warehouse: a shipment with one is never late
ARRIVAL_KINDS = ("arrived", "checked_in")

#: once goods are checked in, only these events may still be added
AFTER_CHECK_IN = ("exception",)

#: the states of a lease that goods may be shipped to
SHIPPABLE_BOOKING_STATES = ("confirmed", "active")

HS_CODE_DIGITS = (6, 10)


def check_lease_state(state: str) -> None:
    if state not in SHIPPABLE_BOOKING_STATES:
        raise Conflict(
            f"Shipments can be announced only on a confirmed or active lease; this one is {state}."
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
