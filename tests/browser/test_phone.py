"""Pages on a phone's screen (390 × 844) in headless Chromium: the menu folds behind a
button, and a wide table scrolls inside the page instead of widening it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import PASSWORD, register
from tests.browser.test_booking_pages import log_in
from warehouse_exchange.accounts.services import create_operator

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
    assert "My leases" in menu.inner_text() and "Disputes" in menu.inner_text()
    screenshot(phone, "phone-menu")
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
