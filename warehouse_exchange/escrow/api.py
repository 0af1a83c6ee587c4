"""API twins of the escrow pages and console."""

from __future__ import annotations

from flask import request

from ..adapters.clock import utc_now, utc_today
from ..bookings.schemas import BookingSchema
from ..transfers import receipts
from ..web.api import ApiBlueprint
from ..web.auth import api_actor, api_login_required
from . import bank_receipts, cards, payouts, queries, refunds, reserve, timeline
from .defaults import end_lease_after_default
from .schemas import (
    BalanceSchema,
    CardPaymentSchema,
    EndLeaseSchema,
    EscrowSummarySchema,
    EscrowTimelineSchema,
    PageArgs,
    PaymentDuePageSchema,
    PayoutInSchema,
    ReceiptInSchema,
    ReceiptSchema,
    RefundSchema,
    RefundSentSchema,
    ReserveFundingInSchema,
    ReserveFundingSchema,
    StatementLineSchema,
    WebhookReceiptSchema,
)

blp = ApiBlueprint("escrow_api", __name__, description="Escrow: payments, releases and refunds")


@blp.post("/escrow/receipts")
@api_login_required
@blp.arguments(ReceiptInSchema)
@blp.response(201, ReceiptSchema, description="Recorded: the money pays what it quotes")
@blp.alt_response(
    200,
    schema=ReceiptSchema,
    description="Already recorded: the same bank transfer (bank reference, payment reference"
    " and amount) was entered before; nothing changed, and this is the receipt recorded then",
)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(
    409,
    "bank_reference_used: the bank transfer already paid something else; conflict: what it"
    " quotes takes no payment.",
)
def record_receipt(args):
    """An operator records a bank transfer into escrow, by the payment reference it quotes: a
    booking's or an instalment's (WX…) or a lease transfer's (WT…). Entering the same transfer
    again answers 200 with the receipt recorded before and changes nothing. 409 when the bank
    reference already paid something else (named in the message): one transfer pays once;
    409 too when what it quotes takes no payment (closed, or already paid in full)."""
    data = bank_receipts.ReceiptData(
        args["reference"],
        args["amount"]["amount_minor"],
        args["amount"]["currency"],
        args["received_on"],
        args["bank_reference"],
    )
    recorded = receipts.record_receipt(api_actor(), data, utc_now(), utc_today())
    return recorded.receipt, 200 if recorded.replayed else 201


@blp.get("/escrow/payments-due")
@api_login_required
@blp.arguments(PageArgs, location="query")
@blp.response(200, PaymentDuePageSchema)
@blp.refuses(403, "forbidden: only platform operators.")
def payments_due(args):
    """Payments the platform asked for that wait for the payer's money (bookings' next
    instalments and lease transfers' prices), soonest due first; operators only."""
    return receipts.payments_awaiting_money(
        api_actor(), utc_today(), args["page"], args["per_page"]
    )


@blp.get("/escrow/refunds")
@api_login_required
@blp.response(200, RefundSchema(many=True))
@blp.refuses(403, "forbidden: only platform operators.")
def refunds_due():
    """Refunds owed to tenants and not yet sent (operators only)."""
    return queries.refunds_due(api_actor())


@blp.post("/escrow/refunds/<id:refund_id>/sent")
@api_login_required
@blp.arguments(RefundSentSchema)
@blp.response(200, RefundSchema)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(404, "not_found: no such refund.")
@blp.refuses(409, "conflict: the refund was already sent, or its bank reference paid another.")
def refund_sent(args, refund_id: int):
    """An operator sent a refund; the money leaves escrow."""
    return refunds.send_refund(api_actor(), refund_id, args["bank_reference"], utc_now())


@blp.get("/bookings/<id:booking_id>/escrow")
@api_login_required
@blp.response(200, EscrowSummarySchema)
def booking_escrow(booking_id: int):
    """What was paid for a booking, what escrow holds and what went where (its parties)."""
    return queries.escrow_summary(api_actor(), booking_id)


@blp.get("/bookings/<id:booking_id>/escrow/timeline")
@api_login_required
@blp.response(200, EscrowTimelineSchema)
def booking_escrow_timeline(booking_id: int):
    """The booking's escrow as the booking page draws it: each payment, release and refund
    with its day and status, and what the ledger released and still holds (its parties)."""
    return timeline.escrow_timeline(api_actor(), booking_id, utc_today())


@blp.get("/balances")
@api_login_required
@blp.response(200, BalanceSchema(many=True))
def balances():
    """The balances of the caller's organization's accounts, per currency."""
    return [
        {"account": kind, "balance": money}
        for kind, money in queries.organization_balances(api_actor())
    ]


@blp.get("/statement")
@api_login_required
@blp.response(200, StatementLineSchema(many=True))
def statement():
    """Every movement on the caller's organization's accounts, oldest first."""
    return queries.organization_statement(api_actor())


@blp.post("/escrow/payouts")
@api_login_required
@blp.arguments(PayoutInSchema)
@blp.response(201, BalanceSchema)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(404, "not_found: no such organization.")
@blp.refuses(409, "conflict: more than the owner is owed, or the bank reference was used.")
def payout(args):
    """An operator records a bank transfer of released earnings to an owner."""
    amount = args["amount"]
    payouts.record_payout(
        api_actor(),
        args["organization_id"],
        amount["currency"],
        amount["amount_minor"],
        args["bank_reference"],
    )
    return {
        "account": "owner_payable",
        "balance": payouts.payable_balance(args["organization_id"], amount["currency"]),
    }


@blp.post("/bookings/<id:booking_id>/card-payment")
@api_login_required
@blp.response(201, CardPaymentSchema)
@blp.refuses(402, "payment_declined: the card was refused.")
@blp.refuses(403, "forbidden: only the tenant pays.")
@blp.refuses(404, "not_found: no such booking, or card payments are not enabled here.")
@blp.refuses(409, "conflict: the booking takes no payment now.")
@blp.refuses(502, "payment_gateway_error: the payment gateway refused or could not be reached.")
def card_payment(booking_id: int):
    """The tenant starts paying a booking by card; confirm it with the client secret and
    Stripe.js. The booking is confirmed when Stripe's webhook says the payment succeeded."""
    return cards.start_card_payment(api_actor(), booking_id, cards.required_gateway())


@blp.post("/webhooks/stripe")
@blp.response(200, WebhookReceiptSchema)
@blp.refuses(
    400, "invalid_webhook: the signature is missing, wrong or too old, or the body is not an event."
)
@blp.refuses(404, "not_found: card payments are not enabled here.")
def stripe_webhook():
    """Stripe's events about card payments, verified by their Stripe-Signature header."""
    event = cards.required_gateway().parse_webhook(
        request.get_data(), request.headers.get("Stripe-Signature", "")
    )
    record = cards.handle_gateway_event(event, utc_now())
    return {"id": record.id, "type": record.type, "outcome": record.outcome}


@blp.post("/bookings/<id:booking_id>/end-early")
@api_login_required
@blp.arguments(EndLeaseSchema)
@blp.response(200, BookingSchema)
@blp.refuses(403, "forbidden: only the listing's owner.")
@blp.refuses(409, "conflict: the lease is not running, or its tenant is not in default.")
def end_early(args, booking_id: int):
    """The owner ends a lease whose tenant is in default; the month of its last day stays
    the owner's, later months are no longer owed and what was paid for them is refunded."""
    return end_lease_after_default(
        api_actor(), booking_id, args["last_day"], args["reason"], utc_now(), utc_today()
    )


@blp.post("/escrow/reserve")
@api_login_required
@blp.arguments(ReserveFundingInSchema)
@blp.response(201, ReserveFundingSchema)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(409, "bank_reference_used: the bank reference funded the reserve before.")
def fund_reserve(args):
    """Operators record the platform's own transfer into the guarantee reserve (once per
    bank reference)."""
    data = reserve.FundingData(
        args["amount"]["amount_minor"], args["amount"]["currency"], args["bank_reference"]
    )
    posting = reserve.fund_reserve(api_actor(), data, utc_now())
    return {"transaction_id": posting.id, "memo": posting.memo}
