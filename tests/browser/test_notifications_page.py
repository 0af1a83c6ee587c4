"""The notifications inbox in headless Chromium: unread badge, mark as read, email settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import pallet_listing
from tests.browser.test_booking_pages import PASSWORD, log_in
from warehouse_exchange.accounts.services import Registration, register_organization
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.bookings.commands import BookingRequest, cancel_booking, request_booking
from warehouse_exchange.bookings.rules import BookingTerms, SkuProfile

pytestmark = pytest.mark.browser
OWNER_EMAIL = "mia@valencia-port.example"


@pytest.fixture(scope="module")
def owner_inbox(live_app):
    """Two requests for the owner's listing, the second then cancelled by the tenant."""
    with live_app.app_context():
        owner = register_organization(
            Registration(
                "Valencia Port Storage SL", "owner", "ES", "Mia Ruiz", OWNER_EMAIL, PASSWORD
            )
        )
        tenant = register_organization(
            Registration(
                "Andes Coffee Exporters", "exporter", "CO", "Ana Gil", "ana@andes.example", PASSWORD
            )
        )
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Muelle Sur Shed 2", "Muelle Sur 2", "Valencia", "ES"),
            title="Citrus-season pallets at Valencia",
            quantity=50,
            days=200,
            price_minor=380,
            currency="EUR",
            categories=["general"],
        )
        terms = BookingTerms.from_config(live_app.config)
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "general", 12)
        start = utc_today() + timedelta(days=6)
        for quantity in (8, 3):
            request = BookingRequest(listing.id, quantity, start, start + timedelta(days=20), goods)
            booking = request_booking(tenant, request, terms, utc_now(), utc_today())
        cancel_booking(tenant, booking.id, "Harvest came early", utc_now(), utc_today())


def test_inbox_badge_mark_read_and_settings(page, live_server, owner_inbox):
    log_in(page, live_server, OWNER_EMAIL)
    assert page.inner_text("header .inbox .count") == "3"
    page.click("header a.inbox")
    page.wait_for_url(f"{live_server}/notifications")
    notices = page.locator("li.notice")
    assert notices.count() == 3 and page.locator("li.notice.unread").count() == 3
    assert "cancelled by Andes Coffee Exporters" in notices.first.inner_text()  # newest first
    screenshot(page, "notifications-inbox")

    notices.first.locator("button:has-text('Mark as read')").click()
    page.wait_for_selector("header .inbox .count:has-text('2')")
    assert page.locator("li.notice.unread").count() == 2
    page.click("main button:has-text('Mark all as read')")
    page.wait_for_selector("text=2 notifications marked as read.")
    assert page.locator("header .inbox .count").count() == 0
    screenshot(page, "notifications-read")

    page.click("text=Email settings")
    page.uncheck("input[value=booking_requested]")
    page.click("main button:has-text('Save')")
    page.wait_for_selector("text=Email settings saved.")
    assert not page.is_checked("input[value=booking_requested]")
    assert page.is_checked("input[value=booking_cancelled]")
    screenshot(page, "notification-settings")
