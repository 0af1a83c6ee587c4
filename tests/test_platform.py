"""Cross-cutting guarantees: migrations match the models, CSRF, the OpenAPI document, no 500s."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from tests.helpers import app_with
from warehouse_exchange import create_app
from warehouse_exchange.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_migrations_build_the_schema_the_models_describe(_app, database_url):
    """`flask db check` (autogenerate's comparison, with env.py's settings) on the session's
    database of each backend, which the migrations built (tests/databases.py)."""
    env = {
        "WX_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_APP": str(ROOT / "wsgi.py"),
        "PATH": "",
    }
    check = [sys.executable, "-m", "flask", "db", "check"]
    result = subprocess.run(check, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "No new upgrade operations detected" in result.stdout + result.stderr


def test_forms_refuse_posts_without_a_csrf_token(_app, database_url):
    with app_with(database_url, WTF_CSRF_ENABLED=True) as app:
        response = app.test_client().post(
            "/login", data={"email": "a@example.com", "password": "whatever"}
        )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_openapi_document_describes_every_api_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    for path in (
        "/api/v1/search",
        "/api/v1/tokens",
        "/api/v1/warehouses",
        "/api/v1/warehouses/{warehouse_id}",
        "/api/v1/listings/{listing_id}",
        "/api/v1/warehouses/{warehouse_id}/listings",
        "/api/v1/organizations/{organization_id}",
        "/api/v1/exchange-rates",
    ):
        assert path in paths, path
    search_params = {p["name"] for p in paths["/api/v1/search"]["get"]["parameters"]}
    assert {
        "country",
        "near",
        "lat",
        "lon",
        "radius_km",
        "max_price",
        "currency",
        "sort",
        "page",
        "per_page",
        "unit_length_cm",
        "hazmat_class",
    } <= search_params
    assert "Error" in spec["components"]["schemas"]


def test_unknown_api_routes_answer_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get("/nothing-here").status_code == 404


def test_every_page_renders_for_its_audience(client, owner, operator):
    from tests.factories import ListingFactory, WarehouseFactory
    from tests.helpers import login

    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    public = [
        "/",
        "/login",
        "/register",
        f"/warehouses/{listing.warehouse_id}",
        f"/listings/{listing.id}",
        f"/organizations/{owner.organization_id}",
    ]
    for url in public:
        assert client.get(url).status_code == 200, url
    login(client, owner)
    for url in [
        "/profile",
        "/warehouses/mine",
        "/listings/mine",
        "/warehouses/new",
        f"/listings/new/{listing.warehouse_id}",
        f"/listings/{listing.id}/edit",
    ]:
        assert client.get(url).status_code == 200, url
    client.post("/logout")
    login(client, operator)
    assert client.get("/operator/exchange-rates/").status_code == 200
    assert client.get("/warehouses/mine").status_code == 403


def test_nul_characters_are_refused_everywhere(client, owner):
    from tests.helpers import api_token

    api = client.post("/api/v1/tokens", json={"email": "\x00", "password": "x"})
    assert api.status_code == 422 and "NUL" in api.json["error"]["message"]
    page = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert page.status_code == 422
    search = client.get("/api/v1/search", query_string={"near": "Rotter\x00dam"})
    assert search.status_code == 422
    headers = api_token(client, owner)
    body = {
        "organization_name": "x",
        "kind": "owner",
        "country": "NL",
        "name": "\x00",
        "email": "nul@example.com",
        "password": "long-enough-password",
    }
    assert client.post("/api/v1/organizations", json=body, headers=headers).status_code == 422


def test_postgres_connections_run_without_jit(app):
    """Search queries pass the JIT cost thresholds, where compiling costs more than it saves."""
    configured = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://127.0.0.1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c work_mem=8MB"}},
        },
    ).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert configured["connect_args"]["options"].startswith("-c work_mem=8MB -c jit=off")
    if db.engine.dialect.name == "postgresql":
        assert db.session.scalar(text("SHOW jit")) == "off"


def test_pages_that_are_not_there_get_the_sites_error_page(client):
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and b"Find space" in missing.data
    wrong_method = client.delete("/login")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    assert b"Something is wrong" in wrong_method.data
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"


def test_an_action_after_commit_runs_once_the_commit_is_done_and_never_after_a_rollback(app):
    from warehouse_exchange.unit_of_work import after_commit

    ran = []
    after_commit(lambda: ran.append("rolled back"))
    db.session.rollback()
    assert ran == []
    after_commit(lambda: ran.append("committed"))
    assert ran == []
    db.session.commit()
    db.session.commit()
    assert ran == ["committed"]
