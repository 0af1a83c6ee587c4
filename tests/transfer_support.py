"""A paid lease to hand on, and the steps of a transfer, shared by the transfer tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from tests.factories import ListingFactory, OperatorFactory, WarehouseFactory
from tests.helpers import booking_terms, goods, pay_in_full
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.escrow.bank_receipts import ReceiptData
from warehouse_exchange.escrow.rules import add_months
from warehouse_exchange.extensions import db
from warehouse_exchange.transfers.commands import Offer
from warehouse_exchange.transfers.models import Transfer
from warehouse_exchange.transfers.rules import transfer_reference

NOW = datetime.now(UTC)
TODAY = NOW.date()
START = TODAY + timedelta(days=10)
END = add_months(START, 4) - timedelta(days=1)  # four whole months
#: inside the second month: months three and four are still to be released
EFFECTIVE = START + timedelta(days=40)


def paid_lease(owner, exporter, quantity=10, plan="upfront", consent=True, end=END, **listing):
    """A confirmed lease of four months, paid in full up front (a monthly one: accepted only)."""
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        quantity=100,
        price_minor=700,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=400),
        transfer_consent=consent,
        **listing,
    )
    request = BookingRequest(listing.id, quantity, START, end, goods(), payment_plan=plan)
    booking = request_booking(exporter, request, booking_terms(), NOW, TODAY)
    accept_booking(owner, booking.id, NOW)
    if plan == "upfront":
        pay_in_full(OperatorFactory(), booking)
    return booking


def offer(booking, quantity=4, price_minor=50_000, effective=EFFECTIVE, currency="EUR"):
    return Offer(booking.id, effective, quantity, price_minor, currency)


def offer_json(booking, quantity=4, amount=50_000, effective=EFFECTIVE, currency="EUR"):
    return {
        "booking_id": booking.id,
        "effective_date": effective.isoformat() if isinstance(effective, date) else effective,
        "quantity": quantity,
        "price": {"amount_minor": amount, "currency": currency},
    }


def goods_json(**changes):
    return {"sku_profile": {**vars(goods()), **changes}}


def receipt(transfer, amount=None, bank_reference=None, when=NOW):
    return ReceiptData(
        transfer_reference(transfer.id),
        transfer.price_minor if amount is None else amount,
        transfer.currency,
        when.date(),
        bank_reference or f"TAKER-{transfer.id}",
    )


def transfer_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Transfer))
