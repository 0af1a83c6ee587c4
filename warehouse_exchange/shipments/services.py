"""Use cases of inbound shipments: the tenant announces goods coming to a lease's warehouse,
the tenant and the warehouse owner report each step, everyone concerned reads the timeline,
and the warehouse owner checks the goods in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, or_, select

from ..accounts.models import User
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..catalog import HAZMAT_CLASSES, MAX_UNIT_SIDE_CM, MAX_UNIT_WEIGHT_KG
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..files.services import store_upload
from ..listings.models import Listing
from ..money import require_currency
from ..pagination import Page, paginate
from ..permissions import require_user
from ..unit_of_work import locked_row, use_case
from ..validation import require_int, require_text
from ..warehouses.models import Warehouse
from .models import CheckIn, CheckInLine, EarlyArrival, Shipment, ShipmentEvent, ShipmentLine
from .rules import (
    ARRIVAL_KINDS,
    CANCELLED,
    CHECKED_IN,
    MAX_ARRIVAL_PAST,
    MAX_CARRIER,
    MAX_CHECK_IN_NOTE,
    MAX_DESCRIPTION,
    MAX_EVENT_PLACE,
    MAX_LINES,
    MAX_NOTE,
    MAX_PHOTOS,
    MAX_SKU,
    MAX_TRACKING_NUMBER,
    MAX_UNITS,
    MAX_VALUE_MINOR,
    MODES,
    SHIPPABLE_BOOKING_STATES,
    check_check_in_day,
    check_event_allowed,
    check_lease_state,
    check_reported_kind,
    local_day,
    normalize_hs_code,
    timeline_key,
)
from .signals import check_in_recorded, goods_checked_in, shipment_announced
from .stock import add_to_stock, lease_space_used

#: clocks differ a little: an event this far in the future is still taken as now
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_EVENT = timedelta(days=3 * 365)


@dataclass(frozen=True)
class LineData:
    sku: str
    description: str
    units: int
    unit_length_cm: int
    unit_width_cm: int
    unit_height_cm: int
    unit_weight_kg: int
    declared_value_minor: int
    currency: str
    hs_code: str
    hazmat_class: int | None = None


@dataclass(frozen=True)
class ShipmentData:
    booking_id: int
    carrier: str
    tracking_number: str
    mode: str
    expected_arrival: date
    lines: list[LineData] = field(default_factory=list)


@dataclass(frozen=True)
class EventData:
    kind: str
    at: datetime
    place: str = ""
    note: str = ""


@dataclass(frozen=True)
class CountData:
    """What the owner counted of one announced SKU."""

    sku: str
    received_good: int
    damaged: int


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckInData:
    counts: list[CountData]
    note: str = ""
    photos: list[Upload] = field(default_factory=list)


def _parties(booking: Booking) -> tuple[int, int]:
    return booking.tenant_id, booking.listing.warehouse.organization_id


def tenant_lease(actor: User, booking_id: int) -> Booking:
    """A lease the actor's organization rents; others' leases do not exist for it."""
    booking = get_booking(require_user(actor), booking_id)
    if actor.organization_id != booking.tenant_id:
        raise Forbidden("Only the tenant of a lease announces shipments to it.")
    return booking


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


def _checked_lines(lines: list[LineData], listing: Listing) -> list[ShipmentLine]:
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


@use_case
def announce_shipment(actor: User, data: ShipmentData, now: datetime) -> Shipment:
    """The tenant of a confirmed or active lease announces goods on their way to it; the
    warehouse owner is told."""
    booking = tenant_lease(actor, data.booking_id)
    check_lease_state(booking.state)
    carrier = require_text(data.carrier, "carrier", MAX_CARRIER)
    tracking_number = require_text(data.tracking_number, "tracking_number", MAX_TRACKING_NUMBER)
    if data.mode not in MODES:
        raise InvalidInput(f"Unknown mode {data.mode!r}.", {"mode": f"One of {', '.join(MODES)}."})
    checked_arrival(data.expected_arrival, booking, now.date())
    lines = _checked_lines(list(data.lines), booking.listing)
    shipment = Shipment(
        booking_id=booking.id,
        carrier=carrier,
        tracking_number=tracking_number,
        mode=data.mode,
        expected_arrival=data.expected_arrival,
        status="announced",
        announced_by_id=actor.id,
        lines=lines,
    )
    db.session.add(shipment)
    db.session.flush()
    shipment_announced.send(shipment, now=now)
    db.session.commit()
    return shipment


def get_shipment(actor: User, shipment_id: int) -> Shipment:
    """A shipment, for the parties of its lease and for operators only."""
    actor = require_user(actor)
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None or (
        not actor.is_operator and actor.organization_id not in _parties(shipment.booking)
    ):
        raise NotFound("No such shipment.")
    return shipment


def _checked_event(data: EventData, now: datetime) -> EventData:
    at = data.at
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("Give the time of the event with its time zone.", {"at": "Required."})
    if at > now + CLOCK_SKEW:
        raise InvalidInput("An event cannot be in the future.", {"at": "In the future."})
    if at < now - EARLIEST_EVENT:
        raise InvalidInput("That is more than three years ago.", {"at": "Too far in the past."})
    return EventData(
        data.kind,
        at,
        require_text(data.place, "place", MAX_EVENT_PLACE, required=False),
        require_text(data.note, "note", MAX_NOTE, required=False),
    )


def lock_shipment(shipment: Shipment) -> None:
    """One event at a time per shipment: the status and the check-in rule see every other one."""
    locked_row(select(Shipment).where(Shipment.id == shipment.id))
    db.session.refresh(shipment)


def record_event(shipment: Shipment, data: EventData, now: datetime, **reporter) -> ShipmentEvent:
    """Add a checked event to a locked shipment and keep its status; flushed, not committed.
    `reporter` is added_by_id or carrier_token_id."""
    if shipment.status == CANCELLED:
        raise Conflict(f"Shipment #{shipment.id} is cancelled: nothing more is recorded on it.")
    check_event_allowed((e.kind for e in shipment.events), data.kind)
    event = ShipmentEvent(kind=data.kind, at=data.at, place=data.place, note=data.note,
                          created_at=now, **reporter)  # fmt: skip
    shipment.events.append(event)
    db.session.flush()
    latest = max(shipment.events, key=timeline_key)
    shipment.status, shipment.status_at = latest.kind, latest.at
    arrivals = [e.at for e in shipment.events if e.kind in ARRIVAL_KINDS]
    shipment.arrived_at = min(arrivals) if arrivals else None
    return event


def checked_report(data: EventData, now: datetime) -> EventData:
    """An event a party or a carrier reports by hand: any kind but the check-in."""
    check_reported_kind(data.kind)
    return _checked_event(data, now)


@use_case
def add_event(actor: User, shipment_id: int, data: EventData, now: datetime) -> ShipmentEvent:
    """The tenant or the warehouse owner reports a step of a shipment. Events may arrive out
    of order; the status is the latest by time. After a check-in only an exception is taken."""
    actor = require_user(actor)
    shipment = get_shipment(actor, shipment_id)
    if actor.organization_id not in _parties(shipment.booking):
        raise Forbidden("Only the tenant and the warehouse owner add events to a shipment.")
    checked = checked_report(data, now)
    lock_shipment(shipment)
    event = record_event(shipment, checked, now, added_by_id=actor.id)
    db.session.commit()
    return event


def _checked_counts(shipment: Shipment, counts: list[CountData]) -> list[tuple]:
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
    if actor.organization_id != _parties(shipment.booking)[1]:
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


def _owner_shipment(actor: User, shipment_id: int) -> Shipment:
    shipment = get_shipment(actor, shipment_id)
    check_in_allowed(actor, shipment)
    return shipment


def _first_check_in(booking_id: int, check_in: CheckIn) -> bool:
    earlier = select(CheckIn.id).where(CheckIn.booking_id == booking_id, CheckIn.id != check_in.id)
    return db.session.scalar(earlier.limit(1)) is None


@use_case
def check_in(actor: User, shipment_id: int, data: CheckInData, now: datetime) -> CheckIn:
    """The warehouse owner counts a shipment's goods on arrival, once: they join the lease's
    stock, the timeline gets its checked_in event, and the first check-in of a lease tells
    escrow that the goods are in."""
    actor = require_user(actor)
    shipment = _owner_shipment(actor, shipment_id)
    booking = shipment.booking
    # the lease's lock: its stock rows and which check-in comes first see every other one
    locked_row(select(Booking).where(Booking.id == booking.id))
    lock_shipment(shipment)
    if shipment.check_in is not None:
        raise Conflict(f"Shipment #{shipment.id} is already checked in.")
    check_in_day_allowed(shipment, now)
    counts = _checked_counts(shipment, list(data.counts))
    note = require_text(data.note, "note", MAX_CHECK_IN_NOTE, required=False)
    if len(data.photos) > MAX_PHOTOS:
        raise InvalidInput(f"At most {MAX_PHOTOS} photos.", {"photos": "Too many files."})
    was_over = lease_space_used(booking) > booking.quantity
    record = CheckIn(shipment=shipment, booking_id=booking.id, checked_in_at=now, note=note,
                     checked_in_by_id=actor.id)  # fmt: skip
    db.session.add(record)
    for line, good, damaged in counts:
        record.lines.append(CheckInLine(shipment_line=line, received_good=good, damaged=damaged))
        add_to_stock(booking, line, good, damaged)
    record.files = [store_upload(actor, p.filename, p.data, "photos") for p in data.photos]
    record_event(shipment, EventData(CHECKED_IN, now, note=note[:500]), now, added_by_id=actor.id)
    over = not was_over and lease_space_used(booking) > booking.quantity
    check_in_recorded.send(record, now=now, over_capacity=over)
    if _first_check_in(booking.id, record):
        goods_checked_in.send(booking, at=now)
    db.session.commit()
    return record


@use_case
def add_check_in_photos(actor: User, shipment_id: int, photos: list[Upload]) -> CheckIn:
    """The owner adds photos or documents to a shipment's check-in after recording it."""
    actor = require_user(actor)
    shipment = _owner_shipment(actor, shipment_id)
    lock_shipment(shipment)
    record = shipment.check_in
    if record is None:
        raise Conflict(f"Shipment #{shipment.id} is not checked in yet.")
    if not photos:
        raise InvalidInput("Send at least one photo.", {"photos": "No file."})
    if len(record.files) + len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"At most {MAX_PHOTOS} photos.", {"photos": "Too many files."})
    record.files.extend(store_upload(actor, p.filename, p.data, "photos") for p in photos)
    db.session.commit()
    return record


def check_in_file(actor: User, shipment_id: int, file_id: int):
    """A photo of a check-in, for the parties of the lease and operators only."""
    shipment = get_shipment(actor, shipment_id)
    files = shipment.check_in.files if shipment.check_in else []
    found = next((f for f in files if f.id == file_id), None)
    if found is None:
        raise NotFound("No such file.")
    return found


def booking_shipments(actor: User, booking_id: int, page: int, per_page: int):
    """A lease and a page of its shipments, the newest first (its parties and operators)."""
    booking = get_booking(actor, booking_id)
    query = select(Shipment).where(Shipment.booking_id == booking.id).order_by(Shipment.id.desc())
    return booking, paginate(query, page, per_page)


def _late(today: date):
    return and_(
        Shipment.arrived_at.is_(None),
        Shipment.expected_arrival < today,
        Shipment.status != CANCELLED,
    )


def _tenant_query(actor: User, today: date):
    actor = require_user(actor)
    late = case((_late(today), 0), else_=1)
    query = (
        select(Shipment)
        .join(Booking, Booking.id == Shipment.booking_id)
        .join(Listing, Listing.id == Booking.listing_id)
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
    )
    if not actor.is_operator:
        mine = actor.organization_id
        query = query.where(or_(Booking.tenant_id == mine, Warehouse.organization_id == mine))
    return query.order_by(late, Shipment.expected_arrival, Shipment.id)


def tenant_shipments(actor: User, today: date, page: int, per_page: int) -> Page[Shipment]:
    """Every shipment to every lease of the actor's organization, and to its warehouses (all
    of them for operators): late ones first, then by expected arrival."""
    return paginate(_tenant_query(actor, today), page, per_page)


def tenant_shipments_export(actor: User, today: date) -> list[Shipment]:
    """The same, all at once, for the CSV download."""
    return list(db.session.scalars(_tenant_query(actor, today)))


def warehouse_of(shipment: Shipment) -> Warehouse:
    return shipment.booking.listing.warehouse
