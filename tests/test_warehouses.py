"""Warehouses: create, edit, archive through pages and the API, with permissions and bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import api_token, login
from warehouse_exchange.extensions import db
from warehouse_exchange.warehouses.models import Warehouse

FORM = {
    "name": "Maasvlakte DC 2",
    "address": "Europaweg 875",
    "city": "Rotterdam",
    "postal_code": "3199 LD",
    "country": "NL",
    "bonded": "y",
    "ambient_enabled": "y",
    "ambient_min_c": "15",
    "ambient_max_c": "25",
    "chilled_enabled": "y",
    "chilled_min_c": "2",
    "chilled_max_c": "8",
    "frozen_min_c": "-25",
    "frozen_max_c": "-18",
    "hazmat_classes": ["3", "9"],
    "max_pallet_height_cm": "180",
    "max_pallet_weight_kg": "1200",
    "floor_load_kg_m2": "5000",
    "services": ["pick_pack", "returns"],
    "certifications": "ISO 9001, AEO",
}

API_BODY = {
    "name": "Jebel Ali Unit 14",
    "address": "Jebel Ali Free Zone, Road 1",
    "city": "Dubai",
    "country": "AE",
    "temperature_zones": [{"kind": "ambient", "min_c": 18, "max_c": 28}],
    "hazmat_classes": [8],
    "max_pallet_height_cm": 200,
    "max_pallet_weight_kg": 1500,
    "floor_load_kg_m2": 4000,
    "services": ["cross_dock"],
    "certifications": ["ISO 9001"],
}


def warehouses() -> list[Warehouse]:
    return list(db.session.scalars(select(Warehouse)))


def test_owner_creates_a_warehouse_placed_by_the_geocoder(client, owner):
    login(client, owner)
    response = client.post("/warehouses/new", data=FORM)
    assert response.status_code == 302
    (warehouse,) = warehouses()
    assert (round(warehouse.latitude, 2), round(warehouse.longitude, 2)) == (51.92, 4.48)
    assert warehouse.timezone == "Europe/Amsterdam"
    assert warehouse.hazmat_classes == [3, 9] and warehouse.services == ["pick_pack", "returns"]
    assert sorted(z.kind for z in warehouse.temperature_zones) == ["ambient", "chilled"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Maasvlakte DC 2" in page and "customs-bonded" in page


def test_explicit_position_and_zone_win_over_the_geocoder(client, owner):
    login(client, owner)
    form = {**FORM, "latitude": "51.95", "longitude": "4.05", "timezone": "Europe/London"}
    assert client.post("/warehouses/new", data=form).status_code == 302
    (warehouse,) = warehouses()
    assert (warehouse.latitude, warehouse.longitude, warehouse.timezone) == (
        51.95,
        4.05,
        "Europe/London",
    )


def test_bad_warehouse_input_is_shown_beside_fields_and_changes_nothing(client, owner):
    login(client, owner)
    cases = [
        ({"country": "XX"}, "Not a valid choice"),
        ({"city": "Atlantisville"}, "Place not found."),
        ({"timezone": "Mars/Olympus"}, "Not an IANA time zone."),
        ({"ambient_min_c": "30"}, "Must not be above the maximum."),
        ({"ambient_enabled": "", "chilled_enabled": ""}, "Choose at least one zone."),
        ({"max_pallet_height_cm": "-5"}, "Number must be between 1 and 1000."),
        ({"latitude": "51.9"}, "Give both latitude and longitude, or neither."),
        ({"name": "x" * 500}, "Field cannot be longer than 120 characters."),
    ]
    for change, message in cases:
        response = client.post("/warehouses/new", data={**FORM, **change})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, change
        assert message in page, (change, message)
        assert 'value="Europaweg 875"' in page  # the form keeps what was typed
    assert warehouses() == []


def test_exporters_cannot_create_warehouses(client, exporter):
    login(client, exporter)
    assert client.post("/warehouses/new", data=FORM).status_code == 403
    assert warehouses() == []


def test_owner_edits_own_warehouse_but_not_anothers(client, owner, other_owner):
    mine = WarehouseFactory(organization=owner.organization)
    theirs = WarehouseFactory(organization=other_owner.organization, name="Theirs")
    login(client, owner)
    form = client.get(f"/warehouses/{mine.id}/edit").get_data(as_text=True)
    assert mine.name in form
    assert client.post(f"/warehouses/{mine.id}/edit", data=FORM).status_code == 302
    db.session.expire_all()
    assert mine.name == "Maasvlakte DC 2" and len(mine.temperature_zones) == 2
    assert client.get(f"/warehouses/{theirs.id}/edit").status_code == 403
    assert client.post(f"/warehouses/{theirs.id}/edit", data=FORM).status_code == 403
    assert client.post(f"/warehouses/{theirs.id}/archive").status_code == 403
    db.session.expire_all()
    assert theirs.name == "Theirs" and theirs.status == "active"
    assert client.get("/warehouses/999999/edit").status_code == 404


def test_failed_edit_leaves_the_warehouse_as_it_was(client, owner):
    warehouse = WarehouseFactory(organization=owner.organization, name="Before")
    login(client, owner)
    response = client.post(
        f"/warehouses/{warehouse.id}/edit", data={**FORM, "timezone": "Nowhere/Void"}
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert warehouse.name == "Before" and warehouse.timezone == "Europe/Amsterdam"


def test_archiving_archives_the_listings_too(client, owner):
    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    login(client, owner)
    assert client.post(f"/warehouses/{listing.warehouse_id}/archive").status_code == 302
    db.session.expire_all()
    assert listing.warehouse.status == "archived" and listing.status == "archived"
    assert client.post(f"/warehouses/{listing.warehouse_id}/archive").status_code == 409
    edit = client.post(f"/warehouses/{listing.warehouse_id}/edit", data=FORM)
    assert edit.status_code == 409


def test_my_warehouses_page_paginates_and_has_an_empty_state(client, owner):
    login(client, owner)
    assert "You have no warehouses yet." in client.get("/warehouses/mine").get_data(as_text=True)
    for n in range(25):
        WarehouseFactory(organization=owner.organization, name=f"Site {n:02d}")
    first = client.get("/warehouses/mine").get_data(as_text=True)
    second = client.get("/warehouses/mine?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Site 00" in first and "Site 24" not in first
    assert "Site 24" in second


def test_api_create_get_update_archive(client, owner, other_owner):
    headers = api_token(client, owner)
    created = client.post("/api/v1/warehouses", json=API_BODY, headers=headers)
    assert created.status_code == 201, created.json
    body = created.json
    assert body["timezone"] == "Asia/Dubai" and body["hazmat_classes"] == [8]
    assert body["owner"]["id"] == owner.organization_id
    public = client.get(f"/api/v1/warehouses/{body['id']}").json
    assert public["certifications"] == ["ISO 9001"]
    changed = client.put(
        f"/api/v1/warehouses/{body['id']}", json={**API_BODY, "bonded": True}, headers=headers
    )
    assert changed.status_code == 200 and changed.json["bonded"] is True
    listed = client.get("/api/v1/warehouses", headers=headers).json
    assert listed["total"] == 1 and listed["results"][0]["id"] == body["id"]
    other = api_token(client, other_owner)
    refused = client.put(f"/api/v1/warehouses/{body['id']}", json=API_BODY, headers=other)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    archived = client.post(f"/api/v1/warehouses/{body['id']}/archive", headers=headers)
    assert archived.json["status"] == "archived"


def test_api_bad_warehouse_input(client, owner):
    headers = api_token(client, owner)
    cases = [
        ({"country": "XX"}, "country"),
        ({"city": "Atlantisville"}, "city"),
        ({"temperature_zones": []}, "temperature_zones"),
        ({"temperature_zones": [{"kind": "ambient", "min_c": 30, "max_c": 10}]}, "ambient_min_c"),
        ({"hazmat_classes": [12]}, "hazmat_classes"),
        ({"max_pallet_height_cm": "tall"}, "max_pallet_height_cm"),
        ({"latitude": 95, "longitude": 0}, "latitude"),
    ]
    for change, field in cases:
        response = client.post("/api/v1/warehouses", json={**API_BODY, **change}, headers=headers)
        assert response.status_code == 422, (change, response.json)
        assert field in response.json["error"]["fields"], (change, response.json)
    assert client.post("/api/v1/warehouses", data="not json", headers=headers).status_code in (
        400,
        415,
        422,
    )
    assert client.post("/api/v1/warehouses", json=API_BODY).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Warehouse)) == 0
