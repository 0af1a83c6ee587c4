"""API schemas of warehouses."""

from marshmallow import fields, post_load, validate

from ..catalog import (
    HAZMAT_CLASSES,
    MAX_TEMPERATURE_C,
    MIN_TEMPERATURE_C,
    SERVICES,
    TEMPERATURE_ZONES,
)
from ..web.schema import Schema
from .rules import MAX_FLOOR_LOAD_KG_M2, MAX_PALLET_WEIGHT_KG
from .services import WarehouseData


class TemperatureZoneSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(TEMPERATURE_ZONES)))
    min_c = fields.Integer(
        strict=True, required=True, validate=validate.Range(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)
    )
    max_c = fields.Integer(
        strict=True, required=True, validate=validate.Range(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)
    )


class WarehouseInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    address = fields.String(required=True, validate=validate.Length(min=1, max=300))
    city = fields.String(required=True, validate=validate.Length(min=1, max=120))
    postal_code = fields.String(load_default="", validate=validate.Length(max=20))
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    latitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))
    timezone = fields.String(
        load_default="", metadata={"description": "IANA zone; empty: the geocoded city's"}
    )
    bonded = fields.Boolean(load_default=False)
    temperature_zones = fields.List(
        fields.Nested(TemperatureZoneSchema), required=True, validate=validate.Length(min=1, max=3)
    )
    hazmat_classes = fields.List(
        fields.Integer(strict=True, validate=validate.OneOf(list(HAZMAT_CLASSES))),
        load_default=list,
    )
    max_pallet_height_cm = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, 1000)
    )
    max_pallet_weight_kg = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, MAX_PALLET_WEIGHT_KG)
    )
    floor_load_kg_m2 = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, MAX_FLOOR_LOAD_KG_M2)
    )
    services = fields.List(
        fields.String(validate=validate.OneOf(list(SERVICES))), load_default=list
    )
    certifications = fields.List(fields.String(validate=validate.Length(max=60)), load_default=list)

    @post_load
    def to_data(self, data: dict, **_kwargs) -> WarehouseData:
        zones = {z["kind"]: (z["min_c"], z["max_c"]) for z in data.pop("temperature_zones")}
        certifications = ", ".join(c.strip() for c in data.pop("certifications") if c.strip())
        return WarehouseData(**data, temperature_zones=zones, certifications=certifications)


class OwnerSchema(Schema):
    id = fields.Integer(strict=True)
    name = fields.String()


class WarehouseSchema(Schema):
    id = fields.Integer(strict=True)
    name = fields.String()
    address = fields.String()
    city = fields.String()
    postal_code = fields.String(allow_none=True)
    country = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    timezone = fields.String()
    bonded = fields.Boolean()
    temperature_zones = fields.List(fields.Nested(TemperatureZoneSchema))
    hazmat_classes = fields.List(fields.Integer(strict=True))
    max_pallet_height_cm = fields.Integer(strict=True)
    max_pallet_weight_kg = fields.Integer(strict=True)
    floor_load_kg_m2 = fields.Integer(strict=True)
    services = fields.List(fields.String())
    certifications = fields.List(fields.String(), attribute="certification_list")
    status = fields.String()
    owner = fields.Nested(OwnerSchema, attribute="organization")


class WarehousePageSchema(Schema):
    results = fields.List(fields.Nested(WarehouseSchema))
    page = fields.Integer(strict=True)
    per_page = fields.Integer(strict=True)
    total = fields.Integer(strict=True)
