"""Organizations, an ambient warehouse and a pallet listing for the browser checks, made
through the services as a user would make them."""

from __future__ import annotations

from datetime import timedelta

from warehouse_exchange.accounts.services import Registration, register_organization
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.rules import BookingTerms
from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
from warehouse_exchange.escrow.rules import payment_reference
from warehouse_exchange.listings.services import ListingData, create_listing
from warehouse_exchange.warehouses.services import WarehouseData, create_warehouse

PASSWORD = "browser-password"


def register(name: str, kind: str, country: str, person: str, email: str):
    return register_organization(Registration(name, kind, country, person, email, PASSWORD))


def pallet_listing(
    owner, geocoder, *, warehouse: tuple[str, str, str, str], title: str, quantity: int,
    days: int, price_minor: int, currency: str, categories: list[str], **terms,
):  # fmt: skip
    """A listing of pallet positions, kept at 15–25 °C, from today for `days` days, in a new
    warehouse (`warehouse` is its name, address, city and country)."""
    name, address, city, country = warehouse
    made = create_warehouse(
        owner,
        WarehouseData(
            name=name,
            address=address,
            city=city,
            country=country,
            max_pallet_height_cm=200,
            max_pallet_weight_kg=1200,
            floor_load_kg_m2=5000,
            temperature_zones={"ambient": (15, 25)},
        ),
        geocoder,
    )
    today = utc_today()
    return create_listing(
        owner,
        made.id,
        ListingData(
            title=title,
            unit="pallet",
            quantity=quantity,
            available_from=today,
            available_to=today + timedelta(days=days),
            price_minor=price_minor,
            currency=currency,
            max_unit_length_cm=120,
            max_unit_width_cm=100,
            max_unit_height_cm=180,
            max_unit_weight_kg=800,
            temperature_min_c=15,
            temperature_max_c=25,
            categories=categories,
            **terms,
        ),
        today,
    )


def paid_lease(app, owner, tenant, operator, request: BookingRequest, bank_reference: str):
    """The tenant's booking, accepted by the owner and paid in full by bank transfer."""
    today, now = utc_today(), utc_now()
    booking = request_booking(tenant, request, BookingTerms.from_config(app.config), now, today)
    accept_booking(owner, booking.id, now)
    receipt = ReceiptData(
        payment_reference(booking.id), booking.total_minor, booking.currency, today,
        bank_reference,
    )  # fmt: skip
    record_bank_receipt(operator, receipt, now, today)
    return booking
