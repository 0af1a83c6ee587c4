"""Pages on a phone's screen (390 × 844) in headless Chromium: the menu folds behind a
button, a wide table scrolls inside the page instead of widening it, and the owner's requests,
occupancy and earnings turn their rows into cards whose actions are on screen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import PASSWORD, paid_lease, pallet_listing, register
from tests.browser.test_booking_pages import log_in
from warehouse_exchange.accounts.services import create_operator
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.bookings.commands import BookingRequest, request_booking
from warehouse_exchange.bookings.rules import BookingTerms, SkuProfile

PHONE_WIDTH = 390

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def test_the_menu_folds_and_wide_tables_scroll_inside_the_page(phone, live_app, live_server):
    with live_app.app_context():
        register("Both Ways Trading", "both", "MA", "Sara Idrissi", "sara@bothways.example")
        create_operator("ops@phone.example", "Pia Ops", PASSWORD)
    log_in(phone, live_server, "sara@bothways.example")
    menu = phone.locator("nav[aria-label=Main]")
    assert not menu.is_visible()
    phone.click("label.menu-button")
    assert menu.is_visible() and "My listings" in menu.inner_text()
    phone.click("header nav summary:has-text('More')")
    assert "My leases" in menu.inner_text() and "Disputes" in menu.inner_text()
    screenshot(phone, "phone-menu")
    phone.goto(f"{live_server}/")
    jump = phone.locator("a.to-filters")
    assert jump.is_visible()  # results come first on a phone; the filters are a tap away
    jump.click()
    assert phone.locator("#filters").is_visible() and phone.url.endswith("#filters")
    phone.click("header button:has-text('Log out')")

    log_in(phone, live_server, "ops@phone.example")
    phone.goto(f"{live_server}/operator/jobs/")
    table = phone.locator("main table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # the table scrolls...
    page_width = phone.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, page_width  # ...and the page does not
    screenshot(phone, "phone-jobs")


@pytest.fixture(scope="module")
def requests_and_a_lease(live_app):
    """An owner with a request waiting for an answer and a paid lease that started today."""
    with live_app.app_context():
        owner = register(
            "Valparaiso Portside SpA", "owner", "CL", "Ana Rojas", "ana@portside.example"
        )
        tenant = register(
            "Sierra Nevada Cafe SAS", "exporter", "CO", "Juan Mora", "juan@sierranevada.example"
        )
        operator = create_operator("ops@cards.example", "Cora Ops", PASSWORD)
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Portside Warehouse 2", "Avenida Errazuriz 1200", "Valparaiso", "CL"),
            title="Ambient pallet positions by the container terminal of Valparaiso",
            quantity=60,
            days=300,
            price_minor=380,
            currency="USD",
            categories=["food", "general"],
        )
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "food", 4)
        today = utc_today()
        start = today + timedelta(days=10)
        request = BookingRequest(listing.id, 12, start, start + timedelta(days=45), goods)
        request_booking(
            tenant, request, BookingTerms.from_config(live_app.config), utc_now(), today
        )
        lease = BookingRequest(listing.id, 20, today, today + timedelta(days=70), goods)
        paid_lease(live_app, owner, tenant, operator, lease, "BCI-7781")


def _on_screen(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0, box
    assert box["x"] + box["width"] <= PHONE_WIDTH, box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_accept_and_decline_of_a_request_are_on_a_phones_screen(
    phone, live_server, requests_and_a_lease
):
    log_in(phone, live_server, "ana@portside.example")
    screenshot(phone, "phone-home-owner")
    phone.goto(f"{live_server}/bookings/inbox")
    row = phone.locator("table#requests tbody tr").first
    _on_screen(phone, row.locator("button:has-text('Accept')"))
    _on_screen(phone, row.locator("a:has-text('Decline')"))
    assert row.locator("td[data-label=Tenant]").inner_text().endswith("Sierra Nevada Cafe SAS")
    screenshot(phone, "phone-requests")


def test_occupancy_and_earnings_rows_fit_a_phone(phone, live_server, requests_and_a_lease):
    log_in(phone, live_server, "ana@portside.example")
    for path, name in (("/occupancy", "phone-occupancy"), ("/earnings", "phone-earnings")):
        phone.goto(f"{live_server}{path}")
        for table in phone.locator("main table.cards").all():
            assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), path
            _on_screen(phone, table.locator("tbody tr").last)
        screenshot(phone, name)
