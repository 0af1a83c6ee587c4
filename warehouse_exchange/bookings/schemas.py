"""API schemas of bookings."""

from marshmallow import fields, post_load, validate

from ..adapters.clock import utc_today
from ..catalog import (
    CATEGORIES,
    HAZMAT_CLASSES,
    MAX_QUANTITY,
    MAX_SKU_COUNT,
    MAX_TEMPERATURE_C,
    MAX_UNIT_SIDE_CM,
    MAX_UNIT_WEIGHT_KG,
    MIN_TEMPERATURE_C,
)
from ..pagination import MAX_PAGE
from ..web.api import MoneySchema
from ..web.schema import Schema
from .rules import PAYMENT_PLANS, SkuProfile


def _count(maximum: int, **kwargs):
    return fields.Integer(strict=True, validate=validate.Range(1, maximum), **kwargs)


class SkuProfileSchema(Schema):
    unit_length_cm = _count(MAX_UNIT_SIDE_CM, required=True)
    unit_width_cm = _count(MAX_UNIT_SIDE_CM, required=True)
    unit_height_cm = _count(MAX_UNIT_SIDE_CM, required=True)
    unit_weight_kg = _count(MAX_UNIT_WEIGHT_KG, required=True)
    temperature_min_c = fields.Integer(
        strict=True, required=True, validate=validate.Range(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)
    )
    temperature_max_c = fields.Integer(
        strict=True, required=True, validate=validate.Range(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)
    )
    hazmat_class = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(list(HAZMAT_CLASSES)),
    )
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    sku_count = _count(MAX_SKU_COUNT, load_default=1)

    @post_load
    def to_profile(self, data: dict, **_kwargs) -> SkuProfile:
        return SkuProfile(**data)


class BookingInSchema(Schema):
    listing_id = fields.Integer(strict=True, required=True, validate=validate.Range(1, 2**31 - 1))
    quantity = _count(MAX_QUANTITY, required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True, metadata={"description": "Last day, inclusive"})
    sku_profile = fields.Nested(SkuProfileSchema, required=True)
    payment_plan = fields.String(
        load_default="upfront",
        validate=validate.OneOf(PAYMENT_PLANS),
        metadata={
            "description": "upfront (the whole total at confirmation) or monthly (one"
            " instalment per month; only for leases longer than"
            " PAYMENT_PLAN_MONTHLY_AFTER_MONTHS months, 3 by default)"
        },
    )
    idempotency_key = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "Repeat it to replay a request safely; the first booking is "
            "returned (the Idempotency-Key header works too)"
        },
    )


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class QuoteSchema(Schema):
    subtotal = fields.Nested(MoneySchema)
    commission = fields.Nested(MoneySchema)
    guarantee_fee = fields.Nested(MoneySchema)
    total = fields.Nested(MoneySchema)


class BookingEventSchema(Schema):
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    reason = fields.String()


class PaymentInstalmentSchema(Schema):
    sequence = fields.Integer(metadata={"description": "The month of the lease it pays for"})
    due_on = fields.Date()
    amount = fields.Nested(MoneySchema)
    status = fields.Method("_status", metadata={"description": "paid, covered, overdue or due"})
    paid_at = fields.DateTime(allow_none=True)
    covered_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "When the guarantee reserve paid it for a defaulting tenant"},
    )

    def _status(self, instalment) -> str:
        return instalment.status(utc_today())


class BookingSchema(Schema):
    id = fields.Integer()
    state = fields.String()
    listing_id = fields.Integer()
    tenant_id = fields.Integer()
    quantity = fields.Integer()
    start = fields.Date(attribute="start_date")
    end = fields.Date(attribute="end_date")
    holds_capacity = fields.Boolean()
    expires_at = fields.DateTime(allow_none=True)
    sku_profile = fields.Method("_sku_profile")
    quote = fields.Method("_quote")
    payment_plan = fields.String()
    payment_schedule = fields.List(
        fields.Nested(PaymentInstalmentSchema),
        attribute="payment_instalments",
        metadata={"description": "Made when the booking is accepted"},
    )
    defaulted_at = fields.DateTime(allow_none=True)
    original_end_date = fields.Date(
        allow_none=True,
        metadata={"description": "The last day agreed at first, when the lease ends earlier"
                  " (ended early, or the days after it handed on by a transfer)"},
    )  # fmt: skip
    transferred_from_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The lease a transfer split to make this one (the taker's"
                  " lease, or the tenant's continuation of the units it kept)"},
    )  # fmt: skip
    events = fields.List(fields.Nested(BookingEventSchema))

    def _sku_profile(self, booking) -> dict:
        names = SkuProfileSchema().fields
        return {name: getattr(booking, name) for name in names}

    def _quote(self, booking) -> dict:
        return {
            "subtotal": booking.money(booking.subtotal_minor).as_json(),
            "commission": booking.money(booking.commission_minor).as_json(),
            "guarantee_fee": booking.money(booking.guarantee_fee_minor).as_json(),
            "total": booking.money(booking.total_minor).as_json(),
        }


class BookingPageSchema(Schema):
    results = fields.List(fields.Nested(BookingSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class BookingListArgs(Schema):
    role = fields.String(load_default="tenant", validate=validate.OneOf(["tenant", "owner"]))
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class AvailabilityArgs(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class AvailabilityDaySchema(Schema):
    day = fields.Date()
    free = fields.Integer()


class AvailabilitySchema(Schema):
    listing_id = fields.Integer()
    days = fields.List(fields.Nested(AvailabilityDaySchema))
