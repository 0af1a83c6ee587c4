"""API schemas of inbound shipments."""

from marshmallow import Schema, fields, validate

from ..adapters.clock import utc_today
from ..catalog import HAZMAT_CLASSES
from ..web.api import MoneySchema
from .rules import EVENT_KINDS, MODES, REPORTED_KINDS, STATUSES, is_late


def _count(maximum: int, **kwargs):
    return fields.Integer(strict=True, validate=validate.Range(1, maximum), **kwargs)


class ShipmentLineInSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(1, 64))
    description = fields.String(required=True, validate=validate.Length(1, 200))
    units = _count(1_000_000, required=True)
    unit_length_cm = _count(5000, required=True)
    unit_width_cm = _count(5000, required=True)
    unit_height_cm = _count(5000, required=True)
    unit_weight_kg = _count(50_000, required=True)
    declared_value = fields.Nested(
        MoneySchema, required=True, metadata={"description": "Of all the line's units; ≥ 0"}
    )
    hs_code = fields.String(
        required=True, metadata={"description": "Harmonized System code, 6 to 10 digits"}
    )
    hazmat_class = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(list(HAZMAT_CLASSES)),
        metadata={"description": "UN class of dangerous goods, or null"},
    )


class ShipmentInSchema(Schema):
    booking_id = fields.Integer(strict=True, required=True, validate=validate.Range(1, 2**31 - 1))
    carrier = fields.String(required=True, validate=validate.Length(1, 80))
    tracking_number = fields.String(required=True, validate=validate.Length(1, 80))
    mode = fields.String(required=True, validate=validate.OneOf(list(MODES)))
    expected_arrival = fields.Date(required=True)
    lines = fields.List(
        fields.Nested(ShipmentLineInSchema), required=True, validate=validate.Length(1, 50)
    )


class ShipmentLineSchema(Schema):
    sku = fields.String()
    description = fields.String()
    units = fields.Integer()
    unit_length_cm = fields.Integer()
    unit_width_cm = fields.Integer()
    unit_height_cm = fields.Integer()
    unit_weight_kg = fields.Integer()
    declared_value = fields.Nested(MoneySchema)
    hs_code = fields.String()
    hazmat_class = fields.Integer(allow_none=True)


class EventInSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(REPORTED_KINDS)),
        metadata={"description": "Any kind but checked_in, which the owner's check-in adds"},
    )
    at = fields.AwareDateTime(
        required=True, metadata={"description": "When it happened, with its UTC offset"}
    )
    place = fields.String(load_default="", validate=validate.Length(max=120))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class EventSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(EVENT_KINDS)})
    at = fields.DateTime()
    place = fields.String()
    note = fields.String()
    added_by_id = fields.Integer(
        allow_none=True, metadata={"description": "Null when a carrier reported it"}
    )
    added_by = fields.String(attribute="reporter")
    created_at = fields.DateTime()


class ShipmentSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer()
    carrier = fields.String()
    tracking_number = fields.String()
    mode = fields.String(metadata={"enum": list(MODES)})
    expected_arrival = fields.Date()
    status = fields.String(
        metadata={"enum": list(STATUSES), "description": "The latest event by time"}
    )
    status_at = fields.DateTime(allow_none=True)
    arrived_at = fields.DateTime(allow_none=True)
    late = fields.Method(
        "_late",
        metadata={"type": "boolean", "description": "Expected arrival passed, not arrived"},
    )
    created_at = fields.DateTime()
    lines = fields.List(fields.Nested(ShipmentLineSchema))
    events = fields.List(
        fields.Nested(EventSchema), metadata={"description": "In the order they happened"}
    )

    def _late(self, shipment) -> bool:
        return is_late(shipment.expected_arrival, shipment.arrived_at, utc_today())


class ShipmentPageSchema(Schema):
    results = fields.List(fields.Nested(ShipmentSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
