"""API schemas of inbound shipments."""

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from ..adapters.clock import utc_today
from ..catalog import HAZMAT_CLASSES, MAX_UNIT_SIDE_CM, MAX_UNIT_WEIGHT_KG
from ..web.api import MoneySchema
from ..web.schema import Schema
from .rules import (
    ARRIVAL_GROUPS,
    CARRIER_TOKEN_DAYS,
    CARRIER_TOKEN_DEFAULT_DAYS,
    EVENT_KINDS,
    MAX_CANCEL_REASON,
    MAX_CARRIER,
    MAX_CHECK_IN_NOTE,
    MAX_DESCRIPTION,
    MAX_EVENT_PLACE,
    MAX_LINES,
    MAX_NOTE,
    MAX_OUTBOUND_REFERENCE,
    MAX_SKU,
    MAX_TOKEN_NAME,
    MAX_TRACKING_NUMBER,
    MAX_UNITS,
    MODES,
    REPORTED_KINDS,
    STATUSES,
)

#: one meaning of a declared value everywhere: the pages take and show it in the currency's
#: major units, the API and the database keep it in minor units
DECLARED_VALUE = (
    "What all the line's units are worth, in minor units of its currency (cents for EUR):"
    ' {"amount_minor": 1500000, "currency": "EUR"} is €15,000.00; ≥ 0'
)


def _count(maximum: int, **kwargs):
    return fields.Integer(strict=True, validate=validate.Range(1, maximum), **kwargs)


class ShipmentLineInSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(1, MAX_SKU))
    description = fields.String(required=True, validate=validate.Length(1, MAX_DESCRIPTION))
    units = _count(MAX_UNITS, required=True)
    unit_length_cm = _count(MAX_UNIT_SIDE_CM, required=True)
    unit_width_cm = _count(MAX_UNIT_SIDE_CM, required=True)
    unit_height_cm = _count(MAX_UNIT_SIDE_CM, required=True)
    unit_weight_kg = _count(MAX_UNIT_WEIGHT_KG, required=True)
    declared_value = fields.Nested(
        MoneySchema, required=True, metadata={"description": DECLARED_VALUE}
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
    carrier = fields.String(required=True, validate=validate.Length(1, MAX_CARRIER))
    tracking_number = fields.String(required=True, validate=validate.Length(1, MAX_TRACKING_NUMBER))
    mode = fields.String(required=True, validate=validate.OneOf(list(MODES)))
    expected_arrival = fields.Date(required=True)
    lines = fields.List(
        fields.Nested(ShipmentLineInSchema), required=True, validate=validate.Length(1, MAX_LINES)
    )


class ShipmentChangeInSchema(Schema):
    expected_arrival = fields.Date(load_default=None)
    carrier = fields.String(load_default=None, validate=validate.Length(1, MAX_CARRIER))
    tracking_number = fields.String(
        load_default=None, validate=validate.Length(1, MAX_TRACKING_NUMBER)
    )


class CancelShipmentInSchema(Schema):
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_CANCEL_REASON),
        metadata={"description": "Told to the warehouse owner"},
    )


class ShipmentLineSchema(Schema):
    sku = fields.String()
    description = fields.String()
    units = fields.Integer()
    unit_length_cm = fields.Integer()
    unit_width_cm = fields.Integer()
    unit_height_cm = fields.Integer()
    unit_weight_kg = fields.Integer()
    declared_value = fields.Nested(MoneySchema, metadata={"description": DECLARED_VALUE})
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
    place = fields.String(load_default="", validate=validate.Length(max=MAX_EVENT_PLACE))
    note = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE))


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
        metadata={
            "enum": list(STATUSES),
            "description": "The latest event by time; cancelled once the tenant called it off",
        }
    )
    status_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
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
    check_in = fields.Nested(
        "CheckInSchema", allow_none=True, metadata={"description": "The owner's count, once in"}
    )
    has_discrepancy = fields.Boolean()
    check_in_from = fields.Date(
        metadata={
            "description": "The first day the owner checks the goods in, in the warehouse's"
            " time zone: the lease's first day, or the earlier day of an early arrival the"
            " owner agreed to. Goods expected before it wait for that day."
        }
    )

    def _late(self, shipment) -> bool:
        return shipment.is_late(utc_today())


class CarrierShipmentSchema(ShipmentSchema):
    """What a carrier reads: the shipment and its timeline, not the owner's check-in."""

    class Meta:
        exclude = ("check_in", "has_discrepancy")


class ShipmentPageSchema(Schema):
    results = fields.List(fields.Nested(ShipmentSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class ArrivalSchema(Schema):
    group = fields.String(
        metadata={"enum": list(ARRIVAL_GROUPS), "description": "Where it stands on the list"}
    )
    tenant = fields.String(attribute="shipment.booking.tenant.name")
    warehouse = fields.String(attribute="shipment.booking.listing.warehouse.name")
    check_in_from = fields.Date(
        allow_none=True, metadata={"description": "First day of check-in; null once checked in"}
    )
    can_check_in = fields.Boolean(metadata={"description": "Check-in is open today"})
    shipment = fields.Nested(ShipmentSchema)


class ArrivalPageSchema(Schema):
    results = fields.List(fields.Nested(ArrivalSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class EarlyArrivalInSchema(Schema):
    from_date = fields.Date(
        required=True,
        allow_none=True,
        metadata={
            "description": "The first day goods may be checked in, before the lease's first"
            " day; null withdraws the consent"
        },
    )


class EarlyArrivalSchema(Schema):
    booking_id = fields.Integer(attribute="booking.id")
    start = fields.Date(attribute="booking.start_date")
    end = fields.Date(attribute="booking.end_date")
    early_arrival_from = fields.Date(
        allow_none=True, metadata={"description": "The day the owner agreed to, or null"}
    )
    check_in_from = fields.Date(metadata={"description": "The first day goods are checked in"})


class CountInSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(1, MAX_SKU))
    received_good = fields.Integer(
        strict=True, required=True, metadata={"description": "Units in good order, ≥ 0"}
    )
    damaged = fields.Integer(strict=True, load_default=0, metadata={"description": "≥ 0"})


class CheckInInSchema(Schema):
    lines = fields.List(
        fields.Nested(CountInSchema),
        required=True,
        validate=validate.Length(1, MAX_LINES),
        metadata={"description": "One count for every SKU announced (0 when none came)"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=MAX_CHECK_IN_NOTE))


class CountSchema(Schema):
    sku = fields.String()
    announced = fields.Integer()
    received_good = fields.Integer()
    damaged = fields.Integer()
    missing = fields.Integer(metadata={"description": "Announced, and neither good nor damaged"})
    over_delivered = fields.Integer(metadata={"description": "Received beyond the announced"})


class FileSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()


class CheckInSchema(Schema):
    id = fields.Integer()
    shipment_id = fields.Integer()
    booking_id = fields.Integer()
    checked_in_at = fields.DateTime()
    checked_in_by = fields.String(attribute="checked_in_by.name")
    note = fields.String()
    has_discrepancy = fields.Boolean(
        metadata={"description": "Damaged, missing or over-delivered units: ground for a dispute"}
    )
    lines = fields.List(fields.Nested(CountSchema))
    files = fields.List(fields.Nested(FileSchema))


class CarrierTokenInSchema(Schema):
    name = fields.String(
        required=True,
        validate=validate.Length(1, MAX_TOKEN_NAME),
        metadata={"description": "Who it is for, e.g. the carrier's name"},
    )
    days = fields.Integer(
        strict=True,
        load_default=CARRIER_TOKEN_DEFAULT_DAYS,
        validate=validate.Range(*CARRIER_TOKEN_DAYS),
        metadata={"description": "How long it lives"},
    )


class CarrierTokenSchema(Schema):
    id = fields.Integer()
    shipment_id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class IssuedCarrierTokenSchema(CarrierTokenSchema):
    token = fields.String(metadata={"description": "Shown this once; only its hash is kept"})


class OutboundInSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(1, MAX_SKU))
    units = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_UNITS))
    shipped_on = fields.Date(required=True)
    reference = fields.String(
        required=True,
        validate=validate.Length(1, MAX_OUTBOUND_REFERENCE),
        metadata={"description": "Carrier and its reference (waybill, collection number)"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE))


class OutboundSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer()
    sku = fields.String()
    units = fields.Integer()
    shipped_on = fields.Date()
    reference = fields.String()
    note = fields.String()
    created_at = fields.DateTime()


class StockItemSchema(Schema):
    sku = fields.String()
    description = fields.String()
    received_good = fields.Integer()
    received_damaged = fields.Integer()
    released = fields.Integer()
    on_hand = fields.Integer()


class SpaceField(fields.Decimal):
    """Space in the listing's unit, exact: a decimal in a string ("2.25")."""

    def __init__(self, **kwargs):
        metadata = {"type": "string", "format": "decimal", **kwargs.pop("metadata", {})}
        super().__init__(as_string=True, metadata=metadata, **kwargs)


class LeaseStockSchema(Schema):
    booking_id = fields.Integer(attribute="booking.id")
    unit = fields.String(
        attribute="booking.listing.unit", metadata={"enum": ["pallet", "cbm", "sqm"]}
    )
    rented = fields.Integer(attribute="booking.quantity")
    used = SpaceField(metadata={"description": "Space the goods on hand take"})
    over_capacity = fields.Boolean()
    items = fields.List(fields.Nested(StockItemSchema))
    releases = fields.List(fields.Nested(OutboundSchema))


class LeaseOccupancySchema(Schema):
    booking_id = fields.Integer(attribute="booking.id")
    tenant = fields.String(attribute="booking.tenant.name")
    state = fields.String(attribute="booking.state")
    start = fields.Date(attribute="booking.start_date")
    end = fields.Date(attribute="booking.end_date")
    rented = fields.Integer(attribute="booking.quantity")
    used = SpaceField()
    over_capacity = fields.Boolean(metadata={"description": "Stores more than it rents"})


class ListingOccupancySchema(Schema):
    listing_id = fields.Integer(attribute="listing.id")
    title = fields.String(attribute="listing.title")
    warehouse = fields.String(attribute="listing.warehouse.name")
    unit = fields.String(attribute="listing.unit", metadata={"enum": ["pallet", "cbm", "sqm"]})
    quantity = fields.Integer(attribute="listing.quantity")
    leased = fields.Integer(metadata={"description": "Units leased on the day asked about"})
    used = SpaceField(metadata={"description": "Space the goods on hand take"})
    leases = fields.List(fields.Nested(LeaseOccupancySchema))


class StockRowSchema(Schema):
    warehouse_id = fields.Integer(attribute="warehouse.id")
    warehouse = fields.String(attribute="warehouse.name")
    city = fields.String(attribute="warehouse.city")
    sku = fields.String()
    leases = fields.Integer()
    received_good = fields.Integer()
    received_damaged = fields.Integer()
    released = fields.Integer()
    on_hand = fields.Integer()


class PhotoFilesSchema(Schema):
    photos = Upload(metadata={"description": "An image (JPEG, PNG, WebP) or a PDF; repeat it"})
