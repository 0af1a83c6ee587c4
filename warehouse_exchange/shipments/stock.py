"""Stock on hand of each lease: units checked in less units released outbound; the owner's
outbound releases; and how much of a lease's, and a listing's, space the goods take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from ..accounts.models import User
from ..bookings.calendar import share_level
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..listings.models import Listing
from ..permissions import require_owner, require_user
from ..unit_of_work import locked_row, use_case
from ..validation import require_int, require_text
from ..warehouses.models import Warehouse
from .models import OutboundRelease, ShipmentLine, StockItem
from .rules import (
    MAX_NOTE,
    MAX_OUTBOUND_REFERENCE,
    MAX_SKU,
    MAX_UNITS,
    StorageLimits,
    UnitSize,
    space_used,
)

#: lease states whose space counts as leased today
HOLDING_STATES = ("confirmed", "active")


@dataclass(frozen=True)
class OutboundData:
    sku: str
    units: int
    shipped_on: date
    reference: str
    note: str = ""


@dataclass(frozen=True)
class LeaseStock:
    booking: Booking
    items: list[StockItem]
    releases: list[OutboundRelease]
    #: space the goods on hand take, in the listing's unit
    used: Decimal

    @property
    def over_capacity(self) -> bool:
        return self.used > self.booking.quantity


@dataclass(frozen=True)
class ListingOccupancy:
    listing: Listing
    #: units of the listing leased on the day asked about
    leased: int
    used: Decimal
    leases: list[LeaseStock]

    @property
    def leased_level(self) -> int | None:
        return share_level(self.leased, self._offered)

    @property
    def used_level(self) -> int | None:
        return share_level(self.used, self._offered)

    @property
    def _offered(self) -> int:
        return self.listing.quantity if self.listing.status != "archived" else 0


def storage_limits(warehouse: Warehouse) -> StorageLimits:
    return StorageLimits(
        warehouse.max_pallet_height_cm, warehouse.max_pallet_weight_kg, warehouse.floor_load_kg_m2
    )


def unit_size(item: StockItem) -> UnitSize:
    return UnitSize(
        item.unit_length_cm, item.unit_width_cm, item.unit_height_cm, item.unit_weight_kg
    )


def _items(booking_id: int) -> list[StockItem]:
    return list(
        db.session.scalars(
            select(StockItem).where(StockItem.booking_id == booking_id).order_by(StockItem.sku)
        )
    )


def space_of(booking: Booking, items: list[StockItem]) -> Decimal:
    listing = booking.listing
    limits = storage_limits(listing.warehouse)
    return sum(
        (space_used(listing.unit, unit_size(i), i.on_hand, limits) for i in items), Decimal(0)
    )


def lease_space_used(booking: Booking) -> Decimal:
    return space_of(booking, _items(booking.id))


def hand_stock_on(from_booking: Booking, to_booking: Booking) -> None:
    """The goods a lease holds now count against the lease that carries it on (a tenant
    keeping part of a lease it transferred); the caller holds both leases' locks."""
    db.session.execute(
        update(StockItem)
        .where(StockItem.booking_id == from_booking.id)
        .values(booking_id=to_booking.id)
    )


def add_to_stock(booking: Booking, line: ShipmentLine, good: int, damaged: int) -> None:
    """Checked-in units join the lease's stock of their SKU (the caller holds the lease's
    lock); the unit size is the latest announced."""
    if good + damaged == 0:
        return
    item = db.session.scalar(
        select(StockItem).where(StockItem.booking_id == booking.id, StockItem.sku == line.sku)
    )
    if item is None:
        item = StockItem(booking_id=booking.id, sku=line.sku, received_good=0,
                         received_damaged=0, released=0)  # fmt: skip
        db.session.add(item)
    item.description = line.description
    item.received_good += good
    item.received_damaged += damaged
    item.unit_length_cm, item.unit_width_cm = line.unit_length_cm, line.unit_width_cm
    item.unit_height_cm, item.unit_weight_kg = line.unit_height_cm, line.unit_weight_kg
    db.session.flush()


def lease_stock(actor: User, booking_id: int) -> LeaseStock:
    """A lease's stock per SKU and its outbound releases, for its parties and operators."""
    booking = get_booking(actor, booking_id)
    items = _items(booking.id)
    releases = db.session.scalars(
        select(OutboundRelease)
        .where(OutboundRelease.booking_id == booking.id)
        .order_by(OutboundRelease.shipped_on.desc(), OutboundRelease.id.desc())
    )
    return LeaseStock(booking, items, list(releases), space_of(booking, items))


def _owned_lease(actor: User, booking_id: int) -> Booking:
    booking = get_booking(require_user(actor), booking_id)
    if actor.organization_id != booking.owner_id:
        raise Forbidden("Only the warehouse owner records goods leaving its warehouse.")
    return booking


def _checked_release(data: OutboundData, booking: Booking, today: date) -> OutboundData:
    units = require_int(data.units, "units", minimum=1, maximum=MAX_UNITS)
    if not isinstance(data.shipped_on, date):
        raise InvalidInput("Give the day the goods left.", {"shipped_on": "Required."})
    if data.shipped_on > today + timedelta(days=1):
        raise InvalidInput("Goods cannot leave in the future.", {"shipped_on": "In the future."})
    if data.shipped_on < booking.start_date - timedelta(days=365):
        raise InvalidInput("That day is long before the lease.", {"shipped_on": "Too early."})
    return OutboundData(
        require_text(data.sku, "sku", MAX_SKU),
        units,
        data.shipped_on,
        require_text(data.reference, "reference", MAX_OUTBOUND_REFERENCE),
        require_text(data.note, "note", MAX_NOTE, required=False),
    )


@use_case
def release_outbound(
    actor: User, booking_id: int, data: OutboundData, today: date
) -> OutboundRelease:
    """The warehouse owner records units of one SKU shipped out of a lease; never more than
    the lease has on hand."""
    booking = _owned_lease(actor, booking_id)
    checked = _checked_release(data, booking, today)
    item = locked_row(
        select(StockItem).where(StockItem.booking_id == booking.id, StockItem.sku == checked.sku)
    )
    if item is None:
        raise InvalidInput(
            f"Lease #{booking.id} holds no SKU {checked.sku}.", {"sku": "Not stored on this lease."}
        )
    if checked.units > item.on_hand:
        raise InvalidInput(
            f"Only {item.on_hand} units of {item.sku} are on hand.",
            {"units": f"At most {item.on_hand} on hand."},
        )
    item.released += checked.units
    release = OutboundRelease(
        booking_id=booking.id,
        stock_item_id=item.id,
        units=checked.units,
        shipped_on=checked.shipped_on,
        reference=checked.reference,
        note=checked.note,
        released_by_id=actor.id,
    )
    db.session.add(release)
    db.session.commit()
    return release


@dataclass(frozen=True)
class StockRow:
    warehouse: Warehouse
    sku: str
    received_good: int
    received_damaged: int
    released: int
    leases: int

    @property
    def on_hand(self) -> int:
        return self.received_good + self.received_damaged - self.released


def tenant_stock(actor: User) -> list[StockRow]:
    """The stock of every lease of the actor's organization, per warehouse and SKU."""
    actor = require_user(actor)
    query = (
        select(
            Warehouse,
            StockItem.sku,
            func.sum(StockItem.received_good),
            func.sum(StockItem.received_damaged),
            func.sum(StockItem.released),
            func.count(StockItem.booking_id.distinct()),
        )
        .join(Booking, Booking.id == StockItem.booking_id)
        .join(Listing, Listing.id == Booking.listing_id)
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .group_by(Warehouse.id, StockItem.sku)
        .order_by(Warehouse.name, Warehouse.id, StockItem.sku)
    )
    if not actor.is_operator:
        query = query.where(Booking.tenant_id == actor.organization_id)
    return [StockRow(*row) for row in db.session.execute(query)]


def owner_occupancy(actor: User, today: date) -> list[ListingOccupancy]:
    """Each listing of the owner's warehouses: units leased today against the space the
    goods on hand take, and the same per lease that holds goods or space."""
    actor = require_owner(actor)
    listings = db.session.scalars(
        select(Listing)
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .where(Warehouse.organization_id == actor.organization_id)
        .order_by(Warehouse.name, Listing.title, Listing.id)
    )
    every = [_listing_occupancy(listing, today) for listing in listings]
    # an archived listing is shown while a lease of it still holds space or goods
    return [o for o in every if o.listing.status != "archived" or o.leases]


def _listing_occupancy(listing: Listing, today: date) -> ListingOccupancy:
    holding = Booking.state.in_(HOLDING_STATES)
    with_stock = Booking.id.in_(select(StockItem.booking_id))
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.listing_id == listing.id, holding | with_stock)
        .order_by(Booking.start_date, Booking.id)
    )
    leases = []
    for booking in bookings:
        items = _items(booking.id)
        leases.append(LeaseStock(booking, items, [], space_of(booking, items)))
    leased = sum(
        lease.booking.quantity
        for lease in leases
        if lease.booking.state in HOLDING_STATES
        and lease.booking.start_date <= today <= lease.booking.end_date
    )
    return ListingOccupancy(listing, leased, sum((x.used for x in leases), Decimal(0)), leases)
