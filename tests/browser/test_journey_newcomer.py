"""Journey 1: a newcomer exporter signs up, searches by place and goods, opens a listing and
requests space; the owner finds the request waiting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.journeys import Person
from tests.browser.test_search_map import pins_on_map

pytestmark = pytest.mark.browser

NEWCOMER = "mateo@portoparts.example"
PASSWORD = "newcomer-password-1"


def sign_up(person: Person) -> None:
    person.open("/")
    person.click("header a:has-text('Register')")
    page = person.page
    page.fill("#organization_name", "Porto Machine Parts Lda")
    page.select_option("#kind", "exporter")
    page.select_option("#country", "PT")
    page.fill("#name", "Mateo Silva")
    page.fill("#email", NEWCOMER)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", "something else")
    person.submit("Register")
    assert "Passwords differ." in person.text(".field:has(#confirm)")
    assert page.input_value("#organization_name") == "Porto Machine Parts Lda"
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    person.submit("Register")
    assert "Welcome to Warehouse Exchange, Mateo Silva" in person.flash()


def search_near_rotterdam(person: Person, start: date, end: date) -> None:
    person.menu("Find space")
    page = person.page
    page.fill("#near", "Rotterdam")
    page.fill("#radius_km", "40")
    page.select_option("#unit", "pallet")
    page.fill("#quantity", "12")
    page.fill("#start", start.isoformat())
    page.fill("#end", end.isoformat())
    page.fill("#temperature_min", "10")
    page.fill("#temperature_max", "30")
    page.select_option("#category", "machinery")
    page.fill("#unit_length_cm", "120")
    page.fill("#unit_width_cm", "80")
    page.fill("#unit_height_cm", "140")
    page.fill("#unit_weight_kg", "600")
    person.click("#filters button:has-text('Search')")


def test_a_newcomer_finds_space_near_rotterdam_and_requests_it(browser, demo_site):
    newcomer = Person(browser, demo_site, NEWCOMER, PASSWORD)
    sign_up(newcomer)
    newcomer.shot("newcomer-profile", phone=False)

    start = date.today() + timedelta(days=10)
    end = start + timedelta(days=44)
    search_near_rotterdam(newcomer, start, end)
    results = newcomer.text("section[aria-label=Results]")
    assert "Dangerous-goods ambient pallet positions, Maasvlakte DC 2" in results
    assert "Frozen" not in results, "frozen space does not take goods kept at 10–30 °C"
    page = newcomer.page
    page.wait_for_selector("#results-map[data-basemap=drawn] .leaflet-marker-icon")
    assert pins_on_map(page) == page.locator("article.result").count(), "a pin per result"
    newcomer.shot("newcomer-search")

    assert "incl. fees" in results, "the search shows the total the quote will show"
    newcomer.click("a:has-text('Dangerous-goods ambient pallet positions, Maasvlakte DC 2')")
    assert newcomer.sees("Nordsee Logistik GmbH")
    newcomer.shot("newcomer-listing")
    newcomer.click("main a:has-text('Request space')")
    page = newcomer.page
    carried = {"#quantity": "12", "#start": start.isoformat(), "#end": end.isoformat(),
               "#unit_height_cm": "140", "#unit_weight_kg": "600",
               "#temperature_min_c": "10", "#temperature_max_c": "30"}  # fmt: skip
    for field, value in carried.items():
        assert page.input_value(field) == value, f"{field} carried from the search"
    assert page.input_value("#category") == "machinery"
    offered = page.locator("#category option").all_inner_texts()
    assert "Machinery and tools" in offered and "Food and beverages" not in offered
    newcomer.submit("Get a quote")
    quoted_total = newcomer.text("main tr:has-text('Total') th.num")
    assert quoted_total.startswith("€") and quoted_total in results, "search showed the same"
    newcomer.shot("newcomer-quote")
    newcomer.submit("Send request")
    assert newcomer.sees("Waiting for the owner|waits for the owner|Requested"), newcomer.text()
    newcomer.shot("newcomer-request-sent")
    newcomer.close()

    owner = Person(browser, demo_site, "owner@nordsee.example")
    owner.log_in()
    owner.menu("Requests")
    assert owner.sees("Porto Machine Parts Lda")
    owner.shot("owner-requests-with-newcomer")
    owner.close()
