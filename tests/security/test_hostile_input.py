"""Hostile input, on pages and the API, logged in or not, is a 4xx with the usual error body,
never a 500: JSON nested past Python's recursion limit, lone surrogates and bytes that are not
UTF-8, numbers beyond what a column holds (or no numbers at all: NaN, infinities), and dates
centuries away."""

from __future__ import annotations

import importlib
import json
import pkgutil
from datetime import date, timedelta
from decimal import Decimal

import marshmallow
import pytest
from sqlalchemy import func, select

import warehouse_exchange
from tests.factories import ListingFactory, OrganizationFactory, WarehouseFactory
from tests.helpers import api_token, login
from warehouse_exchange.blacklist.models import BlacklistEntry
from warehouse_exchange.extensions import db
from warehouse_exchange.fx.services import record_rate
from warehouse_exchange.models_base import BIGINT_MAX, BIGINT_MIN
from warehouse_exchange.money import MAX_AMOUNT_MINOR
from warehouse_exchange.warehouses.models import Warehouse
from warehouse_exchange.web.schema import Schema

DEEP_ARRAYS = "[" * 100_000 + "]" * 100_000
DEEP_OBJECTS = '{"a":' * 5_000 + "1" + "}" * 5_000
#: below Python's recursion limit, far above any document of ours
DEEP_MIXED = '{"email": ' + '[{"a": ' * 450 + "1" + "}]" * 450 + "}"
HUGE_INTEGERS = [2**63, 10**30, 9 * 10**18, 2**31, -(2**63) - 1]
HUGE_DECIMALS = ["1e14", "9e18", str(2**63), str(10**30), "1e400", "1e999999999"]
NOT_NUMBERS = ["NaN", "nan", "sNaN", "inf", "-Infinity"]


def assert_api_error(response, status: int | tuple[int, ...]) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.data[:300])
    assert response.is_json, response.data[:300]
    error = response.json["error"]
    assert error["code"] and error["message"]
    return error


def assert_page_error(response, status: int | tuple[int, ...]) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.data[:300])
    assert response.mimetype == "text/html"


def warehouse_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Warehouse))


# --- JSON nested deeper than Python's parser can recurse ------------------------------------


@pytest.mark.parametrize(
    "body", [DEEP_ARRAYS, DEEP_OBJECTS, DEEP_MIXED], ids=["arrays", "objects", "mixed"]
)
def test_deep_json_to_an_unauthenticated_endpoint_is_a_400(client, body):
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    error = assert_api_error(response, 400)
    assert "nests deeper" in error["message"]


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["arrays", "objects"])
def test_deep_json_to_an_authenticated_endpoint_is_a_400_and_blacklists_nobody(
    client, operator, body
):
    headers = api_token(client, operator)
    response = client.post("/api/v1/blacklist", data=body, headers=headers,
                           content_type="application/json")  # fmt: skip
    assert_api_error(response, 400)
    assert db.session.scalar(select(func.count()).select_from(BlacklistEntry)) == 0


@pytest.mark.parametrize("path", ["/login", "/", "/warehouses/new"])
def test_deep_json_sent_to_a_page_is_a_400_page(client, owner, path):
    login(client, owner)
    response = client.post(path, data=DEEP_ARRAYS, content_type="application/json")
    assert_page_error(response, 400)


def test_deep_json_with_a_json_suffix_media_type_is_refused_too(client):
    response = client.post(
        "/api/v1/tokens", data=DEEP_OBJECTS, content_type="application/merge-patch+json"
    )
    assert_api_error(response, 400)


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    response = client.post("/api/v1/tokens", json={"email": "[{" * 5_000, "password": "x"})
    assert response.status_code in (401, 422)


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "\xff\xfe", "password": "x"}',
        b'{"email": NaN, "password": "x"}',
        b'{"email": 1e400, "password": "x"}',
        b'{"email": Infinity, "password": "x"}',
        b'{"email": ' + b"1" * 5_000 + b', "password": "x"}',
        b'{"email": "a", ',
    ],
    ids=["not-utf8", "nan", "float-overflow", "infinity", "int-too-long", "truncated"],
)
def test_json_that_is_not_json_is_a_400(client, body):
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert_api_error(response, 400)


# --- lone surrogates and bytes that are not UTF-8 -------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        '{"email": "\\ud800", "password": "x"}',
        '{"email": "a@example.com", "password": "\\udfff"}',
        '{"\\ud800": 1, "email": "a@example.com", "password": "x"}',
    ],
    ids=["value", "second-value", "key"],
)
def test_a_lone_surrogate_escaped_in_json_is_a_422_without_logging_in(client, payload):
    response = client.post("/api/v1/tokens", data=payload, content_type="application/json")
    error = assert_api_error(response, 422)
    assert "surrogate" in error["message"]


def warehouse_body(**changes) -> dict:
    body = {
        "name": "Hostile Input Depot",
        "address": "Europaweg 1",
        "city": "Rotterdam",
        "postal_code": "3199 LC",
        "country": "NL",
        "bonded": False,
        "max_pallet_height_cm": 180,
        "max_pallet_weight_kg": 1000,
        "floor_load_kg_m2": 3000,
        "temperature_zones": [{"kind": "ambient", "min_c": 15, "max_c": 25}],
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    "changes",
    [{"name": "Depot \ud800"}, {"city": "\udc80"}, {"certifications": ["ISO \udbff"]}],
    ids=["name", "city", "inside-a-list"],
)
def test_a_lone_surrogate_in_a_stored_string_is_a_422_and_stores_nothing(client, owner, changes):
    headers = api_token(client, owner)
    before = warehouse_count()
    response = client.post("/api/v1/warehouses", json=warehouse_body(**changes), headers=headers)
    assert_api_error(response, 422)
    assert warehouse_count() == before


def test_the_same_warehouse_without_the_surrogate_is_created(client, owner):
    headers = api_token(client, owner)
    response = client.post("/api/v1/warehouses", json=warehouse_body(), headers=headers)
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("escape", ["%ED%A0%80", "%FF", "%C3%28", "%ED%BF%BF"])
@pytest.mark.parametrize("path", ["/api/v1/search", "/"])
def test_a_query_string_that_is_not_utf8_is_a_400(client, path, escape):
    response = client.get(f"{path}?near={escape}")
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert_api_error(response, 400)
    else:
        assert_page_error(response, 400)


@pytest.mark.parametrize("escape", ["%ED%A0%80", "%FF"])
def test_a_form_body_that_is_not_utf8_is_a_400_before_logging_in(client, escape):
    response = client.post(
        "/login",
        data=f"email={escape}&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert_page_error(response, 400)


@pytest.mark.parametrize("escape", ["%ED%A0%80", "%FF"])
def test_a_page_form_that_is_not_utf8_is_a_400_and_stores_nothing(client, owner, escape):
    login(client, owner)
    before = warehouse_count()
    response = client.post(
        "/warehouses/new",
        data=f"name=Depot{escape}&address=Europaweg+1&city=Rotterdam&country=NL",
        content_type="application/x-www-form-urlencoded",
    )
    assert_page_error(response, 400)
    assert warehouse_count() == before


@pytest.mark.parametrize(
    "path",
    [
        "/invitations/\xed\xa0\x80",
        "/api/v1/invitations/\xff/accept",
        "/operator/jobs/\xed\xa0\x80/run",
    ],
)
def test_an_address_that_is_not_utf8_is_a_400(client, path):
    # a server hands the raw bytes of the path to the app as Latin-1, as PEP 3333 says
    response = client.post("/", environ_overrides={"PATH_INFO": path})
    assert response.status_code == 400


def test_nul_still_refused_in_query_and_form(client):
    assert client.get("/api/v1/search?near=Rotter%00dam").status_code == 422
    assert_page_error(client.post("/login", data={"email": "a\x00b", "password": "x"}), 422)


# --- numbers beyond the column, and numbers that are not numbers ---------------------------


@pytest.fixture
def rates(operator):
    """Currencies of many units per euro, into which a price ceiling is converted."""
    today = date.today()
    for currency, rate in (("JPY", Decimal("160")), ("VND", Decimal("27000"))):
        record_rate(operator, currency, rate, today - timedelta(days=1), "EUR", today)


@pytest.fixture
def listing(owner):
    return ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))


@pytest.mark.parametrize("ceiling", [*HUGE_DECIMALS, *NOT_NUMBERS, "-0", "0"])
def test_a_search_price_ceiling_beyond_the_column_is_a_422_in_the_api(
    client, rates, listing, ceiling
):
    response = client.get("/api/v1/search", query_string={"max_price": ceiling, "currency": "EUR"})
    error = assert_api_error(response, 422)
    assert "max_price" in error["fields"], error


@pytest.mark.parametrize("ceiling", [*HUGE_DECIMALS, *NOT_NUMBERS, "-0"])
def test_a_search_price_ceiling_beyond_the_column_is_a_422_page(client, rates, listing, ceiling):
    response = client.get("/", query_string={"max_price": ceiling, "currency": "EUR"})
    assert_page_error(response, 422)


def test_the_largest_ceiling_allowed_still_searches(client, rates, listing):
    """Converted into VND it passes what BIGINT holds; the filter then matches every price."""
    response = client.get(
        "/api/v1/search", query_string={"max_price": "9999999999", "currency": "EUR"}
    )
    assert response.status_code == 200, response.json
    assert listing.id in [hit["listing_id"] for hit in response.json["results"]]


#: arguments of the API's search that the search page does not read
PAGE_IGNORES = {"lat", "lon", "per_page"}


@pytest.mark.parametrize(
    "args",
    [
        {"quantity": str(2**63)},
        {"quantity": "1e14"},
        {"radius_km": "1e308", "near": "Rotterdam, NL"},
        {"radius_km": "inf", "near": "Rotterdam, NL"},
        {"lat": "nan", "lon": "4"},
        {"unit_weight_kg": str(10**30)},
        {"start": "99999-01-01"},
        {"start": "9999-12-30", "end": "9999-12-31", "quantity": "1"},
        {"page": str(2**63)},
        {"per_page": "1e400"},
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/search", "/"])
def test_other_search_numbers_and_dates_beyond_bounds_are_4xx(client, listing, path, args):
    response = client.get(path, query_string=args)
    if path == "/" and set(args) & PAGE_IGNORES:
        assert response.status_code == 200  # the search page has no such field
    else:
        assert 400 <= response.status_code < 500, (args, response.status_code)


@pytest.mark.parametrize("organization_id", [*HUGE_INTEGERS, 9e18, 1e14, "1", None, True], ids=repr)
def test_a_blacklist_id_beyond_the_column_is_a_422_and_blacklists_nobody(
    client, operator, organization_id
):
    headers = api_token(client, operator)
    body = {"organization_id": organization_id, "reason": "Fraud"}
    response = client.post("/api/v1/blacklist", json=body, headers=headers)
    error = assert_api_error(response, 422)
    assert "organization_id" in error["fields"]
    assert db.session.scalar(select(func.count()).select_from(BlacklistEntry)) == 0


def test_a_blacklist_id_with_an_exponent_beyond_float_is_a_400(client, operator):
    headers = api_token(client, operator)
    response = client.post(
        "/api/v1/blacklist",
        data='{"organization_id": 1e400, "reason": "Fraud"}',
        content_type="application/json",
        headers=headers,
    )
    assert_api_error(response, 400)


def test_a_real_organization_is_still_blacklisted(client, operator):
    headers = api_token(client, operator)
    target = OrganizationFactory(kind="owner")
    response = client.post(
        "/api/v1/blacklist", json={"organization_id": target.id, "reason": "Fraud"}, headers=headers
    )
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("value", HUGE_INTEGERS, ids=str)
def test_huge_ids_and_quantities_in_other_api_bodies_are_422(client, exporter, listing, value):
    headers = api_token(client, exporter)
    start = date.today() + timedelta(days=7)
    booking = {
        "listing_id": listing.id,
        "quantity": 1,
        "start": start.isoformat(),
        "end": (start + timedelta(days=30)).isoformat(),
        "sku_profile": {
            "unit_length_cm": 100, "unit_width_cm": 80, "unit_height_cm": 100,
            "unit_weight_kg": 100, "temperature_min_c": 15, "temperature_max_c": 25,
            "category": "general",
        },
    }  # fmt: skip
    for field in ("listing_id", "quantity"):
        response = client.post("/api/v1/bookings", json={**booking, field: value}, headers=headers)
        assert_api_error(response, 422)
    dispute = {"booking_id": value, "category": "other", "description": "x",
               "claimed": {"amount_minor": 100, "currency": "EUR"}}  # fmt: skip
    assert_api_error(client.post("/api/v1/disputes", json=dispute, headers=headers), (404, 422))
    if abs(value) > MAX_AMOUNT_MINOR:
        money = {**dispute, "booking_id": 1, "claimed": {"amount_minor": value, "currency": "EUR"}}
        error = assert_api_error(client.post("/api/v1/disputes", json=money, headers=headers), 422)
        assert "claimed" in error["fields"]


@pytest.mark.parametrize("value", [str(2**63), "9" * 40, "-" + str(2**63)])
def test_huge_page_numbers_and_ids_in_page_queries_are_4xx(client, operator, value):
    login(client, operator)
    for path in ("/operator/audit?subject_id=", "/operator/audit?page=", "/notifications?page="):
        response = client.get(path + value)
        assert_page_error(response, (400, 404, 422))


@pytest.mark.parametrize("price", [*HUGE_DECIMALS, *NOT_NUMBERS])
def test_a_listing_price_beyond_any_sum_is_a_field_error_on_the_page(client, owner, price):
    login(client, owner)
    warehouse = WarehouseFactory(organization=owner.organization)
    response = client.post(f"/listings/new/{warehouse.id}", data={"price": price})
    assert_page_error(response, 422)


@pytest.mark.parametrize("amount", [10**30, 2**63, -(2**63) - 1, 10**12 + 1])
def test_a_listing_price_beyond_any_sum_is_a_422_in_the_api(client, owner, amount):
    headers = api_token(client, owner)
    warehouse = WarehouseFactory(organization=owner.organization)
    today = date.today()
    body = {
        "title": "Pallets", "unit": "pallet", "quantity": 10,
        "available_from": today.isoformat(),
        "available_to": (today + timedelta(days=90)).isoformat(),
        "unit_price": {"amount_minor": amount, "currency": "EUR"},
        "max_unit_length_cm": 120, "max_unit_width_cm": 100, "max_unit_height_cm": 180,
        "max_unit_weight_kg": 1000, "temperature_min_c": 15, "temperature_max_c": 25,
        "categories": ["general"],
    }  # fmt: skip
    response = client.post(
        f"/api/v1/warehouses/{warehouse.id}/listings", json=body, headers=headers
    )
    assert_api_error(response, 422)


@pytest.mark.parametrize("rate", ["sNaN", "NaN", "1e400", "1e999999999", "-inf"])
def test_an_exchange_rate_that_is_not_a_number_is_a_field_error(client, operator, rate):
    login(client, operator)
    response = client.post(
        "/operator/exchange-rates/",
        data={"currency": "USD", "rate": rate, "rate_date": date.today().isoformat()},
    )
    assert_page_error(response, 422)


def test_a_body_the_guard_accepts_reaches_the_view_unchanged(client, operator):
    headers = api_token(client, operator)
    target = OrganizationFactory(kind="owner")
    body = json.dumps({"organization_id": target.id, "reason": "Fraud \u00e9\u4e2d"})
    response = client.post(
        "/api/v1/blacklist", data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 201
    assert response.json["reason"] == "Fraud \u00e9\u4e2d"


# --- the mechanisms that make the above hold for fields not yet written ---------------------


def _our_schemas() -> list[type[marshmallow.Schema]]:
    for module in pkgutil.walk_packages(warehouse_exchange.__path__, "warehouse_exchange."):
        if module.name.endswith((".schemas", ".api")):
            importlib.import_module(module.name)
    found, pending = [], [marshmallow.Schema]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("warehouse_exchange."):
                found.append(subclass)
    return found


def test_every_api_schema_derives_from_the_bounded_base():
    assert [s.__qualname__ for s in _our_schemas() if not issubclass(s, Schema)] == []


def _numbers_and_dates(field):
    if isinstance(field, marshmallow.fields.List):
        yield from _numbers_and_dates(field.inner)
    if isinstance(field, marshmallow.fields.Number | marshmallow.fields.Date):
        yield field
    if isinstance(field, marshmallow.fields.DateTime):
        yield field


@pytest.mark.parametrize("schema", _our_schemas(), ids=lambda s: s.__qualname__)
def test_every_number_and_date_field_of_every_schema_is_bounded_within_its_column(schema):
    for name, field in schema().fields.items():
        for number in _numbers_and_dates(field):
            assert number.validators, f"{schema.__qualname__}.{name} is unbounded"
            for validator in number.validators:
                if isinstance(validator, marshmallow.validate.Range):
                    assert validator.min is not None and validator.max is not None, name
                    if isinstance(number, marshmallow.fields.Integer):
                        assert BIGINT_MIN <= validator.min <= validator.max <= BIGINT_MAX, name
