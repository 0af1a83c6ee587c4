"""Use cases of warehouses: create, edit, archive, and read them."""

from __future__ import annotations

from dataclasses import dataclass, field

from geopy.geocoders.base import Geocoder
from sqlalchemy import select

from ..accounts.models import User
from ..adapters.geocoding import locate
from ..catalog import (
    HAZMAT_BITS,
    MAX_TEMPERATURE_C,
    MIN_TEMPERATURE_C,
    SERVICE_BITS,
    TEMPERATURE_ZONES,
    to_mask,
)
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..pagination import Page, paginate
from ..permissions import require_owner, require_same_organization
from ..unit_of_work import use_case
from ..validation import require_country, require_int, require_text, require_timezone
from .models import TemperatureZone, Warehouse
from .rules import MAX_FLOOR_LOAD_KG_M2, MAX_PALLET_WEIGHT_KG
from .signals import warehouse_archived


@dataclass
class WarehouseData:
    name: str
    address: str
    city: str
    country: str
    max_pallet_height_cm: int
    max_pallet_weight_kg: int
    floor_load_kg_m2: int
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    timezone: str = ""
    bonded: bool = False
    #: kind -> (min °C, max °C)
    temperature_zones: dict[str, tuple[int, int]] = field(default_factory=dict)
    hazmat_classes: list[int] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    certifications: str = ""


def _checked_zones(zones: dict[str, tuple[int, int]]) -> list[TemperatureZone]:
    if not zones:
        raise InvalidInput(
            "A warehouse runs at least one temperature zone.",
            {"temperature_zones": "Choose at least one zone."},
        )
    checked = []
    for kind, (low, high) in zones.items():
        if kind not in TEMPERATURE_ZONES:
            raise InvalidInput(f"Unknown zone {kind!r}.", {"temperature_zones": "Unknown zone."})
        require_int(low, f"{kind}_min_c", minimum=MIN_TEMPERATURE_C, maximum=MAX_TEMPERATURE_C)
        require_int(high, f"{kind}_max_c", minimum=MIN_TEMPERATURE_C, maximum=MAX_TEMPERATURE_C)
        if low > high:
            raise InvalidInput(
                f"The {kind} zone's minimum is above its maximum.",
                {f"{kind}_min_c": "Must not be above the maximum."},
            )
        checked.append(TemperatureZone(kind=kind, min_c=low, max_c=high))
    return checked


def _position(data: WarehouseData, geocoder: Geocoder, country: str) -> tuple[float, float, str]:
    """The given position and zone, or the geocoder's for the city when not given."""
    latitude, longitude, timezone = data.latitude, data.longitude, (data.timezone or "").strip()
    if (latitude is None) != (longitude is None):
        raise InvalidInput(
            "Give both latitude and longitude, or neither.", {"latitude": "Incomplete."}
        )
    if latitude is None or not timezone:
        place = locate(geocoder, f"{data.city}, {country}", field="city")
        if latitude is None:
            latitude, longitude = place.latitude, place.longitude
        timezone = timezone or place.timezone or ""
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise InvalidInput("That position is off the globe.", {"latitude": "Out of range."})
    return latitude, longitude, require_timezone(timezone)


def _apply(warehouse: Warehouse, data: WarehouseData, geocoder: Geocoder) -> None:
    if any(c not in HAZMAT_BITS for c in data.hazmat_classes):
        raise InvalidInput("Hazard classes are UN classes 1 to 9.", {"hazmat_classes": "1-9."})
    if any(s not in SERVICE_BITS for s in data.services):
        raise InvalidInput("Unknown service.", {"services": "Unknown service."})
    country = require_country(data.country)
    zones = _checked_zones(data.temperature_zones)
    warehouse.name = require_text(data.name, "name", 120)
    warehouse.address = require_text(data.address, "address", 300)
    warehouse.city = require_text(data.city, "city", 120)
    warehouse.postal_code = require_text(data.postal_code, "postal_code", 20, required=False)
    warehouse.country = country
    warehouse.latitude, warehouse.longitude, warehouse.timezone = _position(data, geocoder, country)
    warehouse.bonded = bool(data.bonded)
    warehouse.hazmat_mask = to_mask(data.hazmat_classes, HAZMAT_BITS)
    warehouse.services_mask = to_mask(data.services, SERVICE_BITS)
    warehouse.max_pallet_height_cm = require_int(
        data.max_pallet_height_cm, "max_pallet_height_cm", minimum=1, maximum=1000
    )
    warehouse.max_pallet_weight_kg = require_int(
        data.max_pallet_weight_kg, "max_pallet_weight_kg", minimum=1, maximum=MAX_PALLET_WEIGHT_KG
    )
    warehouse.floor_load_kg_m2 = require_int(
        data.floor_load_kg_m2, "floor_load_kg_m2", minimum=1, maximum=MAX_FLOOR_LOAD_KG_M2
    )
    warehouse.certifications = require_text(
        data.certifications, "certifications", 300, required=False
    )
    _replace_zones(warehouse, zones)


def _replace_zones(warehouse: Warehouse, zones: list[TemperatureZone]) -> None:
    existing = {zone.kind: zone for zone in warehouse.temperature_zones}
    for zone in zones:
        kept = existing.pop(zone.kind, None)
        if kept is None:
            warehouse.temperature_zones.append(zone)
        else:
            kept.min_c, kept.max_c = zone.min_c, zone.max_c
    for dropped in existing.values():
        warehouse.temperature_zones.remove(dropped)


@use_case
def create_warehouse(actor: User, data: WarehouseData, geocoder: Geocoder) -> Warehouse:
    actor = require_owner(actor)
    warehouse = Warehouse(organization_id=actor.organization_id, status="active")
    _apply(warehouse, data, geocoder)
    db.session.add(warehouse)
    db.session.commit()
    return warehouse


def get_warehouse(warehouse_id: int) -> Warehouse:
    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound("No such warehouse.")
    return warehouse


def own_warehouse(actor: User, warehouse_id: int) -> Warehouse:
    """The actor's own warehouse, for changing it; another organization's is Forbidden."""
    actor = require_owner(actor)
    warehouse = get_warehouse(warehouse_id)
    require_same_organization(actor, warehouse.organization_id, "warehouse")
    return warehouse


@use_case
def update_warehouse(actor: User, warehouse_id: int, data: WarehouseData, geocoder) -> Warehouse:
    warehouse = own_warehouse(actor, warehouse_id)
    if warehouse.status == "archived":
        raise Conflict("An archived warehouse cannot be edited.")
    _apply(warehouse, data, geocoder)
    db.session.commit()
    return warehouse


@use_case
def archive_warehouse(actor: User, warehouse_id: int) -> Warehouse:
    """Archive the site and (through listings' receiver) every listing in it: they leave
    search and cannot be booked."""
    warehouse = own_warehouse(actor, warehouse_id)
    if warehouse.status == "archived":
        raise Conflict("This warehouse is already archived.")
    warehouse.status = "archived"
    warehouse_archived.send(warehouse)
    db.session.commit()
    return warehouse


def organization_warehouses(
    organization_id: int, page: int, per_page: int, *, include_archived: bool
) -> Page[Warehouse]:
    query = select(Warehouse).where(Warehouse.organization_id == organization_id)
    if not include_archived:
        query = query.where(Warehouse.status == "active")
    return paginate(
        query.order_by(Warehouse.country, Warehouse.city, Warehouse.name), page, per_page
    )
