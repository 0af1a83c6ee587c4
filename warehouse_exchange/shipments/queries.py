"""Reads of shipments: a lease its tenant announces to, one shipment and its check-in photos
for the lease's parties and operators, a lease's shipments, and every shipment an
organization sends or receives, late ones first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, or_, select

from ..accounts.models import User
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..listings.models import Listing
from ..pagination import Page, paginate
from ..permissions import require_user
from ..warehouses.models import Warehouse
from .models import Shipment
from .rules import (
    CANCELLED,
)


def lease_parties(booking: Booking) -> tuple[int, int]:
    """The tenant's and the warehouse owner's organization."""
    return booking.tenant_id, booking.listing.warehouse.organization_id


def tenant_lease(actor: User, booking_id: int) -> Booking:
    """A lease the actor's organization rents; others' leases do not exist for it."""
    booking = get_booking(require_user(actor), booking_id)
    if actor.organization_id != booking.tenant_id:
        raise Forbidden("Only the tenant of a lease announces shipments to it.")
    return booking


def get_shipment(actor: User, shipment_id: int) -> Shipment:
    """A shipment, for the parties of its lease and for operators only."""
    actor = require_user(actor)
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None or (
        not actor.is_operator and actor.organization_id not in lease_parties(shipment.booking)
    ):
        raise NotFound("No such shipment.")
    return shipment


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
