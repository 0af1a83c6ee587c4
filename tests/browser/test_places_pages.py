"""What people expect of the pages, in headless Chromium: a place field that suggests places
as it is typed in, a misspelt place answered with "Did you mean …?", copy buttons for the IBAN
and the payment reference, deadlines in the viewer's own time as well as UTC, and a menu that
fits one line of a 1366 px screen whoever is logged in."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.browser.journeys import DEMO_PASSWORD
from tests.browser.marketplace import PASSWORD, pallet_listing, register
from tests.browser.test_booking_pages import log_in
from warehouse_exchange.accounts.services import create_operator
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.rules import BookingTerms, SkuProfile

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/places-shots")
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
#: a demo user of each kind the menu differs for
ROLES = {
    "owner": "owner@nordsee.example",
    "exporter": "exporter@brightelectronics.example",
    "both": "both@atlastrade.example",
    "operator": "operator@warehouse-exchange.example",
}


def shot(page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def demo_log_in(page, site, email: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site.url}/home")


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_fits_one_line_at_1366_px(browser, demo_site, role):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    demo_log_in(page, demo_site, ROLES[role])
    header = page.locator("header.top .bar")
    spread = header.evaluate(
        """bar => {
            const items = [bar.querySelector('.brand'), ...bar.querySelectorAll('nav > *'),
                           ...bar.querySelectorAll('.who > *')];
            const middles = items.filter(item => item.getClientRects().length)
                .map(item => { const box = item.getBoundingClientRect();
                               return box.top + box.height / 2; });
            return Math.max(...middles) - Math.min(...middles);
        }"""
    )
    line = page.locator("header.top nav > a").first.evaluate(
        "a => a.getBoundingClientRect().height"
    )
    nav_height = page.locator("header.top nav").evaluate("n => n.getBoundingClientRect().height")
    shot(page, f"nav-{role}-1366")
    assert nav_height <= line * 1.5, (role, nav_height, line)
    assert spread < line / 2, f"{role}: the header's items are on more than one line"
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    more = page.locator("header nav details.more")
    if role != "exporter":  # an exporter's menu fits whole
        more.locator("summary").focus()
        page.keyboard.press("Enter")
        folded = more.locator(".more-menu a")
        assert folded.first.is_visible() and folded.count() >= 3
        shot(page, f"nav-{role}-1366-more")
        page.keyboard.press("Escape")
        assert not folded.first.is_visible()
        folded_names = more.locator(".more-menu a").all_inner_texts()
        shown_names = page.locator("header nav > a").all_inner_texts()
        assert not set(folded_names) & set(shown_names)
    page.set_viewport_size(PHONE)
    page.click("label.menu-button")
    if role != "exporter":
        page.click("header nav summary:has-text('More')")
        assert page.locator("header .more-menu a").first.is_visible()
    shot(page, f"nav-{role}-phone-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_the_place_field_suggests_places_while_typing(browser, demo_site):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{demo_site.url}/")
    near = page.locator("#near")
    near.press_sequentially("rott", delay=40)
    options = page.locator("#place-suggestions option")
    options.first.wait_for(state="attached")
    assert options.first.get_attribute("value") == "Rotterdam, NL"
    assert options.first.inner_text() == "Rotterdam, Netherlands"
    near.fill("Rotterdam, NL")
    near.press("Enter")  # the keyboard alone searches
    page.wait_for_load_state()
    assert re.search(r"within 200 km of\s+Rotterdam, Netherlands", page.inner_text("main"))
    context.close()


def test_a_misspelt_place_asks_did_you_mean_and_the_link_searches(browser, demo_site):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{demo_site.url}/?near=Singapure&quantity=2")
    assert "Did you mean Singapore, Singapore" in page.inner_text("main")
    shot(page, "search-misspelt-phone-390")
    page.click("a:has-text('Singapore, Singapore')")
    page.wait_for_load_state()
    assert "near=Singapore" in page.url and "quantity=2" in page.url
    assert re.search(r"within 200 km of\s+Singapore, Singapore", page.inner_text("main"))
    page.goto(f"{demo_site.url}/")
    page.locator("#near").press_sequentially("felixs", delay=40)
    page.locator("#place-suggestions option").first.wait_for(state="attached")
    page.locator("#filters").screenshot(path=str(SHOTS / "search-form-phone-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


@pytest.fixture(scope="module")
def awaiting_payment(live_app):
    """A request waiting for its owner's answer, and one accepted, waiting for the money."""
    with live_app.app_context():
        owner = register("Kai Tak Storage Ltd", "owner", "HK", "Wing Chan", "wing@kaitak.example")
        tenant = register("Mekong Crafts", "exporter", "VN", "Linh Pham", "linh@mekong.example")
        create_operator("ops@places.example", "Olga Ops", PASSWORD)
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Kwai Chung Depot", "Container Port Road 8", "Hong Kong", "HK"),
            title="Ambient pallet positions at Kwai Chung",
            quantity=40,
            days=200,
            price_minor=450,
            currency="USD",
            categories=["general"],
        )
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "general", 4)
        today, terms = utc_today(), BookingTerms.from_config(live_app.config)
        start = today + timedelta(days=7)
        waiting = request_booking(
            tenant, BookingRequest(listing.id, 3, start, start + timedelta(days=30), goods),
            terms, utc_now(), today,
        )  # fmt: skip
        accepted = request_booking(
            tenant, BookingRequest(listing.id, 5, start, start + timedelta(days=40), goods),
            terms, utc_now(), today,
        )  # fmt: skip
        accept_booking(owner, accepted.id, utc_now())
        return waiting.id, accepted.id


def test_copy_buttons_and_local_times_on_a_booking(browser, live_server, awaiting_payment):
    waiting, accepted = awaiting_payment
    context = browser.new_context(viewport=LAPTOP, timezone_id="Asia/Singapore")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    log_in(page, live_server, "linh@mekong.example")

    page.goto(f"{live_server}/bookings/{waiting}")
    deadline = page.locator("time[data-local-time]").first
    utc_text = deadline.inner_text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", utc_text)
    local = page.locator("time[data-local-time] + .local-time").first.inner_text()
    assert "your time" in local and "GMT+8" in local  # Singapore is UTC+8
    utc_hour = int(utc_text[11:13])
    assert f"{(utc_hour + 8) % 24:02d}:" in local

    page.goto(f"{live_server}/bookings/{accepted}")
    iban = page.locator("[data-copy=IBAN]").inner_text().strip()
    page.click("button[aria-label='Copy the IBAN']")
    assert page.evaluate("navigator.clipboard.readText()") == iban
    announcer = page.locator("[aria-live=polite]:has-text('Copied the IBAN.')")
    assert announcer.count() == 1
    reference = page.locator("dd [data-copy='payment reference']").inner_text().strip()
    page.locator("dd button[aria-label='Copy the payment reference']").click()
    assert page.evaluate("navigator.clipboard.readText()") == reference
    page.locator("dd button[aria-label='Copy the payment reference']").focus()
    page.keyboard.press("Enter")  # the keyboard copies too
    assert page.locator("dd button:has-text('Copied')").count() >= 1
    shot(page, "booking-copy-buttons", full_page=True)
    context.close()


def amount(text: str) -> float:
    return float(re.sub(r"[^\d.]", "", text))


def test_a_result_shows_the_total_for_the_dates_and_quantity_fees_included(browser, demo_site):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    start = utc_today() + timedelta(days=30)
    end = start + timedelta(days=27)
    page.goto(f"{demo_site.url}/?quantity=4&start={start}&end={end}&unit=pallet&currency=")
    price = page.locator("article.result .price").first
    assert "total incl. fees for 4 pallet positions, 28 days" in price.inner_text()
    price.locator("summary").click()
    parts = price.locator(".breakdown div").all_inner_texts()
    assert [p.split(" ")[0] for p in parts] == ["Rent", "Commission", "Guarantee"]
    total = amount(price.locator("strong").first.inner_text())
    assert round(sum(amount(p.rsplit(" ", 1)[1]) for p in parts), 2) == total
    shot(page, "search-result-total")
    context.close()
