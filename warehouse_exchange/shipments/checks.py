"""The checks the shipment use cases make of what they are given: the goods lines and the
expected arrival of an announcement, a reported event, and the owner's counts and right to
check goods in on that day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from ..accounts.models import User
from ..bookings.models import Booking
from ..catalog import HAZMAT_CLASSES, MAX_UNIT_SIDE_CM, MAX_UNIT_WEIGHT_KG
from ..errors import Conflict, Forbidden, InvalidInput
from ..extensions import db
from ..listings.models import Listing
from ..money import require_currency
from ..validation import require_int, require_text
from .models import EarlyArrival, Shipment, ShipmentLine
from .queries import lease_parties
from .rules import (
    CANCELLED,
    MAX_ARRIVAL_PAST,
    MAX_DESCRIPTION,
    MAX_EVENT_PLACE,
    MAX_LINES,
    MAX_NOTE,
    MAX_SKU,
    MAX_UNITS,
    MAX_VALUE_MINOR,
    SHIPPABLE_BOOKING_STATES,
    check_check_in_day,
    check_reported_kind,
    local_day,
    normalize_hs_code,
)

if TYPE_CHECKING:  # the commands' input, named here only in annotations
    from .commands import CountData, EventData, LineData

#: clocks differ a little: an event this far in the future is still taken as now
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_EVENT = timedelta(days=3 * 365)


def _in_field(error: InvalidInput, prefix: str) -> InvalidInput:
    return InvalidInput(error.message, {f"{prefix}.{k}": v for k, v in error.fields.items()})


def _checked_line(line: LineData, listing: Listing) -> ShipmentLine:
    sku = require_text(line.sku, "sku", MAX_SKU)
    description = require_text(line.description, "description", MAX_DESCRIPTION)
    units = require_int(line.units, "units", minimum=1, maximum=MAX_UNITS)
    sizes = {
        name: require_int(getattr(line, name), name, minimum=1, maximum=MAX_UNIT_SIDE_CM)
        for name in ("unit_length_cm", "unit_width_cm", "unit_height_cm")
    }
    weight = require_int(
        line.unit_weight_kg, "unit_weight_kg", minimum=1, maximum=MAX_UNIT_WEIGHT_KG
    )
    value = require_int(
        line.declared_value_minor, "declared_value", minimum=0, maximum=MAX_VALUE_MINOR
    )
    currency = require_currency(line.currency)
    hs_code = normalize_hs_code(line.hs_code)
    if line.hazmat_class is not None:
        if line.hazmat_class not in HAZMAT_CLASSES:
            raise InvalidInput(
                f"Unknown hazard class {line.hazmat_class!r}.", {"hazmat_class": "Unknown class."}
            )
        if line.hazmat_class not in listing.hazmat_classes:
            raise InvalidInput(
                f"Hazard class {line.hazmat_class} goods are not accepted in this space.",
                {"hazmat_class": f"Class {line.hazmat_class} is not accepted here."},
            )
    return ShipmentLine(
        sku=sku,
        description=description,
        units=units,
        **sizes,
        unit_weight_kg=weight,
        declared_value_minor=value,
        currency=currency,
        hs_code=hs_code,
        hazmat_class=line.hazmat_class,
    )


def checked_lines(lines: list[LineData], listing: Listing) -> list[ShipmentLine]:
    if not lines:
        raise InvalidInput("Add at least one goods line.", {"lines": "At least one line."})
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"At most {MAX_LINES} goods lines.", {"lines": "Too many lines."})
    checked, seen = [], set()
    for index, line in enumerate(lines):
        try:
            row = _checked_line(line, listing)
        except InvalidInput as error:
            raise _in_field(error, f"lines.{index}") from error
        if row.sku in seen:
            raise InvalidInput(
                f"SKU {row.sku} is on two lines; put all its units on one.",
                {f"lines.{index}.sku": "Already on another line."},
            )
        seen.add(row.sku)
        checked.append(row)
    return checked


def checked_arrival(expected_arrival: date, booking: Booking, today: date) -> date:
    """An expected arrival within the lease and not long past."""
    if not isinstance(expected_arrival, date):
        raise InvalidInput("Give the expected arrival date.", {"expected_arrival": "Required."})
    if expected_arrival > booking.end_date:
        raise InvalidInput(
            f"The lease ends on {booking.end_date}: goods must arrive by then.",
            {"expected_arrival": f"After the lease's last day, {booking.end_date}."},
        )
    if expected_arrival < today - MAX_ARRIVAL_PAST:
        raise InvalidInput(
            "The expected arrival is more than a year ago.",
            {"expected_arrival": "Too far in the past."},
        )
    return expected_arrival


def _checked_event(data: EventData, now: datetime) -> EventData:
    at = data.at
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("Give the time of the event with its time zone.", {"at": "Required."})
    if at > now + CLOCK_SKEW:
        raise InvalidInput("An event cannot be in the future.", {"at": "In the future."})
    if at < now - EARLIEST_EVENT:
        raise InvalidInput("That is more than three years ago.", {"at": "Too far in the past."})
    return replace(
        data,
        place=require_text(data.place, "place", MAX_EVENT_PLACE, required=False),
        note=require_text(data.note, "note", MAX_NOTE, required=False),
    )


def checked_report(data: EventData, now: datetime) -> EventData:
    """An event a party or a carrier reports by hand: any kind but the check-in."""
    check_reported_kind(data.kind)
    return _checked_event(data, now)


def checked_counts(shipment: Shipment, counts: list[CountData]) -> list[tuple]:
    """(announced line, good, damaged) for every line of the shipment, in its order."""
    lines = {line.sku: line for line in shipment.lines}
    found: dict[str, tuple] = {}
    for index, count in enumerate(counts):
        line = lines.get((count.sku or "").strip())
        if line is None:
            raise InvalidInput(
                f"SKU {count.sku!r} is not on this shipment.",
                {f"lines.{index}.sku": "Not announced on this shipment."},
            )
        if line.sku in found:
            raise InvalidInput(f"SKU {line.sku} is counted twice.",
                               {f"lines.{index}.sku": "Already counted."})  # fmt: skip
        good, damaged = (
            require_int(
                getattr(count, name), f"lines.{index}.{name}", minimum=0, maximum=MAX_UNITS
            )  # fmt: skip
            for name in ("received_good", "damaged")
        )
        found[line.sku] = (line, good, damaged)
    uncounted = [sku for sku in lines if sku not in found]
    if uncounted:
        raise InvalidInput(f"Count every SKU announced; {', '.join(uncounted)} has no count.",
                           {"lines": "Give a count for every SKU (0 when none came)."})  # fmt: skip
    return [found[line.sku] for line in shipment.lines]


def check_in_allowed(actor: User, shipment: Shipment) -> None:
    """Forbidden unless the actor's organization owns the warehouse; Conflict unless the lease
    is confirmed or active."""
    if actor.organization_id != lease_parties(shipment.booking)[1]:
        raise Forbidden("Only the warehouse owner checks goods in.")
    if shipment.status == CANCELLED:
        raise Conflict(f"Shipment #{shipment.id} was cancelled by the tenant.")
    if shipment.booking.state not in SHIPPABLE_BOOKING_STATES:
        raise Conflict(f"Goods are checked in only on a confirmed or active lease; this one is"
                       f" {shipment.booking.state}.")  # fmt: skip


def check_in_day_allowed(shipment: Shipment, now: datetime) -> None:
    """Conflict unless `now` is a day of the lease in its warehouse's time zone, or a day
    from which the owner allowed the goods in early."""
    booking = shipment.booking
    consent = db.session.get(EarlyArrival, booking.id)
    day = local_day(now, booking.listing.warehouse.timezone)
    early_from = consent.from_date if consent is not None else None
    check_check_in_day(day, booking.start_date, booking.end_date, early_from)
