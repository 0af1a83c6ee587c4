"""API schemas of listings."""

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from ..catalog import (
    CATEGORIES,
    HAZMAT_CLASSES,
    MAX_QUANTITY,
    MAX_TEMPERATURE_C,
    MAX_UNIT_SIDE_CM,
    MAX_UNIT_WEIGHT_KG,
    MIN_TEMPERATURE_C,
    UNITS,
)
from ..web.api import MoneySchema
from ..web.schema import Schema
from .rules import CANCELLATION_POLICIES, FIRST_RELEASES
from .services import ListingData


class ListingInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    unit = fields.String(required=True, validate=validate.OneOf(list(UNITS)))
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_QUANTITY))
    available_from = fields.Date(required=True)
    available_to = fields.Date(required=True, metadata={"description": "Last day, inclusive"})
    unit_price = fields.Nested(
        MoneySchema, required=True, metadata={"description": "Per unit per week"}
    )
    min_quantity = fields.Integer(
        strict=True, load_default=1, validate=validate.Range(1, MAX_QUANTITY)
    )
    min_term_days = fields.Integer(strict=True, load_default=7, validate=validate.Range(1, 3660))
    max_unit_length_cm = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, MAX_UNIT_SIDE_CM)
    )
    max_unit_width_cm = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, MAX_UNIT_SIDE_CM)
    )
    max_unit_height_cm = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, MAX_UNIT_SIDE_CM)
    )
    max_unit_weight_kg = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, MAX_UNIT_WEIGHT_KG)
    )
    temperature_min_c = fields.Integer(
        strict=True, required=True, validate=validate.Range(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)
    )
    temperature_max_c = fields.Integer(
        strict=True, required=True, validate=validate.Range(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)
    )
    hazmat_classes = fields.List(
        fields.Integer(strict=True, validate=validate.OneOf(list(HAZMAT_CLASSES))),
        load_default=list,
    )
    categories = fields.List(
        fields.String(validate=validate.OneOf(list(CATEGORIES))),
        required=True,
        validate=validate.Length(min=1),
    )
    instant_book = fields.Boolean(load_default=False)
    cancellation_policy = fields.String(
        load_default="moderate", validate=validate.OneOf(list(CANCELLATION_POLICIES))
    )
    first_release = fields.String(
        load_default="start_day", validate=validate.OneOf(list(FIRST_RELEASES))
    )
    transfer_consent = fields.Boolean(
        load_default=True,
        metadata={"description": "The owner approves the taker of a lease transferred here"},
    )

    @validates_schema
    def positive_price(self, data: dict, **_kwargs) -> None:
        if data["unit_price"]["amount_minor"] <= 0:
            raise ValidationError("Must be positive.", "unit_price")

    @post_load
    def to_data(self, data: dict, **_kwargs) -> ListingData:
        price = data.pop("unit_price")
        return ListingData(**data, price_minor=price["amount_minor"], currency=price["currency"])


class WarehouseSummarySchema(Schema):
    id = fields.Integer(strict=True)
    name = fields.String()
    city = fields.String()
    country = fields.String()
    lat = fields.Float(attribute="latitude")
    lon = fields.Float(attribute="longitude")


class ListingSchema(Schema):
    id = fields.Integer(strict=True)
    warehouse = fields.Nested(WarehouseSummarySchema)
    title = fields.String()
    description = fields.String()
    unit = fields.String()
    quantity = fields.Integer(strict=True)
    available_from = fields.Date()
    available_to = fields.Date()
    unit_price = fields.Nested(MoneySchema)
    min_quantity = fields.Integer(strict=True)
    min_term_days = fields.Integer(strict=True)
    max_unit_length_cm = fields.Integer(strict=True)
    max_unit_width_cm = fields.Integer(strict=True)
    max_unit_height_cm = fields.Integer(strict=True)
    max_unit_weight_kg = fields.Integer(strict=True)
    temperature_min_c = fields.Integer(strict=True)
    temperature_max_c = fields.Integer(strict=True)
    hazmat_classes = fields.List(fields.Integer(strict=True))
    categories = fields.List(fields.String())
    instant_book = fields.Boolean()
    cancellation_policy = fields.String()
    first_release = fields.String()
    transfer_consent = fields.Boolean()
    status = fields.String()


class ListingPageSchema(Schema):
    results = fields.List(fields.Nested(ListingSchema))
    page = fields.Integer(strict=True)
    per_page = fields.Integer(strict=True)
    total = fields.Integer(strict=True)
