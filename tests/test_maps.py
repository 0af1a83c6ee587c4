"""Leaflet served from its package, and the offline basemap shipped with the site."""

from __future__ import annotations

import json

from tests.factories import WarehouseFactory


def test_leaflet_is_served_from_its_package_under_its_version(client):
    script = client.get("/vendor/leaflet/1.9.3/leaflet.js")
    assert script.status_code == 200 and b"Leaflet" in script.data[:200]
    assert "javascript" in script.content_type
    assert script.cache_control.max_age == 365 * 24 * 3600
    script.close()
    cluster = client.get("/vendor/leaflet-markercluster/1.4.1/leaflet.markercluster.js")
    assert cluster.status_code == 200
    cluster.close()
    for missing in (
        "/vendor/leaflet/1.0.0/leaflet.js",  # another version than the package's
        "/vendor/jquery/1.9.3/jquery.js",
        "/vendor/leaflet/1.9.3/no-such-file.js",
        "/vendor/leaflet/1.9.3/../../__init__.py",
        "/vendor/leaflet/1.9.3/%2e%2e/__init__.py",
    ):
        assert client.get(missing).status_code == 404, missing


def test_the_offline_basemap_is_the_worlds_countries(client):
    response = client.get("/static/maps/countries-110m.geojson")
    countries = json.loads(response.data)
    response.close()
    names = {feature["properties"]["name"] for feature in countries["features"]}
    assert len(names) > 170 and {"Netherlands", "Brazil", "Japan"} <= names
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in countries["features"])


def test_a_warehouse_page_shows_a_map_instead_of_its_coordinates(client):
    warehouse = WarehouseFactory(city="Rotterdam", latitude=51.9225, longitude=4.47917)
    page = client.get(f"/warehouses/{warehouse.id}").get_data(as_text=True)
    assert 'data-place-map data-lat="51.9225" data-lon="4.47917"' in page
    assert "51.9225, 4.4792" not in page
    assert 'data-tile-url=""' in page  # no tile server in tests: the outlines only
