"""API schemas of search."""

from marshmallow import ValidationError, fields, validate, validates_schema

from ..bookings.schemas import QuoteSchema
from ..catalog import (
    CATEGORIES,
    HAZMAT_CLASSES,
    MAX_TEMPERATURE_C,
    MIN_TEMPERATURE_C,
    RATING_TIERS,
    UNITS,
)
from ..listings.schemas import WarehouseSummarySchema
from ..pagination import MAX_PAGE
from ..web.api import MoneySchema
from ..web.schema import Schema
from .query import SORTS


class SearchArgsSchema(Schema):
    country = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "ISO 3166-1 alpha-2; repeatable"},
    )
    near = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "A place, geocoded, e.g. 'Rotterdam, NL'. A name no place has "
            "answers 422, and the error's fields.near names the places it most resembles "
            '("Did you mean “Singapore, SG”?"); GET /places suggests names while typing'
        },
    )
    bbox = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "Only warehouses inside this box (a map's view): "
            "min_lon,min_lat,max_lon,max_lat in degrees. A min_lon above max_lon crosses "
            "the antimeridian, as in GeoJSON; combines with every other filter",
            "example": "3.5,51.5,5.5,52.3",
        },
    )
    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))
    radius_km = fields.Float(metadata={"description": "Default 200 when a centre is given"})
    unit = fields.String(validate=validate.OneOf(list(UNITS)))
    quantity = fields.Integer()
    start = fields.Date()
    end = fields.Date(metadata={"description": "Last day, inclusive"})
    temperature_min = fields.Integer(validate=validate.Range(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C))
    temperature_max = fields.Integer(validate=validate.Range(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C))
    hazmat_class = fields.Integer(validate=validate.OneOf(list(HAZMAT_CLASSES)))
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    unit_length_cm = fields.Integer()
    unit_width_cm = fields.Integer()
    unit_height_cm = fields.Integer()
    unit_weight_kg = fields.Integer()
    max_price = fields.Decimal(
        as_string=True,
        metadata={
            "type": "string",
            "format": "decimal",
            "description": "Ceiling on the weekly unit price, in major units of currency",
        },
    )
    currency = fields.String(metadata={"description": "ISO 4217; prices are also shown in it"})
    min_tier = fields.String(
        validate=validate.OneOf(RATING_TIERS),
        metadata={"description": "Only owners rated this tier or better (AAA is best)"},
    )
    verified_only = fields.Boolean(
        load_default=False, metadata={"description": "Only owners verified by the platform"}
    )
    transfers_on_offer = fields.Boolean(
        load_default=False,
        metadata={"description": "Only listings where a lease is on offer for transfer"},
    )
    sort = fields.String(load_default="price", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))

    @validates_schema
    def ceiling_has_currency(self, data: dict, **_kwargs) -> None:
        if data.get("max_price") is not None and not data.get("currency"):
            raise ValidationError("Say which currency the ceiling is in.", "currency")


class OwnerSummarySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    verified = fields.Boolean()
    rating_tier = fields.String()
    credit_score = fields.Integer(allow_none=True)


class SearchHitSchema(Schema):
    listing_id = fields.Integer()
    title = fields.String()
    warehouse = fields.Nested(WarehouseSummarySchema)
    unit = fields.String()
    free_quantity = fields.Integer()
    unit_price = fields.Nested(MoneySchema, metadata={"description": "Per unit per week"})
    quote = fields.Nested(
        QuoteSchema,
        allow_none=True,
        metadata={
            "description": "What a booking request for the quantity and dates is quoted: the "
            "rent, the platform's commission and guarantee fee, and their total (as in a "
            "booking's quote); null without quantity, start and end"
        },
    )
    total_price = fields.Nested(
        MoneySchema,
        allow_none=True,
        metadata={"description": "The quote's total, fees included"},
    )
    converted_unit_price = fields.Nested(MoneySchema, allow_none=True)
    converted_total_price = fields.Nested(
        MoneySchema,
        allow_none=True,
        metadata={"description": "The quote's total in the asked currency (an estimate)"},
    )
    distance_km = fields.Float(allow_none=True)
    owner = fields.Nested(OwnerSummarySchema)
    transfers_on_offer = fields.Integer(
        metadata={"description": "Leases at the listing on offer for transfer"}
    )


class RelaxationSchema(Schema):
    filter = fields.String(
        metadata={
            "description": "unit_weight_kg, dimensions, temperature, hazmat_class, category, "
            "max_price, quantity, dates, min_tier, verified_only, transfers_on_offer, unit, "
            "countries or bbox"
        }
    )
    label = fields.String(metadata={"description": "What the filter asks for, in words"})
    params = fields.List(
        fields.String(), metadata={"description": "Query arguments to leave out to drop it"}
    )
    matches = fields.Integer(metadata={"description": "Listings found without this filter"})
    matches_exact = fields.Boolean(
        metadata={"description": "False when there are more than matches (counting stopped)"}
    )


class SearchResultSchema(Schema):
    results = fields.List(fields.Nested(SearchHitSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer(
        metadata={"description": "Matches; when total_is_exact is false, there are more"}
    )
    total_is_exact = fields.Boolean()
    centre = fields.Dict(allow_none=True)
    rate_date = fields.Date(allow_none=True)
    hints = fields.List(fields.String(), metadata={"description": "What to loosen when empty"})
    relaxations = fields.List(
        fields.Nested(RelaxationSchema),
        metadata={
            "description": "When empty with two filters or more: each filter that, dropped "
            "alone, finds listings, most found first"
        },
    )


class PlacesArgsSchema(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "What has been typed in a place field so far, optionally followed "
            "by a comma and a country ('rott', 'hamb, DE')",
            "example": "rott",
        },
    )


class PlaceSuggestionSchema(Schema):
    label = fields.String(required=True, metadata={"example": "Rotterdam, Netherlands"})
    query = fields.String(
        required=True,
        metadata={"description": "The value to search near", "example": "Rotterdam, NL"},
    )
    name = fields.String(required=True)
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    lat = fields.Float(required=True, attribute="latitude")
    lon = fields.Float(required=True, attribute="longitude")


class PlacesSchema(Schema):
    places = fields.List(fields.Nested(PlaceSuggestionSchema), required=True)
