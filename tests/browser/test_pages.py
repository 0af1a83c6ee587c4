"""Real pages in headless Chromium: register, publish a warehouse and a listing, search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def register_owner(page, live_server) -> None:
    page.goto(f"{live_server}/register")
    page.fill("#organization_name", "Nordsee Browser Logistik")
    page.select_option("#kind", "owner")
    page.select_option("#country", "DE")
    page.fill("#name", "Greta Hansen")
    page.fill("#email", "greta.browser@nordsee.example")
    page.fill("#password", "a-long-password")
    page.fill("#confirm", "a-long-password")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/profile")


def test_owner_publishes_capacity_and_an_exporter_finds_it(page, live_server):
    register_owner(page, live_server)
    page.click("text=My warehouses")
    assert page.is_visible("text=You have no warehouses yet.")
    page.click("text=Add a warehouse")

    page.fill("#name", "Maasvlakte DC 2")
    page.fill("#address", "Europaweg 875")
    page.fill("#city", "Atlantisville")
    page.select_option("#country", "NL")
    page.check("#ambient_enabled")
    page.check("#chilled_enabled")
    page.check("input[name=hazmat_classes][value='3']")
    page.click("main button[type=submit]")
    city_error = page.locator(".field.has-error", has=page.locator("#city"))
    assert "Place not found." in city_error.inner_text()
    assert page.input_value("#name") == "Maasvlakte DC 2"  # input kept
    screenshot(page, "warehouse-form-errors")

    page.fill("#city", "Rotterdam")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Maasvlakte DC 2')")
    assert page.is_visible("text=Europe/Amsterdam")
    screenshot(page, "warehouse-page")

    page.click("text=New listing")
    page.fill("#title", "Chilled pallets by the port")
    page.fill("#quantity", "120")
    page.fill("#available_to", (date.today() + timedelta(days=200)).isoformat())
    page.fill("#price", "-2")
    page.fill("#temperature_min_c", "2")
    page.fill("#temperature_max_c", "8")
    page.check("input[name=categories][value='food']")
    page.click("main button[type=submit]")
    assert page.is_visible("text=Must be more than zero.")
    screenshot(page, "listing-form-errors")
    page.fill("#price", "4.10")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Chilled pallets by the port')")
    assert page.is_visible("text=€4.10")

    page.goto(
        f"{live_server}/?near=Rotterdam%2C+NL&radius_km=50&temperature_min=0"
        "&temperature_max=10&quantity=20"
    )
    result = page.locator("article.result").first
    assert "Chilled pallets by the port" in result.inner_text()
    assert "km away" in result.inner_text()
    screenshot(page, "search-results")

    page.goto(f"{live_server}/?near=Rotterdam%2C+NL&radius_km=50&hazmat_class=7")
    assert page.is_visible("text=No listing matches all of that.")
    assert page.is_visible("text=check the hazard class")
    screenshot(page, "search-empty")
