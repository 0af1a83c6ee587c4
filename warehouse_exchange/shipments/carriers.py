"""Carrier tokens: the tenant lets its carrier read one shipment and report its transit steps,
for a limited time, without an account on the platform."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select

from ..accounts.models import User
from ..errors import Forbidden, NotFound, Unauthorized
from ..extensions import db
from ..permissions import require_user
from ..unit_of_work import use_case
from ..validation import require_text
from .checks import checked_report
from .commands import EventData, lock_shipment, record_event
from .models import CarrierToken, Shipment, ShipmentEvent
from .queries import get_shipment
from .rules import MAX_TOKEN_NAME, carrier_token_expiry

#: carrier tokens look unlike members' API tokens (wx_), so that a mix-up is plain to see
PREFIX = "wxc_"
CARRIER_HELP = "Send the carrier token the shipper gave you as a bearer token."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _tenant_shipment(actor: User, shipment_id: int) -> Shipment:
    actor = require_user(actor)
    shipment = get_shipment(actor, shipment_id)
    if actor.organization_id != shipment.booking.tenant_id:
        raise Forbidden("Only the tenant gives its carrier a token.")
    return shipment


@use_case
def issue_carrier_token(
    actor: User, shipment_id: int, name: str, days: int, now: datetime
) -> tuple[CarrierToken, str]:
    """A token for one shipment, shown once; only its hash is kept."""
    shipment = _tenant_shipment(actor, shipment_id)
    token = PREFIX + secrets.token_urlsafe(32)
    record = CarrierToken(
        shipment_id=shipment.id,
        name=require_text(name, "name", MAX_TOKEN_NAME),
        token_hash=_hash(token),
        created_by_id=actor.id,
        created_at=now,
        expires_at=carrier_token_expiry(now, days),
    )
    db.session.add(record)
    db.session.commit()
    return record, token


def carrier_tokens(actor: User, shipment_id: int) -> list[CarrierToken]:
    """The tokens the tenant gave out for a shipment, newest first."""
    shipment = _tenant_shipment(actor, shipment_id)
    query = (
        select(CarrierToken)
        .where(CarrierToken.shipment_id == shipment.id)
        .order_by(CarrierToken.created_at.desc(), CarrierToken.id.desc())
    )
    return list(db.session.scalars(query))


@use_case
def revoke_carrier_token(
    actor: User, shipment_id: int, token_id: int, now: datetime
) -> CarrierToken:
    shipment = _tenant_shipment(actor, shipment_id)
    record = db.session.get(CarrierToken, token_id)
    if record is None or record.shipment_id != shipment.id:
        raise NotFound("No such carrier token.")
    if record.revoked_at is None:
        record.revoked_at = now
        db.session.commit()
    return record


def _carrier(token: str | None, shipment_id: int, now: datetime) -> CarrierToken:
    """The token's record: 401 when unknown, expired or revoked; 404 for another shipment."""
    record = None
    if token and token.startswith(PREFIX):
        record = db.session.scalar(
            select(CarrierToken).where(CarrierToken.token_hash == _hash(token))
        )
    if record is None or not record.is_valid(now):
        raise Unauthorized(f"The carrier token is unknown, expired or revoked. {CARRIER_HELP}")
    if record.shipment_id != shipment_id:
        raise NotFound("No such shipment.")
    return record


def carrier_shipment(token: str | None, shipment_id: int, now: datetime) -> Shipment:
    """The one shipment a carrier token reads."""
    return _carrier(token, shipment_id, now).shipment


@use_case
def add_carrier_event(
    token: str | None, shipment_id: int, data: EventData, now: datetime
) -> ShipmentEvent:
    """A carrier reports a transit step of its shipment (never the check-in, which is the
    warehouse owner's)."""
    record = _carrier(token, shipment_id, now)
    checked = checked_report(data, now)
    lock_shipment(record.shipment)
    event = record_event(record.shipment, checked, now, carrier_token_id=record.id)
    record.last_used_at = now
    db.session.commit()
    return event
