"""Escrow pages in headless Chromium: pay by reference, the operator's console, earnings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_booking_pages import log_in
from warehouse_exchange.accounts.services import (
    Registration,
    create_operator,
    register_organization,
)
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.bookings.rules import SkuProfile
from warehouse_exchange.bookings.services import (
    BookingRequest,
    BookingTerms,
    accept_booking,
    request_booking,
)
from warehouse_exchange.escrow.rules import payment_reference
from warehouse_exchange.listings.services import ListingData, create_listing
from warehouse_exchange.warehouses.services import WarehouseData, create_warehouse

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"


def _register(name, kind, country, person, email):
    return register_organization(Registration(name, kind, country, person, email, PASSWORD))


@pytest.fixture(scope="module")
def accepted_booking(live_app):
    with live_app.app_context():
        owner = _register("Felixstowe Dockside Ltd", "owner", "GB", "Amy Hart", "amy@dock.example")
        tenant = _register("Saigon Home Goods", "exporter", "VN", "Linh Tran", "linh@sg.example")
        create_operator("ops@escrow.example", "Olu Ops", PASSWORD)
        warehouse = create_warehouse(
            owner,
            WarehouseData(
                name="Dockside Shed 7",
                address="Dock Road 7",
                city="Felixstowe",
                country="GB",
                max_pallet_height_cm=200,
                max_pallet_weight_kg=1200,
                floor_load_kg_m2=5000,
                temperature_zones={"ambient": (15, 25)},
            ),
            live_app.extensions["geocoder"],
        )
        today = utc_today()
        listing = create_listing(
            owner,
            warehouse.id,
            ListingData(
                title="Homeware pallets at Felixstowe",
                unit="pallet",
                quantity=80,
                available_from=today,
                available_to=today + timedelta(days=300),
                price_minor=450,
                currency="GBP",
                max_unit_length_cm=120,
                max_unit_width_cm=100,
                max_unit_height_cm=180,
                max_unit_weight_kg=800,
                temperature_min_c=15,
                temperature_max_c=25,
                categories=["furniture", "general"],
            ),
            today,
        )
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "furniture", 30)
        start = today + timedelta(days=4)
        request = BookingRequest(listing.id, 10, start, start + timedelta(days=90), goods)
        terms = BookingTerms.from_config(live_app.config)
        booking = request_booking(tenant, request, terms, utc_now(), today)
        accept_booking(owner, booking.id, utc_now())
        return booking.id, booking.total_minor


def test_pay_by_reference_then_see_escrow_and_earnings(page, live_server, accepted_booking):
    booking_id, total_minor = accepted_booking
    reference = payment_reference(booking_id)
    log_in(page, live_server, "linh@sg.example")
    page.goto(f"{live_server}/bookings/{booking_id}")
    assert page.locator(".reference").inner_text() == reference
    screenshot(page, "booking-awaiting-payment")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "ops@escrow.example")
    page.click("header a:has-text('Escrow')")
    page.fill("#reference", reference)
    page.fill("#amount", "1.00")
    page.select_option("#currency", "USD")
    page.fill("#bank_reference", "BARC-2211")
    page.click("main button:has-text('Record transfer')")
    assert "Must be GBP." in page.locator(".field", has=page.locator("#currency")).inner_text()
    assert page.input_value("#reference") == reference  # the form keeps what was typed
    page.select_option("#currency", "GBP")
    page.fill("#amount", f"{total_minor / 100 + 5:.2f}")
    page.click("main button:has-text('Record transfer')")
    page.wait_for_selector("text=which is now confirmed")
    assert page.is_visible("text=more than the total")
    screenshot(page, "escrow-console")
    page.fill("[aria-label^='Bank reference of refund']", "BARC-OUT-1")
    page.click("main button:has-text('Mark sent')")
    page.wait_for_selector("text=No refund is waiting to be sent.")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "amy@dock.example")
    page.click("header a:has-text('Earnings')")
    assert page.locator("main table").first.inner_text().count("£") == 3
    assert page.is_visible("text=Release schedule")
    screenshot(page, "owner-earnings")
    page.goto(f"{live_server}/bookings/{booking_id}")
    assert page.is_visible(".badge.state-confirmed")
    screenshot(page, "booking-paid")
