"""The bookings API: create with a quote, answer, cancel, availability, and every refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import api_token
from warehouse_exchange.escrow.rules import payment_reference

TODAY = date.today()
START = TODAY + timedelta(days=7)
GOODS = {
    "unit_length_cm": 120,
    "unit_width_cm": 80,
    "unit_height_cm": 150,
    "unit_weight_kg": 400,
    "temperature_min_c": 10,
    "temperature_max_c": 30,
    "category": "general",
    "sku_count": 4,
}


@pytest.fixture
def listing(owner):
    return ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        quantity=50,
        price_minor=700,
        currency="GBP",
    )


def body(listing, **changes) -> dict:
    data = {
        "listing_id": listing.id,
        "quantity": 10,
        "start": START.isoformat(),
        "end": (START + timedelta(days=27)).isoformat(),
        "sku_profile": GOODS,
    }
    return {**data, **changes}


def test_booking_round_trip(client, owner, exporter, operator, listing):
    tenant = api_token(client, exporter)
    created = client.post("/api/v1/bookings", json=body(listing), headers=tenant)
    assert created.status_code == 201, created.json
    booking = created.json
    assert booking["state"] == "requested"
    assert booking["quote"] == {
        "subtotal": {"amount_minor": 28000, "currency": "GBP"},  # 7.00 x 10 x 4 weeks
        "commission": {"amount_minor": 2240, "currency": "GBP"},
        "guarantee_fee": {"amount_minor": 560, "currency": "GBP"},
        "total": {"amount_minor": 30800, "currency": "GBP"},
    }
    assert booking["sku_profile"]["sku_count"] == 4
    landlord = api_token(client, owner)
    inbox = client.get("/api/v1/bookings?role=owner", headers=landlord).json
    assert [b["id"] for b in inbox["results"]] == [booking["id"]]
    accepted = client.post(f"/api/v1/bookings/{booking['id']}/accept", headers=landlord)
    assert accepted.json["state"] == "accepted" and accepted.json["holds_capacity"]
    again = client.post(f"/api/v1/bookings/{booking['id']}/accept", headers=landlord)
    assert (
        again.status_code == 409 and "only requested bookings can" in again.json["error"]["message"]
    )
    days = client.get(
        f"/api/v1/listings/{listing.id}/availability",
        query_string={"start": (START - timedelta(days=1)).isoformat(), "end": START.isoformat()},
    ).json["days"]
    assert [d["free"] for d in days] == [50, 40]
    paid = client.post(
        "/api/v1/escrow/receipts",
        json={
            "reference": payment_reference(booking["id"]),
            "amount": booking["quote"]["total"],
            "received_on": date.today().isoformat(),
            "bank_reference": "NL-TRANSFER-1",
        },
        headers=api_token(client, operator),
    )
    assert paid.status_code == 201, paid.json
    assert paid.json["booking_state"] == "confirmed"
    cancelled = client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "Order lost"}, headers=tenant
    )
    assert cancelled.json["state"] == "cancelled" and not cancelled.json["holds_capacity"]
    history = client.get(f"/api/v1/bookings/{booking['id']}", headers=tenant).json["events"]
    assert [e["to_state"] for e in history] == ["requested", "accepted", "confirmed", "cancelled"]
    assert history[-1]["reason"] == "Order lost"


def test_overbooking_is_a_409_insufficient_capacity(client, exporter, listing):
    listing.instant_book = True
    tenant = api_token(client, exporter)
    assert (
        client.post("/api/v1/bookings", json=body(listing, quantity=45), headers=tenant).status_code
        == 201
    )
    refused = client.post("/api/v1/bookings", json=body(listing, quantity=6), headers=tenant)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "insufficient_capacity"
    assert refused.json["error"]["fields"] == {"quantity": "At most 5."}


def test_replayed_post_returns_the_same_booking(client, exporter, listing):
    tenant = api_token(client, exporter)
    headers = {**tenant, "Idempotency-Key": "po-2026-0042"}
    first = client.post("/api/v1/bookings", json=body(listing), headers=headers).json
    second = client.post("/api/v1/bookings", json=body(listing), headers=headers).json
    assert first["id"] == second["id"]
    mine = client.get("/api/v1/bookings", headers=tenant).json
    assert mine["total"] == 1


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"quantity": 0}, 422, "quantity"),
        ({"quantity": "ten"}, 422, "quantity"),
        ({"quantity": 51}, 422, "quantity"),  # more than the listing offers at all
        ({"end": (START - timedelta(days=2)).isoformat()}, 422, "end"),
        ({"start": (TODAY - timedelta(days=3)).isoformat()}, 422, "start"),
        ({"end": (START + timedelta(days=2)).isoformat()}, 422, "end"),  # below the 7-day minimum
        (
            {
                "start": (TODAY + timedelta(days=400)).isoformat(),
                "end": (TODAY + timedelta(days=420)).isoformat(),
            },
            422,
            "start",
        ),
        ({"sku_profile": {**GOODS, "unit_weight_kg": 2000}}, 422, "unit_weight_kg"),
        (
            {"sku_profile": {**GOODS, "temperature_min_c": 2, "temperature_max_c": 8}},
            422,
            "temperature_min_c",
        ),
        ({"sku_profile": {**GOODS, "hazmat_class": 3}}, 422, "hazmat_class"),
        ({"sku_profile": {**GOODS, "hazmat_class": 10}}, 422, "sku_profile"),
        ({"sku_profile": {**GOODS, "category": "food"}}, 422, "category"),
        ({"listing_id": 999999}, 404, None),
    ],
)
def test_bad_booking_requests(client, exporter, listing, change, status, field):
    tenant = api_token(client, exporter)
    response = client.post("/api/v1/bookings", json=body(listing, **change), headers=tenant)
    assert response.status_code == status, response.json
    if field:
        assert field in response.json["error"]["fields"], response.json
    assert client.get("/api/v1/bookings", headers=tenant).json["total"] == 0


def test_permissions(client, owner, other_owner, exporter, listing):
    tenant = api_token(client, exporter)
    booking = client.post("/api/v1/bookings", json=body(listing), headers=tenant).json
    stranger = api_token(client, other_owner)
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=stranger).status_code == 404
    assert (
        client.post(f"/api/v1/bookings/{booking['id']}/accept", headers=stranger).status_code == 403
    )
    assert (
        client.post(f"/api/v1/bookings/{booking['id']}/accept", headers=tenant).status_code == 403
    )
    assert (
        client.get(f"/api/v1/bookings/{booking['id']}/escrow", headers=stranger).status_code == 404
    )
    own = client.post("/api/v1/bookings", json=body(listing), headers=api_token(client, owner))
    assert own.status_code == 403
    assert client.post("/api/v1/bookings", json=body(listing)).status_code == 401
    listing.status = "archived"
    archived = client.post("/api/v1/bookings", json=body(listing), headers=tenant)
    assert archived.status_code == 409


def test_availability_bad_input(client, listing):
    url = f"/api/v1/listings/{listing.id}/availability"
    assert (
        client.get(url, query_string={"start": "2027-02-01", "end": "2027-01-01"}).status_code
        == 422
    )
    assert (
        client.get(url, query_string={"start": "2027-01-01", "end": "2029-01-01"}).status_code
        == 422
    )
    assert client.get(url).status_code == 422
    assert (
        client.get(
            "/api/v1/listings/999999/availability",
            query_string={"start": "2027-01-01", "end": "2027-01-02"},
        ).status_code
        == 404
    )


def test_a_refused_category_names_the_ones_the_listing_takes(client, exporter, listing):
    goods = {**GOODS, "category": "pharma"}
    refused = client.post(
        "/api/v1/bookings",
        json=body(listing, sku_profile=goods),
        headers=api_token(client, exporter),
    )
    assert refused.status_code == 422
    assert refused.json["error"]["fields"]["category"] == (
        "This category is not accepted; this listing takes General merchandise, Electronics."
    )
