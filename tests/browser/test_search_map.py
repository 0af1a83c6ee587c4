"""The search map in headless Chromium, on the demo marketplace: a pin (or a cluster) for every
result, hover linking a result and its pin, a pin's card leading to its listing, "Search this
area" searching the map's view, the country outlines drawn with no tile server or when tiles
fail, and a warehouse's small map in place of its coordinates. No request may leave
127.0.0.1."""

from __future__ import annotations

import shutil
import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import Site, demo_uploads, screenshot, serve
from warehouse_exchange import create_app
from warehouse_exchange.extensions import db

pytestmark = pytest.mark.browser

NEAR_ROTTERDAM = "/?near=Rotterdam%2C+NL&radius_km=150"
HAMBURG = (53.55, 9.99)


@pytest.fixture
def map_page(browser):
    """A desktop page; the shared browser refuses, and fails the test on, any request to a
    host other than 127.0.0.1: the maps must draw from the site alone."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def open_map(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-results-map][data-basemap=drawn]")
    if page.locator("article.result").count():
        page.wait_for_selector("#results-map .leaflet-marker-icon")


def result_ids(page) -> list[str]:
    return page.eval_on_selector_all("article.result", "rs => rs.map(r => r.dataset.listingId)")


def pins_on_map(page) -> int:
    """Single pins plus the listings each cluster stands for."""
    singles = page.locator("#results-map .map-pin").count()
    clustered = page.eval_on_selector_all(
        "#results-map .marker-cluster", "cs => cs.reduce((n, c) => n + Number(c.innerText), 0)"
    )
    return singles + clustered


def a_single_pin(page):
    """Click clusters open (zooming in, or spreading out listings of one warehouse) until a
    single pin shows."""
    for _ in range(8):
        if page.locator("#results-map .map-pin").count():
            return page.locator("#results-map .map-pin").first
        page.locator("#results-map .marker-cluster").first.click()
        page.wait_for_timeout(600)
    raise AssertionError("no single pin after opening the clusters")


def test_results_are_pins_hover_links_them_and_a_pin_leads_to_its_listing(map_page, demo_site):
    page = map_page
    open_map(page, demo_site.url + NEAR_ROTTERDAM)
    ids = result_ids(page)
    assert ids, "the demo has listings near Rotterdam"
    assert pins_on_map(page) == len(ids)
    assert page.locator("#results-map path.search-radius").count() == 1
    countries = page.locator("#results-map .leaflet-basemap-pane path").count()
    assert countries > 100, countries  # the offline outlines, with no tile server
    screenshot(page, "search-map")

    first = page.locator("article.result").first
    first.hover()
    assert page.locator("#results-map .leaflet-marker-pane .is-highlighted").count() == 1
    page.mouse.move(5, 5)
    assert page.locator("#results-map .is-highlighted").count() == 0

    pin = a_single_pin(page)
    title = pin.get_attribute("title")
    pin.hover()
    highlighted = page.locator("article.result.is-highlighted")
    assert highlighted.count() == 1 and highlighted.get_attribute("data-title") == title
    pin.click()
    card = page.locator(".leaflet-popup .map-card")
    card.wait_for()
    assert card.locator(".map-card-title").inner_text() == title
    assert card.locator(".map-card-price").inner_text().strip()
    card.locator(".map-card-title").click()
    page.wait_for_url("**/listings/*")
    assert page.locator("h1").inner_text().startswith(title)


def test_search_this_area_searches_the_maps_view(map_page, demo_site):
    page = map_page
    open_map(page, demo_site.url + NEAR_ROTTERDAM)
    near_rotterdam = set(result_ids(page))
    button = page.locator("[data-search-area]")
    assert button.is_hidden()  # nothing to search until the map moves
    page.eval_on_selector(
        "#results-map", "(m, centre) => m.leafletMap.setView(centre, 8)", list(HAMBURG)
    )
    button.click()
    page.wait_for_url("**bbox=**")
    page.wait_for_selector("[data-results-map][data-basemap=drawn]")
    args = parse_qs(urlsplit(page.url).query)
    assert "near" not in args and "radius_km" not in args
    west, south, east, north = (float(n) for n in args["bbox"][0].split(","))
    assert west < HAMBURG[1] < east and south < HAMBURG[0] < north
    in_view = set(result_ids(page))
    assert in_view and in_view != near_rotterdam
    places = page.eval_on_selector_all("article.result", "rs => rs.map(r => r.dataset.place)")
    assert all(place.startswith("Hamburg") for place in places), places
    assert pins_on_map(page) == len(in_view)
    assert "in the map's area" in page.locator("section[aria-label=Results]").inner_text()
    assert page.input_value("#bbox") == args["bbox"][0]


def test_a_bad_map_area_is_a_field_error(map_page, demo_site):
    page = map_page
    page.goto(demo_site.url + "/?bbox=5,52,4,51")  # south above north
    assert "min_lat below max_lat" in page.locator(".field:has(#bbox)").inner_text()


def test_the_warehouse_and_listing_pages_show_a_small_map(map_page, demo_site):
    page = map_page
    open_map(page, demo_site.url + NEAR_ROTTERDAM)
    listing_url = page.locator("article.result").first.get_attribute("data-url")
    page.goto(demo_site.url + listing_url)
    page.wait_for_selector(".place-map[data-basemap=drawn] .map-pin")
    screenshot(page, "listing-map")
    page.locator("main p.muted a").first.click()  # its warehouse
    page.wait_for_selector(".place-map[data-basemap=drawn] .map-pin")
    facts = page.locator("dl.facts").inner_text()
    assert "Position" not in facts and "51.9" not in facts


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def site_with_dead_tiles(demo_database, tmp_path):
    """The demo with a tile server configured that does not answer."""
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_database, path)
    tiles = f"http://127.0.0.1:{closed_port()}/{{z}}/{{x}}/{{y}}.png"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "UPLOAD_FOLDER": str(demo_uploads(demo_database)),
            "MAP_TILE_URL": tiles,
            "MAP_TILE_ATTRIBUTION": "Tiles of nobody",
        },
    )
    server, url = serve(app)
    yield Site(url, app)
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def test_when_tiles_fail_the_map_draws_the_country_outlines(map_page, site_with_dead_tiles):
    page = map_page
    open_map(page, site_with_dead_tiles.url + NEAR_ROTTERDAM)
    assert page.locator("#results-map .leaflet-basemap-pane path").count() > 100
    assert page.locator("#results-map .leaflet-tile-pane img").count() == 0
    assert pins_on_map(page) == len(result_ids(page))
