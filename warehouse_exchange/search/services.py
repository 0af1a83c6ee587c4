"""Search: listings that accept an exporter's goods, in a region, for a quantity and dates."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from geopy.geocoders.base import Geocoder
from sqlalchemy import Select, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Organization
from ..adapters.geocoding import Place, locate
from ..bookings.models import CapacityDay
from ..bookings.rules import BookingTerms, Quote
from ..catalog import (
    CATEGORIES,
    CATEGORY_BITS,
    HAZMAT_BITS,
    MAX_QUANTITY,
    RATING_TIERS,
    UNITS,
)
from ..errors import InvalidInput
from ..extensions import db
from ..fx.services import RateTable
from ..listings.models import Listing
from ..listings.rules import lease_days
from ..models_base import BIGINT_MAX
from ..money import Money, require_currency
from ..pagination import Page, check_page
from ..transfers.models import Transfer
from ..trust.rules import tier_rank, tiers_at_least
from ..validation import require_country
from ..warehouses.models import Warehouse
from .distance import SPHERE_ERROR, geodesic_km, spherical_km
from .rules import (
    LOOSEN_HINTS,
    MAX_SIZE_FILTER,
    RELAXABLE,
    Relaxable,
    bounding_box,
    price_threshold,
)

SORTS = ("price", "distance", "rating")
#: an empty search tries dropping at most this many of its filters, one count query each
MAX_RELAXATIONS = 8


@dataclass
class SearchQuery:
    countries: list[str] = field(default_factory=list)
    near: str | None = None
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
class SearchHit:
    listing: Listing
    free_quantity: int
    distance_km: float | None
    #: what a booking request for the searched quantity and dates would be quoted (rent,
    #: commission, guarantee fee, total), when both were given
    quote: Quote | None
    #: the weekly unit price converted into the asked currency, when one was asked
    converted_unit_price: Money | None
    #: the quote's total converted into the asked currency
    converted_total_price: Money | None
    #: leases at the listing on offer for transfer
    transfers_on_offer: int = 0

    @property
    def total_price(self) -> Money | None:
        return self.quote.total if self.quote is not None else None


@dataclass(frozen=True)
class Relaxation:
    """A filter of an empty search that, dropped alone, lets `matches` listings through."""

    filter: str
    label: str
    #: the query-string arguments (page and API) that set the filter
    params: tuple[str, ...]
    matches: int
    #: False when counting stopped at the search's count limit ("more than")
    matches_exact: bool


@dataclass(frozen=True)
class SearchResult:
    page: Page[SearchHit]
    centre: Place | None
    radius_km: float | None
    currency: str | None
    rate_date: date | None
    hints: list[str]
    #: on an empty result, the single filters whose removal finds listings, most found first
    relaxations: list[Relaxation] = field(default_factory=list)


@dataclass(frozen=True)
class _Checked:
    query: SearchQuery
    centre: Place | None
    radius_km: float | None
    count_limit: int


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


def _check(query: SearchQuery, geocoder, rates: RateTable, today: date, limits: SearchLimits):
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
    return _Checked(query, centre, radius, limits.count_limit)


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


def _held_quantities(ids: list[int], start: date, end: date) -> dict[int, int]:
    held = db.session.execute(
        select(CapacityDay.listing_id, func.max(CapacityDay.held))
        .where(CapacityDay.listing_id.in_(ids), CapacityDay.day.between(start, end))
        .group_by(CapacityDay.listing_id)
    )
    return {listing_id: most for listing_id, most in held}


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


def _region_filters(query: SearchQuery, centre: Place | None, radius_km: float | None) -> list:
    filters = []
    if query.countries:
        filters.append(Warehouse.country.in_(query.countries))
    if centre is not None:
        box = bounding_box(centre.latitude, centre.longitude, radius_km)
        filters.append(Warehouse.latitude.between(box.south, box.north))
        if box.crosses_antimeridian:
            filters.append(or_(Warehouse.longitude >= box.west, Warehouse.longitude <= box.east))
        elif box.west is not None:
            filters.append(Warehouse.longitude.between(box.west, box.east))
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


def _base_query(checked: _Checked, rates: RateTable) -> Select:
    query = checked.query
    filters = [
        Listing.status == "active",
        Warehouse.status == "active",
        *_owner_filters(query),
        *_region_filters(query, checked.centre, checked.radius_km),
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


def _offers_at(today: date):
    """The listing's offers still open, counted with the page's listings (no round trip of
    its own: the page is at most a few dozen listings, each probed on the index)."""
    return (
        select(func.count())
        .where(
            Transfer.listing_id == Listing.id,
            Transfer.state == "offered",
            Transfer.effective_date > today,
        )
        .correlate(Listing)
        .scalar_subquery()
    )


@dataclass
class _Candidate:
    """A listing inside the bounding box, with what ordering and the radius need."""

    id: int
    latitude: float
    longitude: float
    price_rank: float
    credit_score: int | None
    rating_tier: str
    estimate: float
    exact: float | None = None


def _price_rank(candidate: _Candidate) -> tuple:
    return (candidate.price_rank, candidate.id)


def _rating_rank(candidate: _Candidate) -> tuple:
    """Rated owners first, best tier first, then by score and price (as _rating_order)."""
    score = candidate.credit_score
    return (
        -tier_rank(candidate.rating_tier),
        score is None,
        -(score or 0),
        *_price_rank(candidate),
    )


def _rating_order() -> list:
    rank = case(*((Organization.rating_tier == t, tier_rank(t)) for t in RATING_TIERS), else_=0)
    return [rank.desc(), Organization.credit_score.is_(None), Organization.credit_score.desc()]


def _exact(candidate: _Candidate, centre: Place) -> float:
    if candidate.exact is None:
        candidate.exact = geodesic_km(
            centre.latitude, centre.longitude, candidate.latitude, candidate.longitude
        )
    return candidate.exact


def _candidates_near(base: Select, checked: _Checked) -> list[_Candidate]:
    """Candidates within the radius."""
    return _inside_radius(db.session.execute(base), checked)


def _inside_radius(rows, checked: _Checked) -> list[_Candidate]:
    """The rows within the radius. The geodesic is computed only near the edge, where the
    spherical estimate cannot tell inside from outside."""
    centre, radius = checked.centre, checked.radius_km
    inside = []
    for row in rows:
        estimate = spherical_km(centre.latitude, centre.longitude, row.latitude, row.longitude)
        if estimate > radius * SPHERE_ERROR:
            continue
        candidate = _Candidate(*row, estimate=estimate)
        if estimate * SPHERE_ERROR <= radius or _exact(candidate, centre) <= radius:
            inside.append(candidate)
    return inside


def _nearest_page(candidates: list[_Candidate], centre: Place, offset: int, size: int):
    """The page in geodesic order. Whatever belongs to the first `offset + size` by geodesic
    distance has an estimate within SPHERE_ERROR squared of the estimate ranked last among
    them, so only those candidates need their geodesic."""
    candidates.sort(key=lambda c: (c.estimate, c.id))
    wanted = offset + size
    if len(candidates) > wanted:
        bound = candidates[wanted - 1].estimate * SPHERE_ERROR**2
        candidates = [c for c in candidates if c.estimate <= bound]
    candidates.sort(key=lambda c: (_exact(c, centre), c.id))
    return candidates[offset:wanted]


def _page_near(base: Select, checked: _Checked):
    query, centre = checked.query, checked.centre
    offset = (query.page - 1) * query.per_page
    candidates = _candidates_near(base, checked)
    if query.sort == "distance":
        page = _nearest_page(candidates, centre, offset, query.per_page)
    else:
        rank = _rating_rank if query.sort == "rating" else _price_rank
        page = sorted(candidates, key=rank)[offset : offset + query.per_page]
    distances = {c.id: _exact(c, centre) for c in page}
    return [c.id for c in page], distances, (len(candidates), True)


def _price_order(query: SearchQuery):
    """A broad search reads ix_listings_price_rank in order and stops after one page. With
    countries the matches are few but scattered along that index, and the planners cannot
    tell (they misjudge the bit-mask filters); `+ 0` hides the index, so they find the
    matches first and sort them, which is 3 to 10 times faster at 100k listings."""
    if query.countries:
        return Listing.price_rank + 0
    return Listing.price_rank


def _page_of_ids(base: Select, checked: _Checked):
    """The page's listing ids, their distances, and the total (with whether it is exact)."""
    query = checked.query
    if checked.centre is not None:
        return _page_near(base, checked)
    order = _rating_order() if query.sort == "rating" else []
    order += [_price_order(query), Listing.id]
    offset = (query.page - 1) * query.per_page
    ids = list(db.session.scalars(base.order_by(*order).limit(query.per_page).offset(offset)))
    return ids, {}, _total(base, offset, len(ids), query.per_page, checked.count_limit)


def _total(base: Select, offset: int, found: int, per_page: int, limit: int):
    """The number of matches and whether it is exact: counting stops past `limit`."""
    if 0 < found < per_page or (offset == 0 and found < per_page):
        return offset + found, True
    capped = base.with_only_columns(Listing.id).limit(limit + 1).subquery()
    counted = db.session.scalar(select(func.count()).select_from(capped))
    if counted > limit:
        return max(offset + found, limit), False
    return counted, True


@dataclass(frozen=True)
class _Pricing:
    rates: RateTable
    terms: BookingTerms


def _hit(
    listing: Listing, query: SearchQuery, distance, pricing: _Pricing, held: int, offers: int = 0
) -> SearchHit:
    price = None
    if query.quantity is not None and query.start is not None:
        price = pricing.terms.quote(listing.unit_price, query.quantity, query.start, query.end)
    rates = pricing.rates
    convertible = query.currency is not None and rates.knows(listing.currency)
    return SearchHit(
        listing=listing,
        free_quantity=listing.quantity - held,
        distance_km=distance,
        quote=price,
        converted_unit_price=rates.convert(listing.unit_price, query.currency)
        if convertible
        else None,
        converted_total_price=rates.convert(price.total, query.currency)
        if convertible and price
        else None,
        transfers_on_offer=offers,
    )


def _active_filters(query: SearchQuery, centre: Place | None) -> dict[str, bool]:
    return {
        "countries": bool(query.countries),
        "radius": centre is not None,
        "unit": bool(query.unit),
        "quantity": query.quantity is not None,
        "dates": query.start is not None,
        "temperature": query.temperature_min is not None or query.temperature_max is not None,
        "hazmat_class": query.hazmat_class is not None,
        "category": query.category is not None,
        "dimensions": any(
            getattr(query, n) is not None
            for n in ("unit_length_cm", "unit_width_cm", "unit_height_cm", "unit_weight_kg")
        ),
        "max_price": query.max_price_minor is not None,
        "min_tier": query.min_tier is not None,
        "verified_only": query.verified_only,
        "transfers_on_offer": query.transfers_on_offer,
    }


def _hints(query: SearchQuery, centre: Place | None) -> list[str]:
    return [LOOSEN_HINTS[name] for name, on in _active_filters(query, centre).items() if on]


def _count(checked: _Checked, rates: RateTable) -> tuple[int, bool]:
    """How many listings a search finds, counted no further than its count limit."""
    base = _base_query(checked, rates)
    limit = checked.count_limit
    if checked.centre is not None:
        # rows come from the bounding box, some outside the circle: reading no more than
        # twice the limit bounds the work, and a full read means "more than"
        rows = db.session.execute(base.limit(2 * limit)).all()
        inside = len(_inside_radius(rows, checked))
        return min(inside, limit), inside <= limit and len(rows) < 2 * limit
    capped = base.with_only_columns(Listing.id).limit(limit + 1).subquery()
    counted = db.session.scalar(select(func.count()).select_from(capped))
    return min(counted, limit), counted <= limit


def _relaxations(checked: _Checked, rates: RateTable) -> list[Relaxation]:
    """For an empty search of two filters or more: which filter, dropped alone, finds
    listings. One count per filter the search sets, at most MAX_RELAXATIONS of them."""
    query = checked.query
    if sum(_active_filters(query, checked.centre).values()) < 2:
        return []
    found = []
    for relaxable in [r for r in RELAXABLE if r.is_set(query)][:MAX_RELAXATIONS]:
        dropped = replace(checked, query=replace(query, **relaxable.cleared))
        matches, exact = _count(dropped, rates)
        if matches:
            found.append(_relaxation(relaxable, query, matches, exact))
    return sorted(found, key=lambda r: -r.matches)


def _relaxation(relaxable: Relaxable, query: SearchQuery, matches: int, exact: bool):
    label = relaxable.label(query)
    return Relaxation(relaxable.name, label, relaxable.params, matches, exact)


def search_listings(
    query: SearchQuery,
    *,
    geocoder: Geocoder,
    rates: RateTable,
    today: date,
    limits: SearchLimits,
    terms: BookingTerms,
) -> SearchResult:
    """Listings that accept the goods, with free capacity for the quantity and dates, one page;
    each priced as a booking request would be quoted (`terms`)."""
    checked = _check(query, geocoder, rates, today, limits)
    ids, distances, (total, exact) = _page_of_ids(_base_query(checked, rates), checked)
    loaded = db.session.execute(
        select(Listing, _offers_at(today))
        .where(Listing.id.in_(ids))
        .options(joinedload(Listing.warehouse).joinedload(Warehouse.organization))
    ).unique()
    by_id = {listing.id: (listing, offers) for listing, offers in loaded}
    start, end = (query.start, query.end) if query.start else (today, today)
    held = _held_quantities(ids, start, end)
    pricing = _Pricing(rates, terms)
    hits = [
        _hit(by_id[i][0], query, distances.get(i), pricing, held.get(i, 0), by_id[i][1])
        for i in ids
    ]
    rate_date = None
    if query.currency:
        currencies = {query.currency} | {hit.listing.currency for hit in hits}
        dated = [rates.dates[c] for c in currencies if c in rates.dates]
        rate_date = min(dated) if dated else None
    return SearchResult(
        page=Page(hits, query.page, query.per_page, total, exact),
        centre=checked.centre,
        radius_km=checked.radius_km,
        currency=query.currency,
        rate_date=rate_date,
        hints=_hints(query, checked.centre) if total == 0 else [],
        relaxations=_relaxations(checked, rates) if total == 0 else [],
    )


def countries_with_capacity() -> list[str]:
    """Countries that have at least one active listing, for the search form's country list."""
    query = (
        select(Warehouse.country)
        .join(Listing, Listing.warehouse_id == Warehouse.id)
        .where(Listing.status == "active", Warehouse.status == "active")
        .distinct()
    )
    return sorted(db.session.scalars(query))
