"""Disputes in headless Chromium: the tenant opens one with a photo, the parties write in
the thread, the operator takes the case and decides it (a wrong split first), and both
parties read the decision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import PASSWORD, paid_lease, pallet_listing, register
from tests.browser.test_booking_pages import log_in
from tests.uploads import PNG
from warehouse_exchange.accounts.services import create_operator
from warehouse_exchange.adapters.clock import utc_today
from warehouse_exchange.bookings.commands import BookingRequest
from warehouse_exchange.bookings.rules import SkuProfile

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def paid_booking(live_app):
    with live_app.app_context():
        owner = register("Rotterdam Quay BV", "owner", "NL", "Daan Vos", "daan@quay.example")
        tenant = register("Shenzhen Lamps Co", "exporter", "CN", "Mei Chen", "mei@lamps.example")
        operator = create_operator("ops@disputes.example", "Ola Ops", PASSWORD)
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Quay Hall 2", "Quay 2", "Rotterdam", "NL"),
            title="Lighting pallets at Rotterdam",
            quantity=40,
            days=200,
            price_minor=500,
            currency="EUR",
            categories=["general"],
        )
        today = utc_today()
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "general", 12)
        start = today + timedelta(days=3)
        request = BookingRequest(listing.id, 8, start, start + timedelta(days=60), goods)
        return paid_lease(live_app, owner, tenant, operator, request, "ING-5501").id


def test_a_dispute_from_opening_to_decision(page, live_server, paid_booking, tmp_path):
    photo = tmp_path / "empty-bay.png"
    photo.write_bytes(PNG)
    log_in(page, live_server, "mei@lamps.example")
    page.goto(f"{live_server}/bookings/{paid_booking}")
    page.click("main a:has-text('Open a dispute')")
    page.select_option("#category", "space_not_available")
    page.fill("#claimed", "-3")
    page.fill(
        "#description",
        "Our trucks arrived on day one and the bay was full of\nsomeone else's pallets.",
    )
    page.set_input_files("#evidence", str(photo))
    page.click("main button:has-text('Open the dispute')")
    assert (
        "Must not be negative." in page.locator(".field", has=page.locator("#claimed")).inner_text()
    )
    assert "bay was full" in page.input_value("#description")  # the form keeps what was typed
    screenshot(page, "dispute-open-refused")
    page.fill("#claimed", "350.00")
    page.set_input_files("#evidence", str(photo))
    page.click("main button:has-text('Open the dispute')")
    page.wait_for_selector("text=the booking's escrow is frozen")
    dispute_url = page.url
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "daan@quay.example")
    page.goto(dispute_url)
    page.fill("#body", "Bay 4 was free from 08:00; the driver went to bay 2.")
    page.click("main button:has-text('Send')")
    page.wait_for_selector("text=Message sent.")
    assert page.locator(".thread .message").count() == 2
    screenshot(page, "dispute-thread")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "ops@disputes.example")
    page.click("header a:has-text('Disputes')")
    screenshot(page, "dispute-queue")
    page.click("main table a:has-text('#')")
    page.click("main button:has-text('Take the case')")
    page.wait_for_selector("text=You took dispute")
    frozen = page.locator("#decide strong").inner_text()
    amount = float(frozen.split("€")[1].split()[0].replace(",", ""))
    page.fill("#tenant_share", f"{amount:.2f}")
    page.fill("#owner_share", "1.00")
    page.fill("#reasons", "The gate log shows bay 4 was occupied until noon.")
    page.click("main button:has-text('Decide and execute')")
    assert (
        "must add up to" in page.locator(".field", has=page.locator("#tenant_share")).inner_text()
    )
    screenshot(page, "dispute-decision-refused")
    page.fill("#owner_share", "0")
    page.fill("#reserve_payout", "5.00")  # the reserve holds only this lease's fee
    page.click("main button:has-text('Decide and execute')")
    page.wait_for_selector("text=the ledger has moved the money")
    assert page.is_visible("text=From the guarantee reserve")
    screenshot(page, "dispute-decided-operator")
    page.goto(f"{dispute_url}/decision")  # the decided case's record still opens
    assert page.is_visible("#decision >> text=gate log shows bay 4")
    screenshot(page, "dispute-decision-page-decided")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "dispute-decision-page-decided-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("header a:has-text('Audit log')")
    assert page.is_visible("text=dispute.decide")
    screenshot(page, "audit-log")
    page.click("header a:has-text('Disputes')")
    page.click("main a:has-text('guarantee reserve')")
    screenshot(page, "guarantee-reserve")
    page.click("header a:has-text('Escrow')")  # the tenant's share and the payout are owed
    row = page.locator("tr", has=page.locator("text=Dispute #"))
    row.locator("[aria-label^='Bank reference of refund']").fill("ING-OUT-77")
    row.locator("button:has-text('Mark sent')").click()
    page.wait_for_selector("text=No refund is waiting to be sent.")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "mei@lamps.example")
    page.goto(dispute_url)
    assert page.is_visible("text=gate log shows bay 4")
    assert page.is_visible("text=The thread is closed.")
    screenshot(page, "dispute-decided-tenant")
    page.goto(f"{dispute_url}/decision")  # a party is shown the decision on the case page
    assert page.url == f"{dispute_url}#decision"
    assert page.is_visible("#decision >> text=gate log shows bay 4")
