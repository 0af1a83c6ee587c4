"""The OpenAPI document tells the truth about who may call an operation and how it fails.

The finding: operations that answer 401 without a bearer token were documented without any
security, and the errors operations answer (401, 403, 404, 409, 422, 429) were not documented
at all, hidden behind one catch-all "default" response. A client generated from the document
could not know it had to authenticate, nor which errors to handle.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app
from marshmallow import Schema, fields

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import api_token, goods
from warehouse_exchange import create_app
from warehouse_exchange.adapters.clock import utc_today
from warehouse_exchange.extensions import db, limiter
from warehouse_exchange.web.api import ApiBlueprint
from warehouse_exchange.web.auth import api_login_required

BEARER = [{"bearerAuth": []}]
ERROR_REF = "#/components/schemas/Error"


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method.upper(), path, operation


def concrete(path: str) -> str:
    """A URL for a templated path: ids 1, and a valid value for the enumerated segments."""
    named = {"decision": "approve", "action": "pause", "token": "an-invitation"}
    return re.sub(r"{(\w+)}", lambda m: named.get(m.group(1), "1"), path)


def error_schema_of(spec: dict, response: dict) -> str | None:
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json


def test_every_operation_that_refuses_anonymous_callers_documents_its_security_and_401(
    client, spec
):
    """The original finding, checked by behaviour: call every operation without a token."""
    lies = []
    for method, path, operation in operations(spec):
        status = client.open(concrete(path), method=method).status_code
        secured = bool(operation.get("security"))
        if status == 401 and not secured:
            lies.append(f"{method} {path}: refuses anonymous callers, documents no security")
        if secured and (status < 400 or "401" not in operation["responses"]):
            lies.append(f"{method} {path}: documents security, answers {status} anonymously")
    assert not lies, "\n".join(lies)


def test_user_operations_ask_for_the_bearer_token_and_public_ones_for_nothing(spec):
    secured = {(m, p): o.get("security") for m, p, o in operations(spec)}
    assert secured[("POST", "/api/v1/bookings")] == BEARER
    assert secured[("GET", "/api/v1/me")] == BEARER
    assert secured[("DELETE", "/api/v1/tokens/{token_id}")] == BEARER
    for public in [("GET", "/api/v1/search"), ("POST", "/api/v1/tokens")]:
        assert not secured[public], public
    assert "default" not in {code for _, _, o in operations(spec) for code in o["responses"]}


def test_every_error_an_operations_shape_implies_is_documented_with_the_error_body(spec):
    missing = []
    for method, path, operation in operations(spec):
        responses = operation["responses"]
        takes_query = any(p["in"] == "query" for p in operation.get("parameters", ()))
        expected = {
            "404": "{" in path,
            "422": "requestBody" in operation or takes_query,
            "400": "application/json" in operation.get("requestBody", {}).get("content", {}),
            "413": "requestBody" in operation,
        }
        missing += [
            f"{method} {path}: {code}"
            for code, due in expected.items()
            if due and code not in responses
        ]
        for code, response in responses.items():
            if code.startswith(("4", "5")) and error_schema_of(spec, response) != ERROR_REF:
                missing.append(f"{method} {path}: {code} without the error body")
    assert not missing, "\n".join(missing)


def test_a_path_id_that_names_nothing_is_a_documented_404(client, owner, spec):
    headers = api_token(client, owner)
    for method, template in [
        ("post", "/api/v1/warehouses/{warehouse_id}/archive"),
        ("get", "/api/v1/bookings/{booking_id}"),
    ]:
        url = re.sub(r"{\w+}", "999999", template)
        assert client.open(url, method=method, headers=headers).status_code == 404
        assert "404" in spec["paths"][template][method]["responses"]


def test_a_body_the_schema_refuses_is_a_documented_422(client, owner, spec):
    response = client.post(
        "/api/v1/warehouses", json={"name": ""}, headers=api_token(client, owner)
    )
    assert response.status_code == 422 and response.json["error"]["fields"]
    assert "422" in spec["paths"]["/api/v1/warehouses"]["post"]["responses"]


def test_the_rate_limited_token_exchange_documents_the_429_it_answers(_app, database_url):
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
         "LOGIN_RATE_LIMIT": "2 per minute"},
    )  # fmt: skip
    try:
        client = app.test_client()
        codes = [
            client.post(
                "/api/v1/tokens", json={"email": "x@example.com", "password": "p"}
            ).status_code
            for _ in range(3)
        ]
        documented = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/tokens"]["post"]
    finally:
        with app.app_context():
            db.engine.dispose()
    assert codes == [401, 401, 429]
    assert {"401", "429"} <= set(documented["responses"])


def test_a_use_case_conflict_is_documented_where_it_is_raised(client, owner, exporter, spec):
    """409 insufficient_capacity when a booking asks for units an accepted one holds."""
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization), quantity=5,
        available_from=utc_today(), available_to=utc_today() + timedelta(days=200),
    )  # fmt: skip
    start = utc_today() + timedelta(days=10)
    booking = {
        "listing_id": listing.id,
        "quantity": 4,
        "start": start.isoformat(),
        "end": (start + timedelta(days=40)).isoformat(),
        "sku_profile": vars(goods()),
    }
    tenant = api_token(client, exporter)
    first = client.post("/api/v1/bookings", json=booking, headers=tenant).json
    accepted = client.post(
        f"/api/v1/bookings/{first['id']}/accept", headers=api_token(client, owner)
    )
    assert accepted.status_code == 200, accepted.json

    response = client.post("/api/v1/bookings", json=booking, headers=tenant)

    assert response.status_code == 409, response.json
    assert response.json["error"]["code"] == "insufficient_capacity"
    conflict = spec["paths"]["/api/v1/bookings"]["post"]["responses"]["409"]
    assert "insufficient_capacity" in conflict["description"]


class ThingArgs(Schema):
    colour = fields.String(required=True)


def test_a_new_endpoint_cannot_forget_its_security_or_errors():
    """Nothing but the decorators a view already needs: the document follows from them."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    blp = ApiBlueprint("things_api", __name__, description="Things")

    @blp.post("/things/<id:thing_id>/paint")
    @limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
    @api_login_required
    @blp.arguments(ThingArgs)
    @blp.response(200)
    def paint(args, thing_id: int):
        """Paint a thing."""

    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    api.register_blueprint(blp, url_prefix="/api/v1")
    with app.app_context():
        operation = api.spec.to_dict()["paths"]["/api/v1/things/{thing_id}/paint"]["post"]

    assert operation["security"] == BEARER
    assert {"200", "400", "401", "404", "413", "422", "429"} == set(operation["responses"])


def test_a_body_too_large_is_a_documented_413(client, spec):
    padding = "x" * 1_100_000
    response = client.post("/api/v1/organizations", json={"name": padding})
    assert response.status_code == 413 and response.json["error"]["code"]
    assert "413" in spec["paths"]["/api/v1/organizations"]["post"]["responses"]


def test_an_out_of_range_path_id_is_a_404_for_every_method_not_a_405(client, owner, spec):
    """A 405 would be undocumented, and its Allow header would name methods the id never
    reaches."""
    headers = api_token(client, owner)
    for method in ("get", "patch"):
        for shipment_id in (2**31, 75785719600):
            url = f"/api/v1/shipments/{shipment_id}"
            response = client.open(url, method=method, headers=headers, json={})
            assert response.status_code == 404, (method, shipment_id)
            assert response.json["error"]["code"] == "not_found"
            assert "404" in spec["paths"]["/api/v1/shipments/{shipment_id}"][method]["responses"]
