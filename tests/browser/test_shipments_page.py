"""Shipments in headless Chromium: the tenant announces goods to a paid lease, adds a late
event that the timeline puts in its place, and the owner sees the same timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import PASSWORD, paid_lease, pallet_listing, register
from tests.browser.test_booking_pages import log_in
from warehouse_exchange.accounts.services import (
    create_operator,
)
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.bookings.commands import BookingRequest
from warehouse_exchange.bookings.rules import SkuProfile

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def confirmed_lease(live_app):
    with live_app.app_context():
        owner = register("Antwerp Quay Storage NV", "owner", "BE", "Jan Peeters", "jan@aq.example")
        tenant = register("Bright Audio Co.", "exporter", "CN", "Wei Zhang", "wei@ba.example")
        operator = create_operator("ops@ship.example", "Ola Ops", PASSWORD)
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Quay Hall 12", "Kaai 12", "Antwerp", "BE"),
            title="Electronics pallets in Antwerp",
            quantity=50,
            days=300,
            price_minor=500,
            currency="EUR",
            categories=["electronics"],
        )
        today = utc_today()
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "electronics", 4)
        start = today + timedelta(days=3)
        request = BookingRequest(listing.id, 6, start, start + timedelta(days=90), goods)
        return paid_lease(live_app, owner, tenant, operator, request, "KBC-77").id


def test_announce_a_shipment_and_follow_its_timeline(page, live_server, confirmed_lease):
    log_in(page, live_server, "wei@ba.example")
    page.goto(f"{live_server}/bookings/{confirmed_lease}")
    page.click("main a:has-text('Shipments to this lease')")
    page.wait_for_selector("text=No shipment has been announced to this lease yet.")
    page.click("main .page-head a:has-text('Announce a shipment')")

    page.fill("#carrier", "COSCO")
    page.fill("#tracking_number", "COSU6123456780")
    page.select_option("#mode", "sea")
    page.fill("#expected_arrival", (utc_today() + timedelta(days=20)).isoformat())
    page.fill("#lines-0-sku", "BA-HP-200")
    page.fill("#lines-0-description", "Wireless headphones")
    page.fill("#lines-0-units", "-5")
    page.fill("#lines-0-unit_length_cm", "22")
    page.fill("#lines-0-unit_width_cm", "18")
    page.fill("#lines-0-unit_height_cm", "9")
    page.fill("#lines-0-unit_weight_kg", "1")
    page.fill("#lines-0-declared_value", "12500")
    page.select_option("#lines-0-currency", "USD")
    page.fill("#lines-0-hs_code", "851830")
    page.click("main button:has-text('Announce shipment')")
    units = page.locator(".field", has=page.locator("#lines-0-units"))
    assert "between 1 and" in units.inner_text()
    assert page.input_value("#lines-0-sku") == "BA-HP-200"  # the form keeps what was typed
    page.fill("#lines-0-units", "500")
    page.click("main button:has-text('Announce shipment')")
    page.wait_for_selector("text=Shipment COSCO COSU6123456780 announced.")
    assert page.is_visible("td:has-text('$12,500.00')")  # typed as dollars, kept as cents
    assert page.is_visible("text=No event yet")

    now = utc_now()
    for kind, hours_ago, place in (
        ("in_transit", 20, "Strait of Malacca"),
        ("departed", 70, "Yantian, Shenzhen"),  # reported late, happened first
    ):
        page.select_option("#kind", kind)
        page.fill("#at", (now - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M"))
        page.fill("#place", place)
        page.click("main button:has-text('Add event')")
        page.wait_for_selector("text=added.")
    items = page.locator("ol.timeline li")
    assert items.count() == 2
    assert "Yantian" in items.nth(0).inner_text()
    assert "Malacca" in items.nth(1).inner_text()
    assert page.locator("h1 .badge").first.inner_text() == "in transit"
    screenshot(page, "shipment-timeline")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "jan@aq.example")
    page.goto(f"{live_server}/bookings/{confirmed_lease}/shipments")
    page.click("main table a")
    assert page.locator("ol.timeline li").count() == 2
    assert page.is_visible("text=Add an event")


def on_a_phone(browser, live_server, shipment_id: int) -> None:
    """The owner's arrivals and the refused check-in fit a 390-pixel screen."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    try:
        log_in(phone, live_server, "jan@aq.example")
        phone.click("label.menu-button")
        phone.click("nav a:has-text('Arrivals')")
        phone.wait_for_selector("h1:has-text('Arrivals')")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "phone-arrivals")
        phone.goto(f"{live_server}/shipments/{shipment_id}/check-in")
        assert phone.is_visible("text=The lease starts on")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "phone-check-in-refused")
    finally:
        context.close()


def test_check_in_with_a_discrepancy_then_stock_and_occupancy(
    page, browser, live_server, live_app, confirmed_lease
):
    from tests.uploads import PNG
    from warehouse_exchange.accounts.models import User
    from warehouse_exchange.extensions import db
    from warehouse_exchange.shipments.commands import LineData, ShipmentData, announce_shipment

    with live_app.app_context():
        tenant = db.session.scalar(db.select(User).where(User.email == "wei@ba.example"))
        lines = [
            LineData("BA-SPK-10", "Desk speakers", 300, 30, 20, 15, 2, 900000, "USD", "851822"),
            LineData("BA-CBL-01", "Audio cables", 1000, 20, 10, 5, 1, 100000, "USD", "854442"),
        ]
        arrival = utc_today() + timedelta(days=10)
        data = ShipmentData(confirmed_lease, "MSC", "MSCU7654321", "sea", arrival, lines)
        shipment_id = announce_shipment(tenant, data, utc_now()).id

    log_in(page, live_server, "jan@aq.example")
    page.click("header a.inbox")
    page.wait_for_selector(f"text=announced shipment #{shipment_id}")
    page.click("nav a:has-text('Arrivals')")
    row = page.locator("tr", has=page.locator("text=MSCU7654321"))
    start = utc_today() + timedelta(days=3)
    assert f"from {start}" in row.inner_text()
    assert page.locator("tr.group", has_text="Expected later").count() == 1
    screenshot(page, "arrivals")
    page.goto(f"{live_server}/shipments/{shipment_id}/check-in")
    assert page.is_visible(f"text=The lease starts on {start}")
    screenshot(page, "check-in-refused")
    on_a_phone(browser, live_server, shipment_id)
    page.click("main a:has-text('Allow an early arrival')")
    page.fill("#from_date", utc_today().isoformat())
    page.click("main button:has-text('Allow early arrival')")
    page.wait_for_selector(f"text=may come in from {utc_today()}")
    screenshot(page, "lease-early-arrival")
    page.click("nav a:has-text('Arrivals')")
    screenshot(page, "arrivals-check-in-open")
    page.locator("tr", has=page.locator("text=MSCU7654321")).locator("a.button").click()
    page.fill("#lines-0-received_good", "288")
    page.fill("#lines-0-damaged", "5")
    page.fill("#lines-1-received_good", "-3")
    page.fill("#note", "Two cartons of speakers crushed at the corner.")
    photo = {"name": "dock-4.png", "mimeType": "image/png", "buffer": PNG}
    page.set_input_files("#photos", [photo])
    page.click("main button:has-text('Check in')")
    cables = page.locator("tr", has=page.locator("#lines-1-received_good"))
    assert "between 0 and" in cables.inner_text()
    assert page.input_value("#lines-0-received_good") == "288"
    page.fill("#lines-1-received_good", "1000")
    page.set_input_files("#photos", [photo])
    screenshot(page, "shipment-check-in-form")
    page.click("main button:has-text('Check in')")
    page.wait_for_selector("text=checked in with discrepancies")
    assert page.locator("h1 .badge.discrepancy").count() == 1
    assert page.locator("ol.timeline li").last.inner_text().startswith("checked in")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "wei@ba.example")
    page.goto(f"{live_server}/shipments/{shipment_id}")
    assert page.is_visible("text=A discrepancy can be the ground of a dispute")
    assert page.locator(".check-in-files img").count() == 1
    screenshot(page, "shipment-checked-in-with-discrepancy")
    page.goto(f"{live_server}/shipments")
    assert page.locator("td .badge.discrepancy").count() == 1
    page.goto(f"{live_server}/stock")
    assert page.is_visible("text=BA-SPK-10")
    screenshot(page, "stock-across-leases")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "jan@aq.example")
    page.goto(f"{live_server}/bookings/{confirmed_lease}/stock")
    page.select_option("#sku", "BA-SPK-10")
    page.fill("#units", "400")
    page.fill("#reference", "DHL 1Z999")
    page.click("main button:has-text('Release units')")
    assert page.is_visible("text=At most 293 on hand.")
    page.fill("#units", "93")
    page.click("main button:has-text('Release units')")
    page.wait_for_selector("text=93 units of BA-SPK-10 released outbound.")
    screenshot(page, "lease-stock")
    page.goto(f"{live_server}/listings/mine")
    page.click("main a:has-text('Occupancy')")
    assert page.is_visible("text=Electronics pallets in Antwerp")
    screenshot(page, "owner-occupancy")
