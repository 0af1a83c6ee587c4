"""Use cases that change shipments: the tenant announces goods coming to a lease's warehouse,
the tenant and the warehouse owner report each step, and the warehouse owner checks the
goods in; with the locks they take. The checks they make are in checks.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from ..accounts.models import User
from ..bookings.models import Booking
from ..errors import Conflict, Forbidden, InvalidInput
from ..extensions import db
from ..files.services import store_upload
from ..permissions import require_user
from ..unit_of_work import locked_row, use_case
from ..validation import require_text
from .checks import (
    check_in_allowed,
    check_in_day_allowed,
    checked_arrival,
    checked_counts,
    checked_lines,
    checked_report,
)
from .models import CheckIn, CheckInLine, Shipment, ShipmentEvent
from .queries import get_shipment, lease_parties, tenant_lease
from .rules import (
    ARRIVAL_KINDS,
    CANCELLED,
    CHECKED_IN,
    MAX_CARRIER,
    MAX_CHECK_IN_NOTE,
    MAX_PHOTOS,
    MAX_TRACKING_NUMBER,
    MODES,
    check_event_allowed,
    check_lease_state,
    timeline_key,
)
from .signals import check_in_recorded, goods_checked_in, shipment_announced
from .stock import add_to_stock, lease_space_used


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
    lines = checked_lines(list(data.lines), booking.listing)
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


@use_case
def add_event(actor: User, shipment_id: int, data: EventData, now: datetime) -> ShipmentEvent:
    """The tenant or the warehouse owner reports a step of a shipment. Events may arrive out
    of order; the status is the latest by time. After a check-in only an exception is taken."""
    actor = require_user(actor)
    shipment = get_shipment(actor, shipment_id)
    if actor.organization_id not in lease_parties(shipment.booking):
        raise Forbidden("Only the tenant and the warehouse owner add events to a shipment.")
    checked = checked_report(data, now)
    lock_shipment(shipment)
    event = record_event(shipment, checked, now, added_by_id=actor.id)
    db.session.commit()
    return event


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
    counts = checked_counts(shipment, list(data.counts))
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
