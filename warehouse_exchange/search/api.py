"""GET /api/v1/search."""

from __future__ import annotations

from flask import current_app

from ..adapters.clock import utc_today
from ..bookings.rules import BookingTerms
from ..fx.services import latest_rates
from ..money import Money
from ..web.api import ApiBlueprint
from .places import places_starting_like
from .query import SearchLimits, SearchQuery
from .schemas import PlacesArgsSchema, PlacesSchema, SearchArgsSchema, SearchResultSchema
from .services import SearchHit, search_listings

blp = ApiBlueprint("search_api", __name__, description="Search capacity")

RENAMED = {"country": "countries", "lat": "latitude", "lon": "longitude"}


def _query(args: dict) -> SearchQuery:
    args = {RENAMED.get(k, k): v for k, v in args.items()}
    max_price = args.pop("max_price", None)
    if max_price is not None:
        args["max_price_minor"] = Money.from_decimal(
            max_price, args["currency"], "max_price"
        ).amount_minor
    return SearchQuery(**args)


def _hit_json(hit: SearchHit) -> dict:
    listing = hit.listing
    return {
        "listing_id": listing.id,
        "title": listing.title,
        "warehouse": listing.warehouse,
        "unit": listing.unit,
        "free_quantity": hit.free_quantity,
        "unit_price": listing.unit_price.as_json(),
        "quote": _quote(hit),
        "total_price": _money(hit.total_price),
        "converted_unit_price": _money(hit.converted_unit_price),
        "converted_total_price": _money(hit.converted_total_price),
        "distance_km": round(hit.distance_km, 3) if hit.distance_km is not None else None,
        "owner": listing.warehouse.organization,
        "transfers_on_offer": hit.transfers_on_offer,
    }


def _money(value):
    return value.as_json() if value is not None else None


def _quote(hit: SearchHit) -> dict | None:
    if hit.quote is None:
        return None
    parts = ("subtotal", "commission", "guarantee_fee", "total")
    return {name: getattr(hit.quote, name).as_json() for name in parts}


@blp.get("/search")
@blp.arguments(SearchArgsSchema, location="query")
@blp.response(200, SearchResultSchema)
def search(args):
    """Listings that accept the goods described, in the region, for the quantity and dates."""
    config = current_app.config
    result = search_listings(
        _query(args),
        geocoder=current_app.extensions["geocoder"],
        rates=latest_rates(config["BASE_CURRENCY"]),
        today=utc_today(),
        limits=SearchLimits.from_config(config),
        terms=BookingTerms.from_config(config),
    )
    centre = result.centre
    return {
        "results": [_hit_json(hit) for hit in result.page.items],
        "page": result.page.page,
        "per_page": result.page.per_page,
        "total": result.page.total,
        "total_is_exact": result.page.total_is_exact,
        "centre": (
            {
                "label": centre.label,
                "lat": centre.latitude,
                "lon": centre.longitude,
                "radius_km": result.radius_km,
            }
            if centre
            else None
        ),
        "rate_date": result.rate_date,
        "hints": result.hints,
        "relaxations": result.relaxations,
    }


@blp.get("/places")
@blp.arguments(PlacesArgsSchema, location="query")
@blp.response(200, PlacesSchema)
def places(args):
    """Places whose name starts like `q` (then, for a typo, resembles it), up to eight, best
    first: for a place field's suggestions while typing. Answers from memory, without the
    network. Fewer than two letters give an empty list.

    A search `near` a place nobody has heard of answers 422, and its `fields.near` names the
    places the name most resembles ("Did you mean “Singapore, SG”?"); it never searches a
    guess on its own."""
    return {"places": places_starting_like(args["q"])}
