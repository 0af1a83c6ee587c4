"""API schemas of escrow."""

from marshmallow import fields, validate

from ..bookings.schemas import PaymentInstalmentSchema
from ..pagination import MAX_PAGE
from ..web.api import MoneySchema
from ..web.schema import Schema


class ReceiptInSchema(Schema):
    reference = fields.String(
        required=True,
        metadata={
            "description": "The payment reference the transfer quotes: a booking's (WX + 9"
            " digits), one of its instalments' (WX0000021-01-03) or a lease transfer's (WT + 9"
            " digits)"
        },
    )
    amount = fields.Nested(MoneySchema, required=True)
    received_on = fields.Date(required=True)
    bank_reference = fields.String(
        required=True,
        validate=validate.Length(1, 80),
        metadata={"description": "The bank's own: one bank transfer is recorded once"},
    )


class ReceiptSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer(
        allow_none=True, metadata={"description": "The booking paid (null: a transfer's price)"}
    )
    transfer_id = fields.Integer(
        allow_none=True, metadata={"description": "The lease transfer whose price is paid"}
    )
    amount = fields.Nested(MoneySchema)
    received_on = fields.Date()
    bank_reference = fields.String()
    booking_state = fields.Function(
        lambda receipt: receipt.booking.state if receipt.booking_id is not None else None,
        allow_none=True,
    )
    transfer_state = fields.Function(
        lambda receipt: receipt.transfer.state if receipt.transfer_id is not None else None,
        allow_none=True,
    )


class PaymentDueSchema(Schema):
    reference = fields.String(metadata={"description": "What the payer quotes on the transfer"})
    payer = fields.String(metadata={"description": "The tenant, or the taker of a transfer"})
    amount = fields.Nested(MoneySchema, metadata={"description": "What is still to pay"})
    due_on = fields.Date()
    booking_id = fields.Integer(allow_none=True)
    transfer_id = fields.Integer(allow_none=True)


class PaymentDuePageSchema(Schema):
    results = fields.List(fields.Nested(PaymentDueSchema), attribute="items")
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class RefundSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer()
    payee_id = fields.Integer(metadata={"description": "The organization the money goes to"})
    payee_name = fields.String(attribute="payee.name")
    transfer_id = fields.Integer(
        allow_none=True,
        metadata={"description": "Set when it goes back to the taker of this lease transfer"},
    )
    card_payment_id = fields.Integer(
        allow_none=True, metadata={"description": "The card payment it goes back to, if any"}
    )
    amount = fields.Nested(MoneySchema)
    reason = fields.String()
    state = fields.String(metadata={"description": "due or sent"})
    sent_at = fields.DateTime(allow_none=True)
    bank_reference = fields.String(allow_none=True)


class RefundSentSchema(Schema):
    bank_reference = fields.String(required=True, validate=validate.Length(1, 80))


class InstalmentSchema(Schema):
    sequence = fields.Integer()
    due_on = fields.Date()
    amount = fields.Nested(MoneySchema)
    released_at = fields.DateTime(allow_none=True)


class SettlingDisputeSchema(Schema):
    dispute_id = fields.Integer(attribute="id")
    decided_at = fields.DateTime()


class EscrowSummarySchema(Schema):
    booking_id = fields.Integer()
    reference = fields.String(metadata={"description": "Quote it on the bank transfer"})
    total = fields.Nested(MoneySchema)
    paid = fields.Nested(MoneySchema)
    outstanding = fields.Nested(MoneySchema)
    in_escrow = fields.Nested(MoneySchema)
    released = fields.Nested(MoneySchema)
    refunded = fields.Nested(MoneySchema)
    instalments = fields.List(fields.Nested(InstalmentSchema))
    refunds = fields.List(fields.Nested(RefundSchema))
    payment_plan = fields.String(metadata={"description": "upfront or monthly"})
    payments = fields.List(
        fields.Nested(PaymentInstalmentSchema),
        metadata={"description": "The payment schedule: what the tenant pays, by when"},
    )
    next_amount = fields.Nested(
        MoneySchema,
        allow_none=True,
        metadata={"description": "What pays the next instalment not yet paid"},
    )
    settled_by = fields.Nested(
        SettlingDisputeSchema,
        allow_none=True,
        metadata={"description": "The dispute whose decision settled what escrow held, if any"},
    )


class StatementLineSchema(Schema):
    at = fields.DateTime()
    movement = fields.String(attribute="transaction_kind")
    booking_id = fields.Integer(allow_none=True)
    account = fields.String(attribute="account_kind")
    memo = fields.String()
    amount = fields.Nested(MoneySchema)
    balance = fields.Nested(MoneySchema, metadata={"description": "The account's, after it"})


class BalanceSchema(Schema):
    account = fields.String()
    balance = fields.Nested(MoneySchema)


class PayoutInSchema(Schema):
    organization_id = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, 2**31 - 1)
    )
    amount = fields.Nested(MoneySchema, required=True)
    bank_reference = fields.String(required=True, validate=validate.Length(1, 80))


class WebhookReceiptSchema(Schema):
    id = fields.String()
    type = fields.String()
    outcome = fields.String(metadata={"description": "What the platform did with the event"})


class CardPaymentSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer(
        allow_none=True, metadata={"description": "The booking paid (null: a transfer's price)"}
    )
    transfer_id = fields.Integer(
        allow_none=True, metadata={"description": "The lease transfer whose price is paid"}
    )
    payment_intent_id = fields.String()
    client_secret = fields.String(metadata={"description": "For Stripe.js to confirm the card"})
    amount = fields.Nested(MoneySchema)
    status = fields.String(metadata={"description": "pending, succeeded or failed"})
    decline_message = fields.String()


class EndLeaseSchema(Schema):
    last_day = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ReserveFundingInSchema(Schema):
    amount = fields.Nested(MoneySchema, required=True)
    bank_reference = fields.String(required=True, validate=validate.Length(1, 80))


class ReserveFundingSchema(Schema):
    transaction_id = fields.Integer()
    memo = fields.String()


class TimelineMarkerSchema(Schema):
    lane = fields.String(metadata={"description": "payment, release or refund"})
    day = fields.Date()
    amount = fields.Nested(MoneySchema)
    status = fields.String(
        metadata={
            "description": "payment: paid, due, overdue, covered, cancelled; release: released,"
            " due, upcoming, waiting_for_payment, frozen, awaiting_check_in, cancelled;"
            " refund: sent, due"
        }
    )
    title = fields.String(metadata={"description": "Payment 1, Release 2, Refund"})
    words = fields.String(metadata={"description": "The status, in words"})


class EscrowTimelineSchema(Schema):
    booking_id = fields.Integer()
    start = fields.Date()
    end = fields.Date(metadata={"description": "The lease's last day"})
    today = fields.Date()
    owner_share = fields.Nested(
        MoneySchema,
        metadata={"description": "What the ledger released to the owner and what is still to"
                  " release"},
    )  # fmt: skip
    released = fields.Nested(MoneySchema, metadata={"description": "Left escrow for the owner"})
    held = fields.Nested(MoneySchema, metadata={"description": "Still held in escrow"})
    released_percent = fields.Integer(metadata={"description": "Of the owner's share"})
    frozen = fields.Boolean(metadata={"description": "An open dispute freezes the releases"})
    markers = fields.List(fields.Nested(TimelineMarkerSchema))
