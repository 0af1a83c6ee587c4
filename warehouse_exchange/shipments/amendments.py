"""The tenant changes a shipment on its way (its expected arrival, carrier or tracking number)
or calls it off; the warehouse owner is told of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..accounts.models import User
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..permissions import require_user
from ..unit_of_work import use_case
from ..validation import require_text
from .checks import checked_arrival
from .commands import lock_shipment
from .models import Shipment
from .queries import get_shipment
from .rules import (
    CANCELLED,
    MAX_CANCEL_REASON,
    MAX_CARRIER,
    MAX_TRACKING_NUMBER,
    check_can_amend,
)
from .signals import shipment_cancelled, shipment_changed


@dataclass(frozen=True)
class ShipmentChange:
    """What the tenant changes; None leaves a field as it is."""

    expected_arrival: date | None = None
    carrier: str | None = None
    tracking_number: str | None = None


def _tenant_shipment(actor: User, shipment_id: int) -> Shipment:
    actor = require_user(actor)
    shipment = get_shipment(actor, shipment_id)
    if actor.organization_id != shipment.booking.tenant_id:
        raise Forbidden("Only the tenant who announced a shipment changes or cancels it.")
    lock_shipment(shipment)
    check_can_amend(shipment.status, shipment.arrived_at)
    return shipment


def _new_values(shipment: Shipment, change: ShipmentChange, today: date) -> dict:
    values = {}
    if change.expected_arrival is not None:
        values["expected_arrival"] = checked_arrival(
            change.expected_arrival, shipment.booking, today
        )
    if change.carrier is not None:
        values["carrier"] = require_text(change.carrier, "carrier", MAX_CARRIER)
    if change.tracking_number is not None:
        values["tracking_number"] = require_text(
            change.tracking_number, "tracking_number", MAX_TRACKING_NUMBER
        )
    return values


@use_case
def change_shipment(
    actor: User, shipment_id: int, change: ShipmentChange, now: datetime
) -> Shipment:
    """The tenant corrects a shipment that has not arrived yet. A change that changes nothing
    is refused, so that the owner is told only of real ones."""
    shipment = _tenant_shipment(actor, shipment_id)
    values = _new_values(shipment, change, now.date())
    changes = [
        (name.replace("_", " "), str(getattr(shipment, name)), str(value))
        for name, value in values.items()
        if getattr(shipment, name) != value
    ]
    if not changes:
        raise InvalidInput("Nothing to change: the shipment already says so.")
    for name, value in values.items():
        setattr(shipment, name, value)
    shipment_changed.send(shipment, changes=changes, now=now)
    db.session.commit()
    return shipment


@use_case
def cancel_shipment(actor: User, shipment_id: int, reason: str, now: datetime) -> Shipment:
    """The tenant calls off a shipment that has not arrived; nothing more is recorded on it."""
    shipment = _tenant_shipment(actor, shipment_id)
    shipment.cancel_reason = (
        require_text(reason, "reason", MAX_CANCEL_REASON, required=False) or None
    )
    shipment.status, shipment.status_at = CANCELLED, now
    shipment_cancelled.send(shipment, now=now)
    db.session.commit()
    return shipment
