"""Listings: publish, edit, pause, resume, archive; rules, permissions and bad input."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import api_token, login
from warehouse_exchange.extensions import db
from warehouse_exchange.listings.models import Listing
from warehouse_exchange.models import TemperatureZone

TODAY = date.today()


def form(**changes) -> dict:
    data = {
        "title": "Ambient pallets near the port",
        "description": "Racked, sprinklered.",
        "unit": "pallet",
        "quantity": "400",
        "available_from": TODAY.isoformat(),
        "available_to": (TODAY + timedelta(days=180)).isoformat(),
        "price": "3.25",
        "currency": "EUR",
        "min_quantity": "5",
        "min_term_days": "30",
        "max_unit_length_cm": "120",
        "max_unit_width_cm": "100",
        "max_unit_height_cm": "170",
        "max_unit_weight_kg": "1000",
        "temperature_min_c": "15",
        "temperature_max_c": "25",
        "categories": ["general", "electronics"],
    }
    return {**data, **changes}


def api_body(**changes) -> dict:
    body = {
        "title": "Cold store",
        "unit": "cbm",
        "quantity": 50,
        "available_from": TODAY.isoformat(),
        "available_to": (TODAY + timedelta(days=90)).isoformat(),
        "unit_price": {"amount_minor": 450, "currency": "JPY"},
        "max_unit_length_cm": 120,
        "max_unit_width_cm": 100,
        "max_unit_height_cm": 150,
        "max_unit_weight_kg": 500,
        "temperature_min_c": 2,
        "temperature_max_c": 8,
        "categories": ["food"],
    }
    return {**body, **changes}


def listings() -> list[Listing]:
    return list(db.session.scalars(select(Listing)))


def cold_warehouse(owner):
    return WarehouseFactory(
        organization=owner.organization,
        hazmat_mask=(1 << 3) | (1 << 9),
        temperature_zones=[
            TemperatureZone(kind="ambient", min_c=15, max_c=25),
            TemperatureZone(kind="chilled", min_c=2, max_c=8),
        ],
    )


def test_owner_publishes_a_listing(client, owner):
    warehouse = cold_warehouse(owner)
    login(client, owner)
    response = client.post(f"/listings/new/{warehouse.id}", data=form())
    assert response.status_code == 302
    (listing,) = listings()
    assert (listing.price_minor, listing.currency, listing.quantity) == (325, "EUR", 400)
    assert listing.categories == ["general", "electronics"] and listing.status == "active"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "€3.25" in page and "Ambient pallets near the port" in page


def test_price_is_stored_in_minor_units_of_its_currency(client, owner):
    warehouse = cold_warehouse(owner)
    login(client, owner)
    client.post(f"/listings/new/{warehouse.id}", data=form(price="450", currency="JPY"))
    client.post(f"/listings/new/{warehouse.id}", data=form(price="1.125", currency="BHD"))
    assert sorted((x.currency, x.price_minor) for x in listings()) == [("BHD", 1125), ("JPY", 450)]
    response = client.post(f"/listings/new/{warehouse.id}", data=form(price="4.5", currency="JPY"))
    assert response.status_code == 422 and "at most 0 decimals" in response.get_data(as_text=True)


def test_bad_listing_input_changes_nothing(client, owner):
    warehouse = cold_warehouse(owner)
    login(client, owner)
    past = (TODAY - timedelta(days=3)).isoformat()
    cases = [
        ({"quantity": "0"}, "Number must be between 1 and 1000000."),
        ({"quantity": "-4"}, "Number must be between 1 and 1000000."),
        ({"quantity": "lots"}, "Not a valid integer value."),
        ({"price": "-1"}, "Must be more than zero."),
        ({"price": "0"}, "Must be more than zero."),
        ({"currency": "XYZ"}, "Not a valid choice."),
        ({"available_to": past}, "The window ends before it starts."),
        ({"available_from": past}, "A new listing cannot start in the past."),
        ({"min_quantity": "500"}, "Must be between 1 and 400."),
        ({"min_term_days": "400"}, "The minimum term is longer than the window."),
        ({"temperature_min_c": "30"}, "Minimum temperature above maximum."),
        ({"temperature_min_c": "-20", "temperature_max_c": "-18"}, "No temperature zone"),
        ({"hazmat_classes": ["1"]}, "does not accept hazard class 1"),
        ({"categories": []}, "Choose at least one."),
        ({"max_unit_height_cm": "900"}, "At most 180 cm in this warehouse."),
    ]
    for change, message in cases:
        response = client.post(f"/listings/new/{warehouse.id}", data=form(**change))
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), (change, message)
    assert listings() == []


def test_every_mistake_in_a_listing_is_shown_at_once(client, owner):
    warehouse = cold_warehouse(owner)
    login(client, owner)
    past = (TODAY - timedelta(days=3)).isoformat()
    changes = {"min_quantity": "500", "available_to": past, "temperature_min_c": "30"}
    response = client.post(f"/listings/new/{warehouse.id}", data=form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "(2 more below.)" in page
    for message in ("Must be between 1 and 400.", "Must be on or after the start.", "Above max."):
        assert message in page, message
    assert listings() == []


def test_listing_in_someone_elses_warehouse_is_forbidden(client, owner, other_owner, exporter):
    theirs = WarehouseFactory(organization=other_owner.organization)
    login(client, owner)
    assert client.post(f"/listings/new/{theirs.id}", data=form()).status_code == 403
    assert client.get(f"/listings/new/{theirs.id}").status_code == 403
    client.post("/logout")
    login(client, exporter)
    assert client.post(f"/listings/new/{theirs.id}", data=form()).status_code == 403
    assert listings() == []


def test_edit_pause_resume_archive(client, owner, other_owner):
    listing = ListingFactory(warehouse=cold_warehouse(owner))
    login(client, owner)
    assert "Max unit length" in client.get(f"/listings/{listing.id}/edit").get_data(as_text=True)
    response = client.post(f"/listings/{listing.id}/edit", data=form(title="Renamed"))
    assert response.status_code == 302
    for action, status in [("pause", "paused"), ("resume", "active"), ("archive", "archived")]:
        assert client.post(f"/listings/{listing.id}/{action}").status_code == 302
        db.session.expire_all()
        assert listing.status == status
    refused = client.post(f"/listings/{listing.id}/resume")
    assert refused.status_code == 409
    assert "only paused listings can" in refused.get_data(as_text=True)
    assert client.post(f"/listings/{listing.id}/edit", data=form()).status_code == 409
    db.session.expire_all()
    assert listing.title == "Renamed"


def test_someone_elses_listing_cannot_be_changed(client, owner, other_owner):
    listing = ListingFactory(warehouse=WarehouseFactory(organization=other_owner.organization))
    login(client, owner)
    assert client.post(f"/listings/{listing.id}/edit", data=form()).status_code == 403
    assert client.post(f"/listings/{listing.id}/pause").status_code == 403
    db.session.expire_all()
    assert listing.status == "active"


def test_pausing_twice_is_a_conflict_naming_the_allowed_states(client, owner):
    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    login(client, owner)
    client.post(f"/listings/{listing.id}/pause")
    response = client.post(f"/listings/{listing.id}/pause")
    assert response.status_code == 409
    assert "only active listings can" in response.get_data(as_text=True)


def test_database_refuses_what_the_service_would_refuse(app):
    """The CHECK constraints hold even when code bypasses the services."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    for change in (
        {"quantity": 0},
        {"price_minor": -1},
        {"min_quantity": 500},
        {"available_to": TODAY - timedelta(days=400)},
        {"unit": "barrel"},
    ):
        with pytest.raises(IntegrityError):
            ListingFactory(**change)
        db.session.rollback()


def test_api_listing_lifecycle(client, owner, other_owner):
    warehouse = cold_warehouse(owner)
    headers = api_token(client, owner)
    created = client.post(
        f"/api/v1/warehouses/{warehouse.id}/listings", json=api_body(), headers=headers
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert body["unit_price"] == {"amount_minor": 450, "currency": "JPY"}
    assert body["warehouse"]["id"] == warehouse.id
    listing_id = body["id"]
    assert client.get(f"/api/v1/listings/{listing_id}").json["title"] == "Cold store"
    updated = client.put(
        f"/api/v1/listings/{listing_id}", json=api_body(quantity=60), headers=headers
    )
    assert updated.json["quantity"] == 60
    assert (
        client.post(f"/api/v1/listings/{listing_id}/pause", headers=headers).json["status"]
        == "paused"
    )
    mine = client.get("/api/v1/listings", headers=headers).json
    assert mine["total"] == 1
    other = api_token(client, other_owner)
    assert client.post(f"/api/v1/listings/{listing_id}/archive", headers=other).status_code == 403
    again = client.post(f"/api/v1/listings/{listing_id}/pause", headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"


def test_api_bad_listing_input(client, owner):
    warehouse = cold_warehouse(owner)
    headers = api_token(client, owner)
    url = f"/api/v1/warehouses/{warehouse.id}/listings"
    cases = [
        (api_body(quantity=-1), "quantity"),
        (api_body(quantity="many"), "quantity"),
        (api_body(unit_price={"amount_minor": 0, "currency": "EUR"}), "unit_price"),
        (api_body(unit_price={"amount_minor": 100, "currency": "EURO"}), "currency"),
        (api_body(unit_price={"amount_minor": 1.5, "currency": "EUR"}), "unit_price"),
        (api_body(available_to=(TODAY - timedelta(days=1)).isoformat()), "available_to"),
        (api_body(temperature_min_c=-20, temperature_max_c=-18), "temperature_min_c"),
        (api_body(categories=["weapons"]), "categories"),
        (api_body(unit="barrel"), "unit"),
    ]
    for body, field in cases:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["error"]["fields"], (field, response.json)
    assert (
        client.post(
            "/api/v1/warehouses/999999/listings", json=api_body(), headers=headers
        ).status_code
        == 404
    )
    assert db.session.scalar(select(func.count()).select_from(Listing)) == 0


def test_cancellation_policy_is_a_listing_term(client, owner):
    warehouse = cold_warehouse(owner)
    headers = api_token(client, owner)
    url = f"/api/v1/warehouses/{warehouse.id}/listings"
    bad = client.post(url, json=api_body(cancellation_policy="lenient"), headers=headers)
    assert bad.status_code == 422 and "cancellation_policy" in bad.json["error"]["fields"]
    assert listings() == []
    created = client.post(url, json=api_body(cancellation_policy="strict"), headers=headers)
    assert created.json["cancellation_policy"] == "strict"
    default = client.post(url, json=api_body(), headers=headers).json
    assert default["cancellation_policy"] == "moderate"
    page = client.get(f"/listings/{created.json['id']}").get_data(as_text=True)
    assert "Strict: half the rent refunded up to 30 days before the start" in page


def test_when_the_owner_is_first_paid_is_a_listing_term(client, owner):
    warehouse = cold_warehouse(owner)
    headers = api_token(client, owner)
    url = f"/api/v1/warehouses/{warehouse.id}/listings"
    bad = client.post(url, json=api_body(first_release="on_arrival"), headers=headers)
    assert bad.status_code == 422 and "first_release" in bad.json["error"]["fields"]
    assert listings() == []
    created = client.post(url, json=api_body(first_release="check_in"), headers=headers)
    assert created.json["first_release"] == "check_in"
    assert client.post(url, json=api_body(), headers=headers).json["first_release"] == "start_day"
