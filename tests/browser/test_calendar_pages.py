"""The calendars in headless Chromium: an exporter sees a listing's free capacity with the
chosen days outlined, the colours of those days follow a booking made elsewhere, and a
quantity too large is named day by day; an owner sees occupancy by share held and used, per
listing and per warehouse, and the chart of held against capacity. Desktop and phone, with
screenshots; nothing scrolls sideways on the phone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import paid_lease, pallet_listing, register
from tests.browser.test_booking_pages import log_in
from warehouse_exchange.accounts.services import create_operator
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.rules import BookingTerms, SkuProfile
from warehouse_exchange.extensions import db
from warehouse_exchange.shipments.models import StockItem

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/calendar-shots")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
GOODS = SkuProfile(100, 80, 120, 300, 15, 25, "food", 4)


@pytest.fixture(scope="module")
def calendars(live_app):
    """A listing of 60 pallet positions with a paid lease of 20 from today holding 8 pallets of
    goods; two exporters who have booked nothing else yet."""
    with live_app.app_context():
        owner = register("Lisboa Cais Armazens", "owner", "PT", "Rui Costa", "rui@cais.example")
        tenant = register("Douro Wines Lda", "exporter", "PT", "Ines Sa", "ines@douro.example")
        register("Atlas Ceramics", "exporter", "MA", "Omar Bennani", "omar@atlas.example")
        operator = create_operator("ops@calendars.example", "Cal Ops", "browser-password")
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Cais Warehouse 4", "Rua do Cais 4", "Lisbon", "PT"),
            title="Ambient pallets on the Lisbon quay",
            quantity=60,
            days=300,
            price_minor=300,
            currency="EUR",
            categories=["food", "general"],
        )
        today = utc_today()
        lease = BookingRequest(listing.id, 20, today, today + timedelta(days=50), GOODS)
        booking = paid_lease(live_app, owner, tenant, operator, lease, "CGD-2231")
        db.session.add(
            StockItem(
                booking_id=booking.id,
                sku="VINHO-6",
                description="Cases of wine",
                received_good=8,
                received_damaged=0,
                released=0,
                unit_length_cm=120,
                unit_width_cm=80,
                unit_height_cm=150,
                unit_weight_kg=600,
            )  # fmt: skip
        )
        db.session.commit()
        return {"listing": listing.id, "warehouse": listing.warehouse_id, "owner": owner.id}


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    screenshot(page, name)


def _levels(page, days) -> list[str]:
    return [
        page.get_attribute(f"#availability-calendar td[data-day='{d}']", "data-level") for d in days
    ]


def _no_sideways_scroll(page) -> None:
    wide, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert wide <= inner, (wide, inner)


def test_exporter_sees_chosen_days_and_their_colours_follow_a_booking(
    browser, live_app, live_server, calendars
):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "omar@atlas.example")
    start = utc_today() + timedelta(days=60)  # after the lease: all 60 free
    days = [start + timedelta(days=n) for n in range(14)]
    url = f"{live_server}/listings/{calendars['listing']}?start={start}&end={days[-1]}"
    page.goto(f"{url}&quantity=30")
    assert "30 pallet positions are free on all 14 days you chose" in page.inner_text("#fits")
    chosen = page.locator("#availability-calendar td.chosen")
    assert chosen.count() == 14 and page.locator("#availability-calendar td.short").count() == 0
    assert set(_levels(page, days)) == {"5"}
    label = chosen.first.get_attribute("aria-label")
    assert label == f"{start.strftime('%a %d %b %Y')}: 60 of 60 free, chosen"
    page.locator("#availability-calendar").scroll_into_view_if_needed()
    _shoot(page, "calendar-exporter-fits-desktop")

    with live_app.app_context():  # another exporter's booking takes 40 of those days' 60
        listing_id = calendars["listing"]
        terms, now, today = BookingTerms.from_config(live_app.config), utc_now(), utc_today()
        other = BookingRequest(listing_id, 40, start, start + timedelta(days=20), GOODS)
        from warehouse_exchange.accounts.models import User

        ines = db.session.query(User).filter_by(email="ines@douro.example").one()
        rui = db.session.get(User, calendars["owner"])
        accept_booking(rui, request_booking(ines, other, terms, now, today).id, now)

    page.reload()
    assert set(_levels(page, days)) == {"2"}  # 20 of 60 free
    warning = page.locator("#does-not-fit")
    assert "30 pallet positions do not fit on 14 of the 14 days you chose" in warning.inner_text()
    assert f"{start.strftime('%a %d %b %Y')}: only 20 free" in warning.inner_text()
    assert page.locator("#availability-calendar td.short").count() == 14
    _shoot(page, "calendar-exporter-after-booking-desktop")

    later = start + timedelta(days=30)  # past the other booking: all 60 free, 61 asked
    page.goto(
        f"{live_server}/listings/{listing_id}?start={later}&end={later + timedelta(13)}&quantity=61"
    )
    assert "61 pallet positions do not fit on 14 of the 14" in page.inner_text("#does-not-fit")
    assert "only 60 free" in page.inner_text("#does-not-fit")

    page.fill("input[name=quantity]", "10")  # the form re-checks without a script
    page.click("text=Check these dates")
    assert "10 pallet positions are free on all 14 days" in page.inner_text("#fits")
    page.click("summary:has-text('Free capacity by month')")
    assert page.locator(".heat-table table tbody tr").first.is_visible()
    context.close()

    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    page.goto(f"{url}&quantity=30")
    assert page.locator("#does-not-fit").is_visible()
    _no_sideways_scroll(page)
    page.locator("#availability").scroll_into_view_if_needed()
    _shoot(page, "calendar-exporter-phone")
    phone.close()


def test_owner_sees_occupancy_by_held_and_used_and_the_chart(browser, live_server, calendars):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "rui@cais.example")
    page.goto(f"{live_server}/occupancy")
    page.click("a:has-text('Calendar')")
    page.wait_for_url(f"**/listings/{calendars['listing']}/calendar")
    today = utc_today()
    cell = page.locator(f"#listing-occupancy-calendar td[data-day='{today}']")
    assert cell.get_attribute("aria-label").endswith("20 of 60 held, 8 used by goods")
    assert cell.get_attribute("data-level") == "2"  # 20 of 60 held
    chart = page.locator("#listing-occupancy-chart svg")
    assert chart.is_visible() and page.locator("#listing-occupancy-chart .month-bar").count() == 12
    page.click("summary:has-text('Held against capacity by month')")
    first_month = page.locator("#listing-occupancy-chart table tbody tr").first
    assert first_month.locator("td").first.inner_text() == "60"  # capacity
    _shoot(page, "calendar-owner-held-desktop")

    page.click(".heat-switch a:has-text('used by goods')")
    assert cell.get_attribute("data-level") == "1"  # 8 of 60 used
    assert page.locator(".heat-switch strong").inner_text() == "used by goods"
    _shoot(page, "calendar-owner-used-desktop")

    page.click("a:has-text('all listings')")
    page.wait_for_url(f"**/occupancy/warehouses/{calendars['warehouse']}")
    assert page.locator("#occupancy-pallet-calendar td[data-level]").count() >= 365
    assert page.locator("#occupancy-pallet-chart svg").is_visible()
    _shoot(page, "calendar-warehouse-desktop")
    context.close()

    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    log_in(page, live_server, "rui@cais.example")
    for path, name in (
        (f"/listings/{calendars['listing']}/calendar", "calendar-owner-phone"),
        (f"/occupancy/warehouses/{calendars['warehouse']}", "calendar-warehouse-phone"),
    ):
        page.goto(live_server + path)
        _no_sideways_scroll(page)
        _shoot(page, name)
    phone.close()


def test_clicking_two_days_checks_them(browser, live_server, calendars):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server}/listings/{calendars['listing']}")
    first, last = utc_today() + timedelta(days=100), utc_today() + timedelta(days=120)
    page.fill("input[name=quantity]", "15")
    page.click(f"#availability-calendar td[data-day='{first}']")
    assert "now pick the last day" in page.inner_text("[data-pick-status]")
    with page.expect_navigation():
        page.click(f"#availability-calendar td[data-day='{last}']")
    assert f"start={first}" in page.url and f"end={last}" in page.url
    assert "15 pallet positions are free on all 21 days" in page.inner_text("#fits")
    assert page.locator("#availability-calendar td.chosen").count() == 21
    context.close()


def test_the_keyboard_moves_through_the_days_and_picks_them(browser, live_server, calendars):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server}/listings/{calendars['listing']}")
    page.fill("input[name=quantity]", "5")
    stops = page.locator("#availability-calendar td[tabindex='0']")
    assert stops.count() == 1  # one tab stop for the whole calendar
    today = utc_today()
    assert stops.get_attribute("data-day") == str(today)  # the first day on offer
    page.focus("#availability-calendar td[tabindex='0']")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.activeElement.dataset.day")
    assert focused == str(today + timedelta(days=2))
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")  # a week on
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"start={today + timedelta(days=2)}" in page.url
    assert f"end={today + timedelta(days=9)}" in page.url
    assert "5 pallet positions are free on all 8 days" in page.inner_text("#fits")
    context.close()
