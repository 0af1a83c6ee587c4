"""API schemas of transfers."""

from marshmallow import fields, validate

from ..accounts.schemas import OrganizationSchema
from ..bookings.schemas import SkuProfileSchema
from ..catalog import MAX_QUANTITY
from ..pagination import MAX_PAGE
from ..web.api import MoneySchema
from ..web.auth import api_actor
from ..web.schema import Schema
from .queries import goods_left_over_of
from .rules import transfer_reference


class OfferInSchema(Schema):
    booking_id = fields.Integer(strict=True, required=True, validate=validate.Range(1, 2**31 - 1))
    effective_date = fields.Date(
        required=True,
        metadata={"description": "The taker's first day: after today, at most the lease's last"},
    )
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_QUANTITY))
    price = fields.Nested(
        MoneySchema, required=True, metadata={"description": "In the lease's currency"}
    )


class TransferRequestInSchema(Schema):
    sku_profile = fields.Nested(SkuProfileSchema, required=True)


class ReasonInSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class RefuseInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class TransferReceiptInSchema(Schema):
    reference = fields.String(
        required=True, metadata={"description": "The transfer's payment reference, WT + 9 digits"}
    )
    amount = fields.Nested(MoneySchema, required=True)
    received_on = fields.Date(required=True)
    bank_reference = fields.String(required=True, validate=validate.Length(1, 80))


class TransferListArgs(Schema):
    listing_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    mine = fields.Boolean(
        load_default=False,
        metadata={"description": "Your transfers (as tenant, taker or owner) instead of offers"},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class TransferSchema(Schema):
    id = fields.Integer()
    state = fields.String(
        metadata={
            "description": "offered, requested, owner_approved, completed, withdrawn, refused"
            " or expired"
        }
    )
    booking_id = fields.Integer()
    listing_id = fields.Integer()
    tenant_id = fields.Integer()
    taker_id = fields.Integer(allow_none=True)
    taker = fields.Nested(
        OrganizationSchema,
        allow_none=True,
        metadata={"description": "The taker with its public credit rating (tier and score)"},
    )
    taker_goods = fields.Method(
        "_taker_goods",
        allow_none=True,
        metadata={
            "type": "object",
            "nullable": True,
            "description": "The SKU profile the taker declared (null before a request)",
        },
    )
    effective_date = fields.Date()
    last_day = fields.Date(attribute="booking.end_date")
    quantity = fields.Integer()
    price = fields.Method("_price")
    consent_required = fields.Boolean()
    approved_at = fields.DateTime(
        allow_none=True, metadata={"description": "When the owner gave its consent"}
    )
    payment_reference = fields.Method("_reference")
    reason = fields.String()
    new_booking_id = fields.Integer(allow_none=True)
    continuation_id = fields.Integer(allow_none=True)
    fee = fields.Method("_fee")
    goods_left_over = fields.Method(
        "_goods_left_over",
        allow_none=True,
        metadata={
            "type": "object",
            "nullable": True,
            "description": "For the tenant, the owner and operators while the transfer is"
            " open: the space (in the listing's unit, a decimal string) the tenant's goods on"
            " hand take when the units it keeps cannot hold them; null otherwise",
        },
    )
    escrow_moved = fields.Method(
        "_escrow_moved",
        allow_none=True,
        metadata={
            "type": "object",
            "nullable": True,
            "description": "At completion: the lease's escrow not yet released for the days"
            " handed on, which became the new leases' rent (not the price)",
        },
    )
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)

    def _taker_goods(self, transfer) -> dict | None:
        if transfer.taker_id is None:
            return None
        return {name: getattr(transfer, name) for name in SkuProfileSchema().fields}

    def _price(self, transfer) -> dict:
        return transfer.price.as_json()

    def _fee(self, transfer):
        if transfer.fee_minor is None:
            return None
        return {"amount_minor": transfer.fee_minor, "currency": transfer.currency}

    def _goods_left_over(self, transfer):
        left = goods_left_over_of(api_actor(), transfer)
        if left is None:
            return None
        return {"space_used": str(left.used), "units_kept": left.kept}

    def _escrow_moved(self, transfer):
        if transfer.escrow_moved_minor is None:
            return None
        return {"amount_minor": transfer.escrow_moved_minor, "currency": transfer.currency}

    def _reference(self, transfer) -> str:
        return transfer_reference(transfer.id)


class TransferPageSchema(Schema):
    results = fields.List(fields.Nested(TransferSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class TransferReceiptSchema(Schema):
    id = fields.Integer()
    transfer_id = fields.Integer()
    amount = fields.Method("_amount")
    received_on = fields.Date()
    bank_reference = fields.String()
    transfer_state = fields.String(attribute="transfer.state")

    def _amount(self, receipt) -> dict:
        return {"amount_minor": receipt.amount_minor, "currency": receipt.currency}
