"""What a search asks for, and the checks it passes before any listing is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from geopy.geocoders.base import Geocoder

from ..adapters.geocoding import Place, locate
from ..catalog import CATEGORIES, HAZMAT_BITS, MAX_QUANTITY, RATING_TIERS, UNITS
from ..errors import InvalidInput
from ..fx.services import RateTable
from ..money import require_currency
from ..pagination import check_page
from ..validation import require_country
from .rules import MAX_SIZE_FILTER, BoundingBox, map_area

SORTS = ("price", "distance", "rating")


@dataclass
class SearchQuery:
    countries: list[str] = field(default_factory=list)
    near: str | None = None
    #: the map's view, "min_lon,min_lat,max_lon,max_lat" (see rules.map_area)
    bbox: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    unit: str | None = None
    quantity: int | None = None
    start: date | None = None
    end: date | None = None
    temperature_min: int | None = None
    temperature_max: int | None = None
    hazmat_class: int | None = None
    category: str | None = None
    unit_length_cm: int | None = None
    unit_width_cm: int | None = None
    unit_height_cm: int | None = None
    unit_weight_kg: int | None = None
    #: ceiling on the weekly unit price, in `currency`'s minor units
    max_price_minor: int | None = None
    #: the currency prices are compared and shown in; None keeps each listing's own
    currency: str | None = None
    #: only owners rated this tier or better (AAA best)
    min_tier: str | None = None
    #: only owners whose registration an operator verified
    verified_only: bool = False
    #: only listings where a tenant offers (part of) a lease for transfer
    transfers_on_offer: bool = False
    sort: str = "price"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class SearchLimits:
    default_radius_km: float
    max_radius_km: float
    max_per_page: int
    #: a broad search counts its matches only this far and says "more than": counting every
    #: match of a search anywhere would cost more than finding the page
    count_limit: int = 1000

    @classmethod
    def from_config(cls, config) -> SearchLimits:
        return cls(
            config["SEARCH_DEFAULT_RADIUS_KM"],
            config["SEARCH_MAX_RADIUS_KM"],
            config["SEARCH_MAX_PER_PAGE"],
            config["SEARCH_COUNT_LIMIT"],
        )


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed its checks, with the centre and radius it resolved to."""

    query: SearchQuery
    centre: Place | None
    radius_km: float | None
    count_limit: int
    #: the map's view the search is limited to, when it gave one
    area: BoundingBox | None = None


def _check_region(query: SearchQuery, geocoder: Geocoder, default_radius: float, max_radius: float):
    query.countries = [require_country(c, "country") for c in query.countries]
    has_point = query.latitude is not None or query.longitude is not None
    if query.near and has_point:
        raise InvalidInput("Search near a place or a point, not both.", {"near": "Give one."})
    if has_point and (query.latitude is None or query.longitude is None):
        raise InvalidInput("Give both lat and lon.", {"lat": "Both lat and lon are needed."})
    if has_point and not (-90 <= query.latitude <= 90 and -180 <= query.longitude <= 180):
        raise InvalidInput("That point is off the globe.", {"lat": "Out of range."})
    centre = None
    if query.near:
        centre = locate(geocoder, query.near, field="near")
    elif has_point:
        centre = Place(
            f"{query.latitude:.4f}, {query.longitude:.4f}", query.latitude, query.longitude
        )
    if centre is None:
        if query.radius_km is not None:
            raise InvalidInput(
                "A radius needs a centre: give near or lat/lon.", {"radius_km": "No centre."}
            )
        if query.sort == "distance":
            raise InvalidInput("Sorting by distance needs a centre.", {"sort": "No centre."})
        return None, None
    radius = default_radius if query.radius_km is None else query.radius_km
    if not 0 < radius <= max_radius:
        raise InvalidInput(
            f"The radius is between 0 and {max_radius:g} km.", {"radius_km": "Out of range."}
        )
    return centre, radius


def _check_goods(query: SearchQuery, today: date) -> None:
    if query.unit is not None and query.unit not in UNITS:
        raise InvalidInput("Unit is pallet, cbm or sqm.", {"unit": "Unknown unit."})
    if query.quantity is not None and not 1 <= query.quantity <= MAX_QUANTITY:
        raise InvalidInput("Ask for at least one unit.", {"quantity": "Must be 1 or more."})
    if (query.start is None) != (query.end is None):
        raise InvalidInput("Give both a start and an end date.", {"end": "Both dates are needed."})
    if query.start is not None:
        if query.start > query.end:
            raise InvalidInput("The end date is before the start date.", {"end": "Before start."})
        if query.start < today:
            raise InvalidInput("The start date is in the past.", {"start": "In the past."})
    low, high = query.temperature_min, query.temperature_max
    if low is not None and high is not None and low > high:
        raise InvalidInput(
            "The minimum temperature is above the maximum.", {"temperature_min": "Above max."}
        )
    if query.hazmat_class is not None and query.hazmat_class not in HAZMAT_BITS:
        raise InvalidInput("Hazard classes are 1 to 9.", {"hazmat_class": "Unknown class."})
    if query.category is not None and query.category not in CATEGORIES:
        raise InvalidInput("Unknown category.", {"category": "Unknown category."})
    for name in ("unit_length_cm", "unit_width_cm", "unit_height_cm", "unit_weight_kg"):
        value = getattr(query, name)
        if value is not None and not 0 < value <= MAX_SIZE_FILTER:
            raise InvalidInput(f"{name} must be positive.", {name: "Must be positive."})


def _check_price(query: SearchQuery, rates: RateTable) -> None:
    if query.currency is not None:
        query.currency = require_currency(query.currency)
        if not rates.knows(query.currency):
            raise InvalidInput(
                f"There is no exchange rate for {query.currency} yet.", {"currency": "No rate."}
            )
    if query.max_price_minor is not None:
        if query.currency is None:
            raise InvalidInput("Say which currency the ceiling is in.", {"currency": "Required."})
        if query.max_price_minor <= 0:
            raise InvalidInput("The price ceiling must be positive.", {"max_price": "Positive."})


def check_query(
    query: SearchQuery, geocoder, rates: RateTable, today: date, limits: SearchLimits
) -> CheckedQuery:
    if query.sort not in SORTS:
        raise InvalidInput("Sort by price, distance or rating.", {"sort": "Unknown sort."})
    if query.min_tier is not None and query.min_tier not in RATING_TIERS:
        raise InvalidInput(
            f"The tiers are {', '.join(RATING_TIERS)}.", {"min_tier": "Unknown tier."}
        )
    check_page(query.page, query.per_page, limits.max_per_page)
    _check_goods(query, today)
    _check_price(query, rates)
    centre, radius = _check_region(query, geocoder, limits.default_radius_km, limits.max_radius_km)
    area = map_area(query.bbox) if query.bbox is not None else None
    return CheckedQuery(query, centre, radius, limits.count_limit, area)
