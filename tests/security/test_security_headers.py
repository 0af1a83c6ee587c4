"""Every response carries the security headers: pages of every audience, the API's answers and
errors, error pages, redirects, static files. Scripts run only from this site, from Stripe.js or
with the request's nonce; no other site may frame a page; HSTS is sent only in production."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.databases import migrated_sqlite_database
from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import api_token, app_with, login
from warehouse_exchange.web.security_headers import content_security_policy

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{32})'")


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_protected(response, what: str = "") -> None:
    headers = response.headers
    assert "Content-Security-Policy" in headers, what
    csp = policy(response)
    assert csp["frame-ancestors"] == ["'none'"], what
    assert headers["X-Frame-Options"] == "DENY", what
    assert headers["X-Content-Type-Options"] == "nosniff", what
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", what
    assert "'unsafe-inline'" not in csp["script-src"], what
    assert "'unsafe-eval'" not in csp["script-src"], what
    assert csp["object-src"] == ["'none'"], what
    assert "Strict-Transport-Security" not in headers, what  # tests run on plain HTTP


@contextmanager
def fresh_site(tmp_path, environment: str, **overrides):
    """An app of another environment on a database of its own."""
    database = migrated_sqlite_database(tmp_path / f"{environment}.sqlite3")
    with app_with(database, environment, **overrides) as app:
        yield app


def nonce_of(response) -> str:
    return NONCE.search(response.headers["Content-Security-Policy"]).group(1)


# The finding: no page said who may frame it or which scripts may run.


def test_no_other_site_can_frame_a_page_and_injected_inline_script_does_not_run(client):
    home = client.get("/")
    assert home.status_code == 200
    assert_protected(home, "/")
    scripts = policy(home)["script-src"]
    assert scripts[:2] == ["'self'", "https://js.stripe.com"]
    assert [source for source in scripts if source.startswith("'")] == [
        "'self'",
        f"'nonce-{nonce_of(home)}'",
    ]


def test_error_pages_carry_the_headers(client):
    assert_protected(client.get("/no-such-page"), "404")
    assert_protected(client.delete("/login"), "405")


def test_server_errors_rate_limits_and_refused_forms_carry_the_headers(
    _app, database_url, tmp_path
):
    with app_with(database_url, PROPAGATE_EXCEPTIONS=False) as app:
        app.add_url_rule("/fails", "fails", _fail)
        app.add_url_rule("/api/v1/fails", "api_fails", _fail)
        page, api = app.test_client().get("/fails"), app.test_client().get("/api/v1/fails")
    assert page.status_code == 500 and b"Something is wrong" in page.data
    assert api.status_code == 500 and api.json["error"]["code"] == "internal_server_error"
    assert_protected(page, "500 page")
    assert_protected(api, "500 API")
    # Failed log-ins are recorded, so they go to a database of their own.
    with fresh_site(
        tmp_path, "testing", RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute"
    ) as app:
        limited = app.test_client()
        answers = [limited.post("/login", data={"email": "x@example.com"}) for _ in range(2)]
    assert answers[-1].status_code == 429
    assert_protected(answers[-1], "429")
    with fresh_site(tmp_path, "testing", WTF_CSRF_ENABLED=True) as app:
        refused = app.test_client().post("/login", data={"email": "x@example.com"})
    assert refused.status_code == 400
    assert_protected(refused, "CSRF 400")


def _fail():
    raise RuntimeError("a bug")


def test_api_answers_and_api_errors_carry_the_headers(client, owner):
    token = client.post("/api/v1/tokens", json={"email": owner.email, "password": "wrong"})
    assert token.status_code == 401
    assert_protected(token, "401")
    headers = api_token(client, owner)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert_protected(me, "200")
    invalid = client.get("/api/v1/search", query_string={"radius_km": "far"})
    assert invalid.status_code == 422
    assert_protected(invalid, "422")
    assert_protected(client.get("/api/v1/no-such-thing"), "404")
    assert_protected(client.delete("/api/v1/me", headers=headers), "405")
    assert_protected(client.get("/api/v1/openapi.json"), "OpenAPI document")


# Everything else: a walk through the site as each audience sees it.


def test_every_audience_gets_the_headers_on_every_kind_of_response(
    client, owner, exporter, operator
):
    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    anonymous = [
        "/",
        "/login",
        "/register",
        "/credit",
        f"/listings/{listing.id}",
        f"/warehouses/{listing.warehouse_id}",
        "/static/app.css",
        "/static/app.js",
        "/static/favicon.svg",
    ]
    for url in anonymous:
        with client.get(url) as response:  # a static file's response holds the file open
            assert response.status_code == 200, url
            assert_protected(response, url)
    redirect = client.get("/home")
    assert redirect.status_code == 302
    assert_protected(redirect, "redirect to the log-in page")
    for user, urls in (
        (owner, ["/home", "/warehouses/mine", "/bookings/inbox", "/earnings", "/profile"]),
        (exporter, ["/home", "/bookings/mine", "/shipments", "/notifications"]),
        (operator, ["/home", "/operator/escrow", "/operator/disputes", "/operator/audit"]),
    ):
        assert_protected(login(client, user), f"log-in of {user.email}")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_protected(response, url)
        assert_protected(client.post("/logout"), "log-out")


def test_each_request_gets_its_own_nonce(client):
    nonces = {nonce_of(client.get("/")) for _ in range(5)}
    assert len(nonces) == 5


def test_the_card_pages_scripts_carry_the_nonce_of_their_response(
    client, cards, exporter, owner, monkeypatch
):
    monkeypatch.setitem(client.application.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_cards")
    booking = _accepted_booking(owner, exporter)
    login(client, exporter)
    seen = set()
    for _attempt in range(2):
        page = client.post(f"/bookings/{booking.id}/pay-by-card")
        assert page.status_code == 200
        assert_protected(page, "card page")
        nonce = nonce_of(page)
        scripts = re.findall(r"<script\b[^>]*>", page.get_data(as_text=True))
        assert f'<script src="https://js.stripe.com/v3/" nonce="{nonce}">' in scripts
        assert f'<script nonce="{nonce}">' in scripts
        seen.add(nonce)
    assert len(seen) == 2


def _accepted_booking(owner, exporter):
    from datetime import UTC, datetime, timedelta

    from tests.helpers import booking_terms, goods
    from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking

    now = datetime.now(UTC)
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        price_minor=1000,
        available_from=now.date(),
        available_to=now.date() + timedelta(days=300),
    )
    start = now.date() + timedelta(days=5)
    request = BookingRequest(listing.id, 4, start, start + timedelta(days=30), goods())
    made = request_booking(exporter, request, booking_terms(), now, now.date())
    return accept_booking(owner, made.id, now)


def test_forms_that_ask_first_do_it_without_an_inline_handler(client, owner):
    warehouse = WarehouseFactory(organization=owner.organization)
    login(client, owner)
    page = client.get(f"/warehouses/{warehouse.id}").get_data(as_text=True)
    assert 'data-confirm="Archive this warehouse and all its listings?"' in page
    assert "onsubmit" not in page


def test_no_template_holds_a_script_the_policy_would_block():
    """Inline handlers and javascript: links never run under the policy; an inline script runs
    only with the nonce, and a script file only from this site or Stripe."""
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        name = str(template.relative_to(TEMPLATES))
        assert not re.search(r"\son[a-z]+\s*=", text), name
        assert "javascript:" not in text, name
        for tag in re.findall(r"<script\b[^>]*>", text):
            # the site's own files, and the vendored ones it serves itself (web/maps.py)
            from_here = "url_for('static'" in tag or "vendor_url(" in tag
            assert from_here or 'nonce="{{ csp_nonce() }}"' in tag, f"{name}: {tag}"


# HSTS: production only, and only on HTTPS (directly or behind the TLS-ending proxy).


def test_production_asks_browsers_to_use_https_only(tmp_path):
    with fresh_site(tmp_path, "production", SECRET_KEY="a-production-secret") as app:
        client = app.test_client()
        direct = client.get("/login", base_url="https://exchange.example")
        proxied = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        plain = client.get("/login")
    for response in (direct, proxied):
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31556926; includeSubDomains"
        )
    assert "Strict-Transport-Security" not in plain.headers


@pytest.mark.parametrize("environment", ["development", "testing"])
def test_development_and_tests_never_send_hsts(tmp_path, environment):
    with fresh_site(tmp_path, environment) as app:
        response = app.test_client().get("/login", base_url="https://localhost")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_images_come_from_the_site_and_only_the_configured_tile_server():
    stripe = {"STRIPE_API_BASE": "https://api.stripe.com"}
    assert content_security_policy({**stripe, "MAP_TILE_URL": ""})["img-src"] == ["'self'"]
    osm = {**stripe, "MAP_TILE_URL": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"}
    assert content_security_policy(osm)["img-src"] == [
        "'self'",
        "https://*.tile.openstreetmap.org",
        "data:",  # Leaflet's blank image for a tile it stops loading
    ]
    with pytest.raises(RuntimeError, match="MAP_TILE_URL"):
        content_security_policy({**stripe, "MAP_TILE_URL": "tiles/{z}/{x}/{y}.png"})


def test_the_browser_may_reach_the_configured_stripe_api():
    default = content_security_policy({"STRIPE_API_BASE": "https://api.stripe.com"})
    assert default["connect-src"] == ["'self'", "https://api.stripe.com"]
    local = content_security_policy({"STRIPE_API_BASE": "http://127.0.0.1:8420/"})
    assert local["connect-src"] == ["'self'", "http://127.0.0.1:8420", "https://api.stripe.com"]
