"""Search: listings that accept an exporter's goods, in a region, for a quantity and dates."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from geopy.geocoders.base import Geocoder
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..adapters.geocoding import Place
from ..bookings.models import CapacityDay
from ..bookings.rules import BookingTerms, Quote
from ..extensions import db
from ..fx.services import RateTable
from ..listings.models import Listing
from ..money import Money
from ..pagination import Page
from ..transfers.models import Transfer
from ..warehouses.models import Warehouse
from .filters import matching_listings
from .ordering import inside_radius, page_of_ids
from .query import CheckedQuery, SearchLimits, SearchQuery, check_query
from .rules import LOOSEN_HINTS, RELAXABLE, Relaxable

#: an empty search tries dropping at most this many of its filters, one count query each
MAX_RELAXATIONS = 8


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


def _held_quantities(ids: list[int], start: date, end: date) -> dict[int, int]:
    held = db.session.execute(
        select(CapacityDay.listing_id, func.max(CapacityDay.held))
        .where(CapacityDay.listing_id.in_(ids), CapacityDay.day.between(start, end))
        .group_by(CapacityDay.listing_id)
    )
    return {listing_id: most for listing_id, most in held}


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
        "bbox": query.bbox is not None,
    }


def _hints(query: SearchQuery, centre: Place | None) -> list[str]:
    return [LOOSEN_HINTS[name] for name, on in _active_filters(query, centre).items() if on]


def _count(checked: CheckedQuery, rates: RateTable) -> tuple[int, bool]:
    """How many listings a search finds, counted no further than its count limit."""
    base = matching_listings(checked, rates)
    limit = checked.count_limit
    if checked.centre is not None:
        # rows come from the bounding box, some outside the circle: reading no more than
        # twice the limit bounds the work, and a full read means "more than"
        rows = db.session.execute(base.limit(2 * limit)).all()
        inside = len(inside_radius(rows, checked))
        return min(inside, limit), inside <= limit and len(rows) < 2 * limit
    capped = base.with_only_columns(Listing.id).limit(limit + 1).subquery()
    counted = db.session.scalar(select(func.count()).select_from(capped))
    return min(counted, limit), counted <= limit


def _relaxations(checked: CheckedQuery, rates: RateTable) -> list[Relaxation]:
    """For an empty search of two filters or more: which filter, dropped alone, finds
    listings. One count per filter the search sets, at most MAX_RELAXATIONS of them."""
    query = checked.query
    if sum(_active_filters(query, checked.centre).values()) < 2:
        return []
    found = []
    for relaxable in [r for r in RELAXABLE if r.is_set(query)][:MAX_RELAXATIONS]:
        loosened = replace(query, **relaxable.cleared)
        area = checked.area if loosened.bbox is not None else None
        dropped = replace(checked, query=loosened, area=area)
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
    checked = check_query(query, geocoder, rates, today, limits)
    ids, distances, (total, exact) = page_of_ids(matching_listings(checked, rates), checked)
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
