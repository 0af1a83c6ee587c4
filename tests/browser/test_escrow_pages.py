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
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.rules import BookingTerms, SkuProfile
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


def test_the_operator_picks_a_payment_awaiting_money_on_a_desktop_and_a_phone(
    browser, live_app, live_server
):
    """The console lists what waits for money; picking a row fills the reference, amount and
    currency, and the operator types what the bank statement says."""
    with live_app.app_context():
        owner = register("Rotterdam Racks BV", "owner", "NL", "Jan Smit", "jan@racks.example")
        tenant = register("Lagos Textiles Ltd", "exporter", "NG", "Ade Bello", "ade@lagos.example")
        create_operator("ops@pick.example", "Pat Pick", PASSWORD)
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Waalhaven Hall 2", "Waalhaven 2", "Rotterdam", "NL"),
            title="Textile pallets at Waalhaven",
            quantity=40,
            days=200,
            price_minor=600,
            currency="EUR",
            categories=["general"],
        )
        today = utc_today()
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "general", 5)
        start = today + timedelta(days=6)
        request = BookingRequest(listing.id, 5, start, start + timedelta(days=60), goods)
        terms = BookingTerms.from_config(live_app.config)
        booking = request_booking(tenant, request, terms, utc_now(), today)
        accept_booking(owner, booking.id, utc_now())
        reference, total = payment_reference(booking.id), booking.total_minor

    for width, name in ((390, "phone-escrow-console-awaiting"), (1280, "escrow-console-awaiting")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        log_in(page, live_server, "ops@pick.example")
        page.goto(f"{live_server}/operator/escrow")
        row = page.locator("#awaiting + table tr", has=page.locator(f"code:text-is('{reference}')"))
        assert "Lagos Textiles Ltd" in row.inner_text()
        screenshot(page, name)
        if width == 390:
            width_used = page.evaluate("document.documentElement.scrollWidth")
            assert width_used <= 390, width_used  # the table scrolls inside the page
            context.close()
            continue
        row.locator("a:has-text('Pick')").click()
        assert page.input_value("#reference") == reference
        assert page.input_value("#amount") == f"{total / 100:.2f}"
        assert page.input_value("#currency") == "EUR"
        page.fill("#bank_reference", "RABO-7731")
        screenshot(page, "escrow-console-picked")
        page.click("main button:has-text('Record transfer')")
        page.wait_for_selector(f"text=recorded for booking #{booking.id}, which is now confirmed")
        context.close()
