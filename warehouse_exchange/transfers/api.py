"""API twins of the transfer pages: offer, list, get, request, approve, refuse, withdraw, the
taker's card payment of the price, and the operator's record of the taker's bank transfer."""

from __future__ import annotations

from ..adapters.clock import utc_now, utc_today
from ..escrow import cards as escrow_cards
from ..escrow.bank_receipts import ReceiptData
from ..escrow.schemas import CardPaymentSchema
from ..web.api import ApiBlueprint, page_body
from ..web.auth import api_actor, api_login_required
from . import cards, commands, queries, receipts
from .schemas import (
    OfferInSchema,
    ReasonInSchema,
    RefuseInSchema,
    TransferListArgs,
    TransferPageSchema,
    TransferReceiptInSchema,
    TransferReceiptSchema,
    TransferRequestInSchema,
    TransferSchema,
)

blp = ApiBlueprint("transfers_api", __name__, description="Transfers of leases to other exporters")


@blp.post("/transfers")
@api_login_required
@blp.arguments(OfferInSchema)
@blp.response(201, TransferSchema)
@blp.refuses(
    403,
    "forbidden: only the tenant of the lease; blacklisted: the organization is on the blacklist.",
)
@blp.refuses(404, "not_found: no such booking.")
@blp.refuses(
    409, "conflict: the lease cannot be offered now (not paid, in dispute, already offered...)."
)
def offer(args):
    """The tenant offers the rest of a confirmed or active, fully paid lease. 409 when the
    lease has instalments still to pay or is already on offer."""
    price = args["price"]
    data = commands.Offer(
        args["booking_id"],
        args["effective_date"],
        args["quantity"],
        price["amount_minor"],
        price["currency"],
    )
    return commands.offer_transfer(api_actor(), data, utc_now(), utc_today())


@blp.get("/transfers")
@api_login_required
@blp.arguments(TransferListArgs, location="query")
@blp.response(200, TransferPageSchema)
def list_transfers(args):
    """Transfers on offer (optionally at one listing), or with mine=true your own."""
    if args["mine"]:
        page = queries.my_transfers(api_actor(), args["page"], args["per_page"])
    else:
        page = queries.offers(utc_today(), args["page"], args["per_page"], args.get("listing_id"))
    return page_body(page)


@blp.get("/transfers/<id:transfer_id>")
@api_login_required
@blp.response(200, TransferSchema)
def get(transfer_id: int):
    """An offer, for anyone logged in; once requested, for its parties and operators."""
    return queries.get_transfer(api_actor(), transfer_id)


@blp.post("/transfers/<id:transfer_id>/request")
@api_login_required
@blp.arguments(TransferRequestInSchema)
@blp.response(200, TransferSchema)
@blp.refuses(403, "forbidden: only exporter organizations, and not the tenant itself; blacklisted.")
@blp.refuses(409, "conflict: the transfer is not on offer, or has lapsed.")
def request_transfer(args, transfer_id: int):
    """An exporter asks to take the lease over, declaring its goods (422 when the listing
    does not accept them)."""
    return commands.request_transfer(
        api_actor(), transfer_id, args["sku_profile"], utc_now(), utc_today()
    )


@blp.post("/transfers/<id:transfer_id>/approve")
@api_login_required
@blp.response(200, TransferSchema)
@blp.refuses(403, "forbidden: only the listing's owner; blacklisted.")
@blp.refuses(409, "conflict: nobody has asked to take the lease over, or the offer lapsed.")
def approve(transfer_id: int):
    """The listing's owner approves the taker; the taker may then pay."""
    return commands.approve_transfer(api_actor(), transfer_id, utc_now(), utc_today())


@blp.post("/transfers/<id:transfer_id>/refuse")
@api_login_required
@blp.arguments(RefuseInSchema)
@blp.response(200, TransferSchema)
@blp.refuses(403, "forbidden: only the listing's owner.")
@blp.refuses(409, "conflict: nobody has asked to take the lease over.")
def refuse(args, transfer_id: int):
    """The listing's owner refuses the taker, with a reason."""
    return commands.refuse_transfer(api_actor(), transfer_id, args["reason"], utc_now())


@blp.post("/transfers/<id:transfer_id>/withdraw")
@api_login_required
@blp.arguments(ReasonInSchema)
@blp.response(200, TransferSchema)
@blp.refuses(403, "forbidden: only the tenant who offered the lease.")
@blp.refuses(409, "conflict: the transfer is already over.")
def withdraw(args, transfer_id: int):
    """The tenant withdraws its offer before completion."""
    return commands.withdraw_transfer(api_actor(), transfer_id, args["reason"], utc_now())


@blp.post("/transfers/<id:transfer_id>/card-payment")
@api_login_required
@blp.response(201, CardPaymentSchema)
@blp.refuses(402, "payment_declined: the card was refused.")
@blp.refuses(403, "forbidden: only the taker pays.")
@blp.refuses(404, "not_found: no such transfer, or card payments are not enabled here.")
@blp.refuses(409, "conflict: the transfer takes no payment now.")
@blp.refuses(502, "payment_gateway_error: the payment gateway refused or could not be reached.")
def card_payment(transfer_id: int):
    """The taker starts paying the price by card; confirm it with the client secret and
    Stripe.js. The transfer completes when Stripe's webhook says the payment succeeded."""
    gateway = escrow_cards.required_gateway()
    return cards.start_price_card_payment(api_actor(), transfer_id, gateway, utc_today())


@blp.post("/transfers/receipts")
@api_login_required
@blp.arguments(TransferReceiptInSchema)
@blp.response(201, TransferReceiptSchema, description="Recorded: the transfer completed")
@blp.alt_response(
    200,
    schema=TransferReceiptSchema,
    description="Already recorded: the same bank transfer was entered before; nothing changed",
)
@blp.refuses(403, "forbidden: only platform operators; blacklisted: a party is on the blacklist.")
@blp.refuses(409, "bank_reference_used; conflict: the transfer takes no payment now.")
def record_receipt(args):
    """An operator records the taker's bank transfer of the asking price; the transfer
    completes at once. The same bank transfer entered again answers 200 with the receipt
    recorded before. 409 for any other amount (send it back), or when the bank reference
    already paid something else."""
    data = ReceiptData(
        args["reference"],
        args["amount"]["amount_minor"],
        args["amount"]["currency"],
        args["received_on"],
        args["bank_reference"],
    )
    recorded = receipts.record_price_receipt(api_actor(), data, utc_now(), utc_today())
    return recorded.receipt, 200 if recorded.replayed else 201
