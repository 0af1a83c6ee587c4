"""Booking pages in headless Chromium: request with a quote, the owner's inbox, the calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import screenshot
from warehouse_exchange.accounts.services import Registration, register_organization
from warehouse_exchange.adapters.clock import utc_today
from warehouse_exchange.listings.services import ListingData, create_listing
from warehouse_exchange.warehouses.services import WarehouseData, create_warehouse

pytestmark = pytest.mark.browser
PASSWORD = "browser-password"


@pytest.fixture(scope="module")
def marketplace(live_app):
    with live_app.app_context():
        owner = register_organization(
            Registration(
                "Hamburg Hafen Lager AG",
                "owner",
                "DE",
                "Jonas Weber",
                "jonas@hafenlager.example",
                PASSWORD,
            )
        )
        register_organization(
            Registration(
                "Anatolia Textiles",
                "exporter",
                "TR",
                "Elif Kaya",
                "elif@anatolia.example",
                PASSWORD,
            )
        )
        warehouse = create_warehouse(
            owner,
            WarehouseData(
                name="Waltershof Hall 3",
                address="Am Ballinkai 1",
                city="Hamburg",
                country="DE",
                max_pallet_height_cm=200,
                max_pallet_weight_kg=1200,
                floor_load_kg_m2=5000,
                temperature_zones={"ambient": (15, 25)},
            ),
            live_app.extensions["geocoder"],
        )
        listing = create_listing(
            owner,
            warehouse.id,
            ListingData(
                title="Apparel pallets at Waltershof",
                unit="pallet",
                quantity=60,
                available_from=utc_today(),
                available_to=utc_today() + timedelta(days=300),
                price_minor=290,
                currency="EUR",
                max_unit_length_cm=120,
                max_unit_width_cm=100,
                max_unit_height_cm=180,
                max_unit_weight_kg=800,
                temperature_min_c=15,
                temperature_max_c=25,
                categories=["apparel", "general"],
                min_quantity=5,
                min_term_days=14,
            ),
            utc_today(),
        )
        return listing.id


def log_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/home")


def test_request_accept_and_calendar(page, live_server, marketplace):
    start = date.today() + timedelta(days=5)
    log_in(page, live_server, "elif@anatolia.example")
    page.goto(f"{live_server}/listings/{marketplace}")
    page.click("text=Request space")
    page.fill("#quantity", "12")
    page.fill("#start", start.isoformat())
    page.fill("#end", (start + timedelta(days=27)).isoformat())
    page.fill("#unit_weight_kg", "350")
    page.select_option("#category", "apparel")
    page.fill("#sku_count", "40")
    page.click("button[value=quote]")
    quote = page.locator("#quote")
    assert "€139.20" in quote.inner_text()  # 2.90 x 12 x 4 weeks
    assert "€153.12" in quote.inner_text()  # plus 8% commission and 2% guarantee fee
    screenshot(page, "booking-quote")
    page.click("button[value=send]")
    page.wait_for_selector("text=Waiting for the owner")
    booking_url = page.url
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "jonas@hafenlager.example")
    page.click("text=Requests")
    assert page.is_visible("text=Anatolia Textiles")
    screenshot(page, "requests-inbox")
    page.click("main button:has-text('Accept')")
    page.wait_for_selector("text=No requests are waiting.")
    page.goto(booking_url)
    assert page.is_visible(".badge.state-accepted")
    screenshot(page, "booking-page")
    page.goto(f"{live_server}/listings/{marketplace}/calendar")
    held = page.locator("#listing-occupancy-calendar td[aria-label*=': 12 of 60 held']")
    assert held.count() == 28  # every day of the accepted request
    screenshot(page, "occupancy-calendar")


def test_search_to_a_prefilled_request(page, live_server, marketplace):
    """A search's total is the quote's; its result carries the search into the request form."""
    start = date.today() + timedelta(days=40)
    end = start + timedelta(days=27)
    log_in(page, live_server, "elif@anatolia.example")
    searched = (
        f"near=Hamburg&quantity=12&start={start}&end={end}&unit_weight_kg=350&category=apparel"
    )
    page.goto(f"{live_server}/?{searched}")
    result = page.locator("article.result", has_text="Apparel pallets at Waltershof")
    assert "€153.12" in result.inner_text()  # the quote of 12 pallets for 4 weeks, incl. fees
    assert "total incl. fees for 12 pallet positions, 28 days" in result.inner_text()
    screenshot(page, "search-with-dates")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "search-with-dates-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    result.locator("h3 a").click()
    page.click("text=Request space")
    assert page.input_value("#quantity") == "12"
    assert page.input_value("#start") == start.isoformat()
    assert page.input_value("#unit_weight_kg") == "350"
    assert page.input_value("#category") == "apparel"
    assert page.locator("#category option").all_inner_texts() == [
        "General merchandise",
        "Apparel and footwear",
    ]
    screenshot(page, "booking-request-prefilled")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "booking-request-prefilled-phone")
    page.click("button[value=quote]")
    assert "€153.12" in page.locator("#quote").inner_text()


def test_an_empty_search_offers_to_drop_the_filter_that_emptied_it(page, live_server, marketplace):
    page.goto(f"{live_server}/?near=Hamburg&unit_weight_kg=900&category=apparel")
    hint = page.locator(".relaxation[data-filter=unit_weight_kg]")
    assert "without the weight of 900 kg per unit" in hint.inner_text()
    screenshot(page, "search-empty-hint")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "search-empty-hint-phone")
    hint.locator("a").click()
    page.wait_for_selector("article.result")
    assert "unit_weight_kg" not in page.url and "category=apparel" in page.url
    assert page.is_visible("text=Apparel pallets at Waltershof")
