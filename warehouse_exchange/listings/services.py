"""Use cases of listings: publish, edit, pause, resume and archive capacity offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select, update

from ..accounts.models import User
from ..blacklist.guards import require_not_blacklisted
from ..catalog import (
    CATEGORY_BITS,
    HAZMAT_BITS,
    MAX_QUANTITY,
    MAX_TEMPERATURE_C,
    MAX_UNIT_SIDE_CM,
    MAX_UNIT_WEIGHT_KG,
    MIN_TEMPERATURE_C,
    UNITS,
    to_mask,
)
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..fx.services import RateTable, latest_rates, price_rank
from ..money import require_currency
from ..pagination import Page, paginate
from ..permissions import require_same_organization
from ..unit_of_work import locked_row, use_case
from ..validation import Problems, require_int, require_text
from ..warehouses.models import Warehouse
from ..warehouses.services import own_warehouse
from .models import Listing
from .rules import (
    CANCELLATION_POLICIES,
    FIRST_RELEASES,
    LISTING_MACHINE,
    ListingStatus,
    lease_days,
)
from .signals import listing_resized

MAX_PRICE_MINOR = 10**12
#: the terms of a listing that are stored just as they are given
PLAIN_TERMS = (
    "unit", "quantity", "available_from", "available_to", "min_quantity", "min_term_days",
    "max_unit_length_cm", "max_unit_width_cm", "max_unit_height_cm", "max_unit_weight_kg",
    "temperature_min_c", "temperature_max_c",
)  # fmt: skip


@dataclass
class ListingData:
    title: str
    unit: str
    quantity: int
    available_from: date
    available_to: date
    price_minor: int
    currency: str
    max_unit_length_cm: int
    max_unit_width_cm: int
    max_unit_height_cm: int
    max_unit_weight_kg: int
    temperature_min_c: int
    temperature_max_c: int
    categories: list[str]
    description: str = ""
    min_quantity: int = 1
    min_term_days: int = 7
    hazmat_classes: list[int] = field(default_factory=list)
    instant_book: bool = False
    cancellation_policy: str = "moderate"
    first_release: str = "start_day"
    #: whether the owner approves the taker of a lease transferred here
    transfer_consent: bool = True


def _check_window(data: ListingData, today: date, *, is_new: bool) -> None:
    if not isinstance(data.available_from, date) or not isinstance(data.available_to, date):
        raise InvalidInput("Give the availability dates.", {"available_from": "Required."})
    if data.available_from > data.available_to:
        raise InvalidInput(
            "The window ends before it starts.", {"available_to": "Must be on or after the start."}
        )
    if data.available_to < today:
        raise InvalidInput("The window is in the past.", {"available_to": "Must not be past."})
    if is_new and data.available_from < today:
        raise InvalidInput("A new listing cannot start in the past.", {"available_from": "Past."})
    if isinstance(data.min_term_days, int) and data.min_term_days > lease_days(
        data.available_from, data.available_to
    ):
        raise InvalidInput(
            "The minimum term is longer than the window.", {"min_term_days": "Longer than window."}
        )


def _check_goods(data: ListingData, warehouse: Warehouse) -> None:
    if not data.categories or any(c not in CATEGORY_BITS for c in data.categories):
        raise InvalidInput(
            "Choose the categories accepted.", {"categories": "Choose at least one."}
        )
    if any(c not in HAZMAT_BITS for c in data.hazmat_classes):
        raise InvalidInput("Hazard classes are UN classes 1 to 9.", {"hazmat_classes": "1-9."})
    refused = set(data.hazmat_classes) - set(warehouse.hazmat_classes)
    if refused:
        raise InvalidInput(
            f"The warehouse does not accept hazard class {', '.join(map(str, sorted(refused)))}.",
            {"hazmat_classes": "Not accepted by the warehouse."},
        )
    low = require_int(
        data.temperature_min_c,
        "temperature_min_c",
        minimum=MIN_TEMPERATURE_C,
        maximum=MAX_TEMPERATURE_C,
    )
    high = require_int(
        data.temperature_max_c,
        "temperature_max_c",
        minimum=MIN_TEMPERATURE_C,
        maximum=MAX_TEMPERATURE_C,
    )
    if low > high:
        raise InvalidInput(
            "Minimum temperature above maximum.", {"temperature_min_c": "Above max."}
        )
    if not any(z.min_c <= low and high <= z.max_c for z in warehouse.temperature_zones):
        raise InvalidInput(
            "No temperature zone of the warehouse keeps that range.",
            {"temperature_min_c": "Outside every zone of the warehouse."},
        )


def _check_terms(data: ListingData, problems: Problems) -> None:
    with problems.check():
        if data.unit not in UNITS:
            raise InvalidInput("Unit is pallet, cbm or sqm.", {"unit": "Unknown unit."})
    with problems.check():
        quantity = require_int(data.quantity, "quantity", minimum=1, maximum=MAX_QUANTITY)
        require_int(data.min_quantity, "min_quantity", minimum=1, maximum=quantity)
    with problems.check():
        require_int(data.min_term_days, "min_term_days", minimum=1, maximum=3660)
    with problems.check():
        require_int(data.price_minor, "price_minor", minimum=1, maximum=MAX_PRICE_MINOR)
    for name in ("max_unit_length_cm", "max_unit_width_cm", "max_unit_height_cm"):
        with problems.check():
            require_int(getattr(data, name), name, minimum=1, maximum=MAX_UNIT_SIDE_CM)
    with problems.check():
        require_int(
            data.max_unit_weight_kg, "max_unit_weight_kg", minimum=1, maximum=MAX_UNIT_WEIGHT_KG
        )


def _check_pallets(data: ListingData, warehouse: Warehouse) -> None:
    """Pallet positions hold what the warehouse's racks take."""
    if data.unit != "pallet":
        return
    for name, limit, measure in (
        ("max_unit_height_cm", warehouse.max_pallet_height_cm, "cm high"),
        ("max_unit_weight_kg", warehouse.max_pallet_weight_kg, "kg"),
    ):
        asked = getattr(data, name)
        if isinstance(asked, int) and asked > limit:
            raise InvalidInput(
                f"The warehouse's pallet positions take loads up to {limit} {measure}.",
                {name: f"At most {limit} {measure.split()[0]} in this warehouse."},
            )


def _apply(listing: Listing, data: ListingData, warehouse: Warehouse, today: date) -> None:
    problems = Problems()
    _check_terms(data, problems)
    with problems.check():
        _check_window(data, today, is_new=listing.id is None)
    with problems.check():
        _check_goods(data, warehouse)
    with problems.check():
        _check_pallets(data, warehouse)
    with problems.check():
        listing.currency = require_currency(data.currency)
    with problems.check():
        listing.title = require_text(data.title, "title", 120)
    with problems.check():
        listing.description = require_text(data.description, "description", 2000, required=False)
    problems.raise_any()
    for name in PLAIN_TERMS:
        setattr(listing, name, getattr(data, name))
    listing.price_minor = data.price_minor
    rates = latest_rates(current_app.config["BASE_CURRENCY"])
    listing.price_rank = price_rank(data.price_minor, listing.currency, rates)
    listing.hazmat_mask = to_mask(data.hazmat_classes, HAZMAT_BITS)
    listing.categories_mask = to_mask(data.categories, CATEGORY_BITS)
    listing.instant_book = bool(data.instant_book)
    listing.transfer_consent = bool(data.transfer_consent)
    if data.cancellation_policy not in CANCELLATION_POLICIES:
        raise InvalidInput(
            "The cancellation policy is flexible, moderate or strict.",
            {"cancellation_policy": "Unknown policy."},
        )
    listing.cancellation_policy = data.cancellation_policy
    if data.first_release not in FIRST_RELEASES:
        raise InvalidInput(
            "The first release is on the start day or at check-in.",
            {"first_release": "Unknown choice."},
        )
    listing.first_release = data.first_release


@use_case
def create_listing(actor: User, warehouse_id: int, data: ListingData, today: date) -> Listing:
    warehouse = own_warehouse(actor, warehouse_id)
    require_not_blacklisted(warehouse.organization_id, today)
    if warehouse.status != "active":
        raise Conflict("An archived warehouse cannot get new listings.")
    listing = Listing(warehouse=warehouse, status=ListingStatus.ACTIVE)
    _apply(listing, data, warehouse, today)
    db.session.add(listing)
    db.session.commit()
    return listing


def get_listing(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("No such listing.")
    return listing


def own_listing(actor: User, listing_id: int) -> Listing:
    listing = get_listing(listing_id)
    own_warehouse(actor, listing.warehouse_id)
    return listing


@use_case
def update_listing(actor: User, listing_id: int, data: ListingData, today: date) -> Listing:
    own_listing(actor, listing_id)
    # locked until the end of the transaction, as bookings lock it before holding capacity
    listing = locked_row(select(Listing).where(Listing.id == listing_id))
    if listing.status == ListingStatus.ARCHIVED:
        raise Conflict("An archived listing cannot be edited.")
    _apply(listing, data, listing.warehouse, today)
    listing_resized.send(
        listing, quantity=listing.quantity, start=listing.available_from, end=listing.available_to
    )
    db.session.commit()
    return listing


@use_case
def change_listing_status(actor: User, listing_id: int, status: str, today: date) -> Listing:
    listing = own_listing(actor, listing_id)
    require_same_organization(actor, listing.warehouse.organization_id, "listing")
    if status == ListingStatus.ACTIVE:  # resuming publishes the listing again
        require_not_blacklisted(listing.warehouse.organization_id, today)
    LISTING_MACHINE.move(listing, status)  # refuses any text that is no status, too
    db.session.commit()
    return listing


def warehouse_listings(warehouse_id: int, *, include_inactive: bool) -> list[Listing]:
    query = select(Listing).where(Listing.warehouse_id == warehouse_id)
    if not include_inactive:
        query = query.where(Listing.status == ListingStatus.ACTIVE)
    return list(db.session.scalars(query.order_by(Listing.unit, Listing.price_minor)))


def organization_listings(organization_id: int, page: int, per_page: int) -> Page[Listing]:
    query = (
        select(Listing)
        .join(Listing.warehouse)
        .where(
            Warehouse.organization_id == organization_id, Listing.status != ListingStatus.ARCHIVED
        )
        .order_by(Warehouse.name, Listing.title)
    )
    return paginate(query, page, per_page)


def refresh_price_ranks(currency: str, rates: RateTable) -> None:
    """Re-rank the listings priced in `currency` after its latest rate changed."""
    factor = float(rates.factor(currency, rates.base)) if rates.knows(currency) else None
    rank = Listing.price_minor * factor if factor is not None else float("inf")
    db.session.execute(
        update(Listing).where(Listing.currency == currency).values(price_rank=rank),
        execution_options={"synchronize_session": False},
    )
