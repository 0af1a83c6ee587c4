"""Escrow pages in headless Chromium: pay by reference, the operator's console, earnings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import PASSWORD, pallet_listing, register
from tests.browser.test_booking_pages import log_in
from warehouse_exchange.accounts.services import (
    create_operator,
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

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def accepted_booking(live_app):
    with live_app.app_context():
        owner = register("Felixstowe Dockside Ltd", "owner", "GB", "Amy Hart", "amy@dock.example")
        tenant = register("Saigon Home Goods", "exporter", "VN", "Linh Tran", "linh@sg.example")
        create_operator("ops@escrow.example", "Olu Ops", PASSWORD)
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Dockside Shed 7", "Dock Road 7", "Felixstowe", "GB"),
            title="Homeware pallets at Felixstowe",
            quantity=80,
            days=300,
            price_minor=450,
            currency="GBP",
            categories=["furniture", "general"],
        )
        today = utc_today()
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
