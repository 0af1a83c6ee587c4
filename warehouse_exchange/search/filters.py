"""The SQL filters of a search: the goods, the region, the price, the owner, the offers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, exists, false, or_, select

from ..accounts.models import Organization
from ..bookings.models import CapacityDay
from ..catalog import CATEGORY_BITS, HAZMAT_BITS
from ..fx.services import RateTable
from ..listings.models import Listing
from ..listings.rules import lease_days
from ..models_base import BIGINT_MAX
from ..transfers.models import Transfer
from ..trust.rules import tiers_at_least
from ..warehouses.models import Warehouse
from .query import CheckedQuery, SearchQuery
from .rules import BoundingBox, bounding_box, price_threshold


def _bit_set(column, bit: int):
    return column.op("&")(bit) != 0


def _goods_filters(query: SearchQuery) -> list:
    filters = []
    if query.unit:
        filters.append(Listing.unit == query.unit)
    if query.quantity is not None:
        filters += [Listing.quantity >= query.quantity, Listing.min_quantity <= query.quantity]
    if query.start is not None:
        filters += [
            _free_every_day(query.quantity or 1, query.start, query.end),
            Listing.available_from <= query.start,
            Listing.available_to >= query.end,
            Listing.min_term_days <= lease_days(query.start, query.end),
        ]
    if query.temperature_min is not None:
        filters.append(Listing.temperature_min_c >= query.temperature_min)
    if query.temperature_max is not None:
        filters.append(Listing.temperature_max_c <= query.temperature_max)
    if query.hazmat_class is not None:
        filters.append(_bit_set(Listing.hazmat_mask, HAZMAT_BITS[query.hazmat_class]))
    if query.category is not None:
        filters.append(_bit_set(Listing.categories_mask, CATEGORY_BITS[query.category]))
    return filters + _size_filters(query)


def _free_every_day(wanted: int, start: date, end: date):
    """No day of the range has so much held that fewer than `wanted` units are free. (An
    anti-join: PostgreSQL stops at the first short day instead of taking a MAX per row.)"""
    short_day = exists().where(
        CapacityDay.listing_id == Listing.id,
        CapacityDay.day.between(start, end),
        CapacityDay.held > Listing.quantity - wanted,
    )
    return ~short_day


def _size_filters(query: SearchQuery) -> list:
    """Goods fit with their length and width either way round, never on their side."""
    filters = []
    length, width = query.unit_length_cm or 0, query.unit_width_cm or 0
    if length or width:
        filters.append(
            or_(
                and_(Listing.max_unit_length_cm >= length, Listing.max_unit_width_cm >= width),
                and_(Listing.max_unit_length_cm >= width, Listing.max_unit_width_cm >= length),
            )
        )
    if query.unit_height_cm is not None:
        filters.append(Listing.max_unit_height_cm >= query.unit_height_cm)
    if query.unit_weight_kg is not None:
        filters.append(Listing.max_unit_weight_kg >= query.unit_weight_kg)
    return filters


def _inside(box: BoundingBox) -> list:
    filters = [Warehouse.latitude.between(box.south, box.north)]
    if box.crosses_antimeridian:
        filters.append(or_(Warehouse.longitude >= box.west, Warehouse.longitude <= box.east))
    elif box.west is not None:
        filters.append(Warehouse.longitude.between(box.west, box.east))
    return filters


def _region_filters(checked: CheckedQuery) -> list:
    filters = []
    if checked.query.countries:
        filters.append(Warehouse.country.in_(checked.query.countries))
    centre = checked.centre
    if centre is not None:
        filters += _inside(bounding_box(centre.latitude, centre.longitude, checked.radius_km))
    if checked.area is not None:
        filters += _inside(checked.area)
    return filters


def _price_filter(query: SearchQuery, rates: RateTable):
    if query.max_price_minor is None:
        return None
    currencies = [query.currency, *rates.rates, rates.base]
    clauses = [
        and_(
            Listing.currency == currency,
            # converted into a currency of many units per euro, a high ceiling can pass what
            # the column holds; every price is below the column's largest value anyway
            Listing.price_minor
            <= min(
                price_threshold(query.max_price_minor, rates.factor(currency, query.currency)),
                BIGINT_MAX,
            ),
        )
        for currency in dict.fromkeys(currencies)
    ]
    return or_(*clauses) if clauses else false()


def _owner_filters(query: SearchQuery) -> list:
    """Read from the owner's row, which trust keeps current: a blacklisted owner's listings
    leave search."""
    filters = [Organization.blacklisted.is_(False)]
    if query.verified_only:
        filters.append(Organization.verified.is_(True))
    if query.min_tier is not None:
        filters.append(Organization.rating_tier.in_(tiers_at_least(query.min_tier)))
    return filters


def matching_listings(checked: CheckedQuery, rates: RateTable) -> Select:
    """The active listings the search lets through (inside the bounding box, when it has a
    centre), one row each with what ordering and the radius need."""
    query = checked.query
    filters = [
        Listing.status == "active",
        Warehouse.status == "active",
        *_owner_filters(query),
        *_region_filters(checked),
        *_goods_filters(query),
    ]
    price_filter = _price_filter(query, rates)
    if price_filter is not None:
        filters.append(price_filter)
    if query.transfers_on_offer:
        filters.append(_transfer_on_offer())
    return (
        select(
            Listing.id,
            Warehouse.latitude,
            Warehouse.longitude,
            Listing.price_rank,
            Organization.credit_score,
            Organization.rating_tier,
        )
        .join(Listing.warehouse)
        .join(Warehouse.organization)
        .where(*filters)
    )


def _transfer_on_offer():
    """A semi-join on ix_transfers_listing_state: offers are few, and each listing is
    probed by its id (an offer past its effective day is expired by the hourly job)."""
    return exists().where(Transfer.listing_id == Listing.id, Transfer.state == "offered")
