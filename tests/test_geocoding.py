"""Geocoders: the offline gazetteer, and geopy's Nominatim client against a local server that
answers like Nominatim (the real one is not reachable from tests)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from warehouse_exchange.adapters.geocoding import OfflineGazetteer, build_geocoder, locate
from warehouse_exchange.errors import InvalidInput


@pytest.mark.parametrize(
    ("query", "country", "latitude"),
    [
        ("Rotterdam, NL", "NL", 51.92),
        ("rotterdam", "NL", 51.92),
        ("Sao Paulo", "BR", -23.55),
        ("Lagos, Portugal", "PT", 37.10),
        ("Lagos", "NG", 6.45),
        ("Felixstowe, GB", "GB", 51.96),
    ],
)
def test_gazetteer_finds_cities_by_name_and_country(query, country, latitude):
    place = locate(OfflineGazetteer(), query)
    assert place.country == country and round(place.latitude, 2) == latitude
    assert place.timezone


def test_gazetteer_unknown_place_is_a_clear_error():
    for query in ("Atlantisville", "", "x" * 300, "Lagos, Japan"):
        with pytest.raises(InvalidInput):
            locate(OfflineGazetteer(), query)


class FakeNominatim(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        params = parse_qs(urlparse(self.path).query)
        FakeNominatim.seen.append(
            {"path": urlparse(self.path).path, **params, "agent": self.headers["User-Agent"]}
        )
        found = params["q"][0].startswith("Rotterdam")
        body = (
            [
                {
                    "lat": "51.9244",
                    "lon": "4.4777",
                    "display_name": "Rotterdam, Nederland",
                    "place_id": 1,
                }
            ]
            if found
            else []
        )
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args):
        pass


def test_nominatim_is_used_when_configured():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        geocoder = build_geocoder(
            {
                "GEOCODER": "nominatim",
                "GEOCODER_NOMINATIM_URL": f"http://127.0.0.1:{server.server_port}",
                "GEOCODER_USER_AGENT": "warehouse-exchange-tests",
            }
        )
        place = locate(geocoder, "Rotterdam, NL")
        assert (place.latitude, place.longitude) == (51.9244, 4.4777)
        with pytest.raises(InvalidInput, match="No place called"):
            locate(geocoder, "Atlantisville")
    finally:
        server.shutdown()
        server.server_close()
    assert FakeNominatim.seen[0]["path"] == "/search"
    assert FakeNominatim.seen[0]["agent"] == "warehouse-exchange-tests"


def test_unreachable_geocoder_is_a_clear_error():
    geocoder = build_geocoder(
        {
            "GEOCODER": "nominatim",
            "GEOCODER_NOMINATIM_URL": "http://127.0.0.1:9",
            "GEOCODER_USER_AGENT": "tests",
        }
    )
    with pytest.raises(InvalidInput, match="could not be reached"):
        locate(geocoder, "Rotterdam")
