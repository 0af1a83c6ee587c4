"""The owner's home: booking requests and transfers to approve, arrivals, occupancy,
earnings and the next releases of escrow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..bookings.models import Booking
from ..escrow.models import ReleaseInstalment
from ..escrow.queries import Earnings, owner_earnings
from ..extensions import db
from ..listings.models import Listing
from ..permissions import require_user
from ..shipments.models import CheckIn, Shipment
from ..transfers.models import Transfer
from ..warehouses.models import Warehouse
from .blocks import PAID_STATES, TOP, Queue, arriving_late, queue_of


@dataclass(frozen=True)
class UnitOccupancy:
    """The owner's active listings of one unit: how many units they offer, how many are
    leased today."""

    unit: str
    listings: int
    offered: int
    leased: int


@dataclass(frozen=True)
class OwnerHome:
    requests: Queue[Booking]
    #: transfers of leases at the owner's listings whose taker waits for the owner's consent
    transfers_to_approve: Queue[Transfer]
    arrivals: Queue[Shipment]
    late_arrivals: int
    occupancy: list[UnitOccupancy]
    earnings: list[Earnings]
    next_releases: list[ReleaseInstalment]


def _owned(organization_id: int):
    return Warehouse.organization_id == organization_id


def _owner_bookings(organization_id: int) -> Select:
    return (
        select(Booking.id)
        .join(Listing, Listing.id == Booking.listing_id)
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .where(_owned(organization_id))
    )


def owner_home(actor: User, today: date) -> OwnerHome:
    organization_id = require_user(actor).organization_id
    requests = select(Booking).where(
        Booking.state == "requested", Booking.id.in_(_owner_bookings(organization_id))
    )
    to_approve = select(Transfer).where(
        Transfer.state == "requested",
        Transfer.consent_required.is_(True),
        Transfer.booking_id.in_(_owner_bookings(organization_id)),
    )
    arrivals = _inbound(organization_id)
    late = db.session.scalar(
        select(func.count()).select_from(arrivals.where(arriving_late(today)).subquery())
    )
    return OwnerHome(
        requests=queue_of(
            requests,
            Booking.expires_at,
            Booking.id,
            options=[joinedload(Booking.listing), joinedload(Booking.tenant)],
        ),
        transfers_to_approve=queue_of(
            to_approve,
            Transfer.effective_date,
            Transfer.id,
            options=[joinedload(Transfer.listing), joinedload(Transfer.taker)],
        ),
        arrivals=queue_of(
            arrivals,
            case((arriving_late(today), 0), else_=1),
            Shipment.expected_arrival,
            Shipment.id,
            options=[joinedload(Shipment.booking).joinedload(Booking.listing)],
        ),
        late_arrivals=late or 0,
        occupancy=_occupancy(organization_id, today),
        earnings=owner_earnings(actor),
        next_releases=_next_releases(organization_id),
    )


def _inbound(organization_id: int) -> Select:
    """Shipments on their way to the owner's warehouses that are not checked in yet."""
    checked_in = select(CheckIn.shipment_id)
    return select(Shipment).where(
        Shipment.booking_id.in_(_owner_bookings(organization_id)),
        Shipment.booking_id.in_(select(Booking.id).where(Booking.state.in_(PAID_STATES))),
        Shipment.id.not_in(checked_in),
    )


def _occupancy(organization_id: int, today: date) -> list[UnitOccupancy]:
    offered = db.session.execute(
        select(Listing.unit, func.count(Listing.id), func.sum(Listing.quantity))
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .where(_owned(organization_id), Listing.status == "active")
        .group_by(Listing.unit)
    ).all()
    leased = dict(
        db.session.execute(
            select(Listing.unit, func.sum(Booking.quantity))
            .join(Listing, Listing.id == Booking.listing_id)
            .join(Warehouse, Warehouse.id == Listing.warehouse_id)
            .where(
                _owned(organization_id),
                Booking.state.in_(PAID_STATES),
                Booking.start_date <= today,
                Booking.end_date >= today,
            )
            .group_by(Listing.unit)
        ).all()
    )
    return [
        UnitOccupancy(unit, count, int(total or 0), int(leased.get(unit) or 0))
        for unit, count, total in sorted(offered)
    ]


def _next_releases(organization_id: int) -> list[ReleaseInstalment]:
    query = (
        select(ReleaseInstalment)
        .join(Booking, Booking.id == ReleaseInstalment.booking_id)
        .where(
            ReleaseInstalment.released_at.is_(None),
            ReleaseInstalment.booking_id.in_(_owner_bookings(organization_id)),
            Booking.state.in_(PAID_STATES),
        )
        .options(joinedload(ReleaseInstalment.booking).joinedload(Booking.tenant))
        .order_by(ReleaseInstalment.due_on, ReleaseInstalment.id)
        .limit(TOP)
    )
    return list(db.session.scalars(query).unique())
