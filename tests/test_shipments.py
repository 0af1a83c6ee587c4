"""Inbound shipments through the pages and the API: announcing goods to a lease, the timeline,
who may do what, the late-first list and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import ListingFactory, OrganizationFactory, UserFactory, WarehouseFactory
from tests.helpers import api_token, booking_terms, goods, login, pay_in_full
from warehouse_exchange.bookings.commands import (
    BookingRequest,
    accept_booking,
    cancel_booking,
    request_booking,
)
from warehouse_exchange.catalog import HAZMAT_BITS
from warehouse_exchange.extensions import db
from warehouse_exchange.shipments.commands import CheckInData, CountData, check_in
from warehouse_exchange.shipments.models import Shipment, ShipmentEvent, ShipmentLine

NOW = datetime.now(UTC)
TODAY = NOW.date()
START = TODAY + timedelta(days=5)


def _lease(owner, exporter, start=START, **listing):
    made = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization, name="Maasvlakte Hall 3"),
        price_minor=1000,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=300),
        **listing,
    )
    request = BookingRequest(made.id, 4, start, START + timedelta(days=69), goods())
    return request_booking(exporter, request, booking_terms(), NOW, TODAY)


def _paid(owner, operator, booking):
    accept_booking(owner, booking.id, NOW)
    pay_in_full(operator, booking)
    return booking


@pytest.fixture
def lease(owner, exporter, operator):
    """A lease from today, paid into escrow: goods are checked in from today (the warehouse,
    in Amsterdam, is never a day behind UTC)."""
    booking = _paid(owner, operator, _lease(owner, exporter, TODAY, hazmat_mask=HAZMAT_BITS[3]))
    assert booking.state in ("confirmed", "active")
    return booking


@pytest.fixture
def future_lease(owner, exporter, operator):
    """A confirmed lease that starts in five days."""
    booking = _paid(owner, operator, _lease(owner, exporter, hazmat_mask=HAZMAT_BITS[3]))
    assert booking.state == "confirmed"
    return booking


def line(**changes) -> dict:
    data = {
        "sku": "BT-SPK-01",
        "description": "Bluetooth speakers",
        "units": 240,
        "unit_length_cm": 30,
        "unit_width_cm": 20,
        "unit_height_cm": 15,
        "unit_weight_kg": 2,
        "declared_value": {"amount_minor": 480000, "currency": "EUR"},
        "hs_code": "851822",
        "hazmat_class": None,
    }
    return {**data, **changes}


def api_body(booking_id: int, **changes) -> dict:
    data = {
        "booking_id": booking_id,
        "carrier": "Maersk",
        "tracking_number": "MAEU1234567",
        "mode": "sea",
        "expected_arrival": (START + timedelta(days=10)).isoformat(),
        "lines": [line()],
    }
    return {**data, **changes}


def form_data(**changes) -> dict:
    data = {
        "carrier": "Maersk",
        "tracking_number": "MAEU1234567",
        "mode": "sea",
        "expected_arrival": (START + timedelta(days=10)).isoformat(),
        "lines-0-sku": "BT-SPK-01",
        "lines-0-description": "Bluetooth speakers",
        "lines-0-units": "240",
        "lines-0-unit_length_cm": "30",
        "lines-0-unit_width_cm": "20",
        "lines-0-unit_height_cm": "15",
        "lines-0-unit_weight_kg": "2",
        "lines-0-declared_value": "4800",
        "lines-0-currency": "EUR",
        "lines-0-hs_code": "8518.22",
        "lines-0-hazmat_class": "",
    }
    for row in range(1, 5):
        data.update({f"lines-{row}-currency": "", f"lines-{row}-hazmat_class": ""})
    return {**data, **changes}


def event_form(kind="departed", at=None, **changes) -> dict:
    at = at or NOW - timedelta(hours=1)
    return {"kind": kind, "at": at.strftime("%Y-%m-%dT%H:%M"), "place": "Yantian", **changes}


def check_in_all(owner, shipment_id: int):
    """The owner checks in every announced unit in good order."""
    shipment = db.session.get(Shipment, shipment_id)
    counts = [CountData(line.sku, line.units, 0) for line in shipment.lines]
    return check_in(owner, shipment_id, CheckInData(counts), NOW)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def announce(client, headers, booking_id, **changes):
    response = client.post(
        "/api/v1/shipments", json=api_body(booking_id, **changes), headers=headers
    )
    assert response.status_code == 201, response.json
    return response.json


def add_event(client, headers, shipment_id, kind, at, **extra):
    return client.post(
        f"/api/v1/shipments/{shipment_id}/events",
        json={"kind": kind, "at": at.isoformat(), **extra},
        headers=headers,
    )


# --- pages -----------------------------------------------------------------------------------


def test_tenant_announces_a_shipment_and_both_parties_add_events(client, lease, exporter, owner):
    login(client, exporter)
    assert "Shipments" in client.get(f"/bookings/{lease.id}").get_data(as_text=True)
    empty = client.get(f"/bookings/{lease.id}/shipments").get_data(as_text=True)
    assert "No shipment has been announced to this lease yet." in empty
    form = client.get(f"/bookings/{lease.id}/shipments/new").get_data(as_text=True)
    assert form.count('name="lines-4-sku"') == 1
    sent = client.post(
        f"/bookings/{lease.id}/shipments/new",
        data=form_data(**{
            "lines-1-sku": "BT-SPK-02", "lines-1-description": "Speaker stands",
            "lines-1-units": "60", "lines-1-unit_length_cm": "40", "lines-1-unit_width_cm": "40",
            "lines-1-unit_height_cm": "110", "lines-1-unit_weight_kg": "5",
            "lines-1-declared_value": "0", "lines-1-currency": "USD",
            "lines-1-hs_code": "9403200000", "lines-1-hazmat_class": "3",
        }),
    )  # fmt: skip
    assert sent.status_code == 302
    shipment = db.session.scalar(select(Shipment))
    assert sent.headers["Location"].endswith(f"/shipments/{shipment.id}")
    assert [(x.sku, x.units, x.hs_code, x.hazmat_class) for x in shipment.lines] == [
        ("BT-SPK-01", 240, "851822", None),
        ("BT-SPK-02", 60, "9403200000", 3),
    ]
    assert shipment.status == "announced" and shipment.announced_by_id == exporter.id
    page = client.get(f"/shipments/{shipment.id}").get_data(as_text=True)
    assert "Shipment MAEU1234567" not in page and "MAEU1234567" in page
    assert "No event yet" in page and "€4,800.00" in page and "$0.00" in page

    added = client.post(f"/shipments/{shipment.id}/events", data=event_form("departed"))
    assert added.status_code == 302
    client.post("/logout")

    login(client, owner)
    assert client.get(f"/bookings/{lease.id}/shipments").status_code == 200
    arrived = client.post(
        f"/shipments/{shipment.id}/events",
        data=event_form("arrived", NOW - timedelta(minutes=5), place="Rotterdam", note="Dock 4"),
    )
    assert arrived.status_code == 302
    page = client.get(f"/shipments/{shipment.id}").get_data(as_text=True)
    assert "Arrived at the warehouse" in page and "Dock 4" in page
    assert page.index("Yantian") < page.index("Dock 4")
    assert [e.kind for e in shipment.events] == ["departed", "arrived"]
    assert {e.added_by_id for e in shipment.events} == {exporter.id, owner.id}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lines-0-units": "-4"}, "Number must be between 1 and 1000000."),
        ({"lines-0-unit_weight_kg": "0"}, "Number must be between 1 and 50000."),
        ({"lines-0-declared_value": "-1"}, "Must not be negative."),
        ({"lines-0-declared_value": "12.345"}, "decimal"),
        ({"lines-0-declared_value": "ten"}, "Not a valid decimal value."),
        ({"lines-0-units": "2.5"}, "Not a valid integer value."),
        ({"mode": "pigeon"}, "Not a valid choice."),
        ({"lines-0-currency": "ZZZ"}, "Not a valid choice."),
        ({"lines-0-hs_code": "12345"}, "Must be 6 to 10 digits."),
        ({"lines-0-hs_code": "85182A"}, "Must be 6 to 10 digits."),
        ({"lines-0-hazmat_class": "1"}, "Class 1 is not accepted here."),
        ({"lines-0-description": ""}, "Required."),
        ({"carrier": ""}, "This field is required."),
        ({"expected_arrival": (START + timedelta(days=400)).isoformat()}, "lease&#39;s last day"),
    ],
)
def test_bad_shipments_show_errors_beside_fields_and_save_nothing(
    client, lease, exporter, changes, message
):
    login(client, exporter)
    response = client.post(f"/bookings/{lease.id}/shipments/new", data=form_data(**changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="MAEU1234567"' in page  # the form keeps what was typed
    assert count(Shipment) == 0 and count(ShipmentLine) == 0


def test_a_shipment_needs_one_goods_line_and_a_sku_once(client, lease, exporter):
    login(client, exporter)
    blank = {k: "" for k in form_data() if k.startswith("lines-0-")}
    response = client.post(f"/bookings/{lease.id}/shipments/new", data=form_data(**blank))
    assert response.status_code == 422
    assert "Add at least one goods line." in response.get_data(as_text=True)
    twice = form_data(**{k.replace("lines-0-", "lines-2-"): v
                         for k, v in form_data().items() if k.startswith("lines-0-")})  # fmt: skip
    response = client.post(f"/bookings/{lease.id}/shipments/new", data=twice)
    assert response.status_code == 422
    assert "Already on another line." in response.get_data(as_text=True)
    assert count(Shipment) == 0


def test_only_the_tenant_of_a_confirmed_or_active_lease_announces(
    client, lease, owner, exporter, operator
):
    stranger = UserFactory(organization=OrganizationFactory(kind="exporter", country="VN"))
    login(client, stranger)
    assert client.get(f"/bookings/{lease.id}/shipments").status_code == 404
    assert client.post(f"/bookings/{lease.id}/shipments/new", data=form_data()).status_code == 404
    client.post("/logout")
    login(client, owner)
    assert client.post(f"/bookings/{lease.id}/shipments/new", data=form_data()).status_code == 403
    client.post("/logout")
    login(client, operator)
    assert client.get(f"/bookings/{lease.id}/shipments").status_code == 200
    assert client.post(f"/bookings/{lease.id}/shipments/new", data=form_data()).status_code == 403
    assert count(Shipment) == 0


def test_a_requested_or_cancelled_lease_takes_no_shipment(client, owner, exporter):
    requested = _lease(owner, exporter)
    cancelled = _lease(owner, exporter)
    cancel_booking(exporter, cancelled.id, "Plans changed", NOW, TODAY)
    headers = api_token(client, exporter)
    for booking in (requested, cancelled):
        response = client.post("/api/v1/shipments", json=api_body(booking.id), headers=headers)
        assert response.status_code == 409, response.json
        assert "confirmed or active" in response.json["error"]["message"]
    login(client, exporter)
    page = client.get(f"/bookings/{requested.id}/shipments/new")
    assert page.status_code == 302
    sent = client.post(f"/bookings/{requested.id}/shipments/new", data=form_data())
    assert sent.status_code == 302
    assert "confirmed or active" in client.get(sent.headers["Location"]).get_data(as_text=True)
    assert count(Shipment) == 0


def test_event_form_errors_and_the_check_in_rule(client, lease, exporter, owner, operator):
    headers = api_token(client, exporter)
    shipment = announce(client, headers, lease.id)
    login(client, exporter)
    url = f"/shipments/{shipment['id']}/events"
    for data, message in [
        (event_form("teleported"), "Not a valid choice."),
        (event_form(at=NOW + timedelta(days=2)), "In the future."),
        ({**event_form(), "at": "yesterday"}, "Not a valid datetime value."),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    by_hand = client.post(url, data=event_form("checked_in"))
    assert by_hand.status_code == 422 and "Not a valid choice." in by_hand.get_data(as_text=True)
    check_in_all(owner, shipment["id"])
    refused = client.post(url, data=event_form("in_transit"))
    assert refused.status_code == 422
    assert "only an exception can be added now" in refused.get_data(as_text=True)
    assert client.post(url, data=event_form("exception", note="2 cartons wet")).status_code == 302
    assert count(ShipmentEvent) == 2
    client.post("/logout")
    login(client, operator)
    assert client.get(f"/shipments/{shipment['id']}").status_code == 200
    assert client.post(url, data=event_form("exception")).status_code == 403
    assert count(ShipmentEvent) == 2


# --- API -------------------------------------------------------------------------------------


def test_api_announce_read_and_timeline_in_time_order(client, lease, exporter, owner):
    tenant = api_token(client, exporter)
    shipment = announce(client, tenant, lease.id, lines=[line(), line(sku="B", hazmat_class=3)])
    assert shipment["status"] == "announced" and shipment["late"] is False
    assert [x["sku"] for x in shipment["lines"]] == ["BT-SPK-01", "B"]
    events = f"/api/v1/shipments/{shipment['id']}/events"
    t = NOW - timedelta(days=3)
    assert add_event(client, tenant, shipment["id"], "in_transit", t).status_code == 201
    # added later but happened earlier: shown first, and the status stays in_transit
    assert (
        add_event(client, tenant, shipment["id"], "departed", t - timedelta(days=1)).json["kind"]
        == "departed"
    )
    landlord = api_token(client, owner)
    body = add_event(client, landlord, shipment["id"], "booked", t - timedelta(days=2)).json
    assert body["place"] == "" and body["added_by_id"] == owner.id
    timeline = client.get(events, headers=landlord).json
    assert [e["kind"] for e in timeline] == ["booked", "departed", "in_transit"]
    read = client.get(f"/api/v1/shipments/{shipment['id']}", headers=landlord).json
    assert read["status"] == "in_transit"
    assert [e["kind"] for e in read["events"]] == ["booked", "departed", "in_transit"]
    # an event at the same time as the latest one, added after it, becomes the status
    assert add_event(client, tenant, shipment["id"], "at_customs", t).status_code == 201
    assert (
        client.get(f"/api/v1/shipments/{shipment['id']}", headers=tenant).json["status"]
        == "at_customs"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": [line(units=-1)]}, "lines"),
        ({"lines": [line(unit_weight_kg=-2)]}, "lines"),
        ({"lines": [line(unit_height_cm=0)]}, "lines"),
        (
            {"lines": [line(declared_value={"amount_minor": -1, "currency": "EUR"})]},
            "lines.0.declared_value",
        ),
        (
            {"lines": [line(declared_value={"amount_minor": 1, "currency": "EURO"})]},
            "lines.0.currency",
        ),
        ({"lines": [line(hs_code="12345")]}, "lines.0.hs_code"),
        ({"lines": [line(hs_code="12345678901")]}, "lines.0.hs_code"),
        ({"lines": [line(hazmat_class=10)]}, "lines"),
        ({"lines": [line(hazmat_class=2)]}, "lines.0.hazmat_class"),
        ({"lines": []}, "lines"),
        ({"mode": "teleport"}, "mode"),
        ({"carrier": ""}, "carrier"),
        ({"expected_arrival": "2020-13-01"}, "expected_arrival"),
    ],
)
def test_api_refuses_bad_shipments(client, lease, exporter, changes, field):
    headers = api_token(client, exporter)
    response = client.post("/api/v1/shipments", json=api_body(lease.id, **changes), headers=headers)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"], response.json
    assert count(Shipment) == 0 and count(ShipmentLine) == 0


def test_api_refuses_others_leases_and_events(client, lease, exporter, other_owner, owner):
    headers = api_token(client, exporter)
    shipment = announce(client, headers, lease.id)
    stranger = api_token(client, other_owner)
    assert (
        client.post("/api/v1/shipments", json=api_body(lease.id), headers=stranger).status_code
        == 404
    )
    assert client.get(f"/api/v1/shipments/{shipment['id']}", headers=stranger).status_code == 404
    assert add_event(client, stranger, shipment["id"], "departed", NOW).status_code == 404
    assert client.get("/api/v1/shipments", headers=stranger).json["total"] == 0
    landlord = api_token(client, owner)
    assert (
        client.post("/api/v1/shipments", json=api_body(lease.id), headers=landlord).status_code
        == 403
    )
    assert (
        client.post("/api/v1/shipments", json=api_body(999999), headers=headers).status_code == 404
    )
    unknown = client.post(
        f"/api/v1/shipments/{shipment['id']}/events",
        json={"kind": "lost_at_sea", "at": NOW.isoformat()},
        headers=headers,
    )
    assert unknown.status_code == 422 and "kind" in unknown.json["error"]["fields"]
    naive = client.post(
        f"/api/v1/shipments/{shipment['id']}/events",
        json={"kind": "departed", "at": "2026-01-01T10:00:00"},
        headers=headers,
    )
    assert naive.status_code == 422
    by_hand = add_event(client, headers, shipment["id"], "checked_in", NOW)
    assert by_hand.status_code == 422 and "kind" in by_hand.json["error"]["fields"]
    check_in_all(owner, shipment["id"])
    after = add_event(client, headers, shipment["id"], "arrived", NOW)
    assert after.status_code == 409 and after.json["error"]["code"] == "conflict"
    assert add_event(client, landlord, shipment["id"], "exception", NOW).status_code == 201
    assert count(Shipment) == 1 and count(ShipmentEvent) == 2
    assert client.get("/api/v1/shipments").status_code == 401


def test_late_shipments_come_first_on_the_list_and_in_the_csv(client, lease, exporter):
    headers = api_token(client, exporter)
    on_time = announce(client, headers, lease.id, tracking_number="ON-TIME",
                       expected_arrival=(TODAY + timedelta(days=3)).isoformat())  # fmt: skip
    late = announce(client, headers, lease.id, tracking_number="LATE",
                    expected_arrival=(TODAY - timedelta(days=2)).isoformat())  # fmt: skip
    arrived = announce(client, headers, lease.id, tracking_number="=ARRIVED",
                       expected_arrival=(TODAY - timedelta(days=9)).isoformat())  # fmt: skip
    add_event(client, headers, arrived["id"], "arrived", NOW - timedelta(hours=2))
    add_event(client, headers, arrived["id"], "exception", NOW - timedelta(hours=1))
    listed = client.get("/api/v1/shipments", headers=headers).json
    assert [s["tracking_number"] for s in listed["results"]] == ["LATE", "=ARRIVED", "ON-TIME"]
    assert [s["late"] for s in listed["results"]] == [True, False, False]
    assert listed["total"] == 3
    paged = client.get("/api/v1/shipments?per_page=1&page=2", headers=headers).json
    assert [s["id"] for s in paged["results"]] == [arrived["id"]]

    login(client, exporter)
    page = client.get("/shipments").get_data(as_text=True)
    assert page.index("LATE") < page.index("=ARRIVED") < page.index("ON-TIME")
    assert page.count('class="badge late"') == 1
    response = client.get("/shipments.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["shipment"], r["tracking_number"], r["status"], r["late"]) for r in rows] == [
        (str(late["id"]), "LATE", "announced", "yes"),
        (str(arrived["id"]), "'=ARRIVED", "exception", "no"),
        (str(on_time["id"]), "ON-TIME", "announced", "no"),
    ]
    assert rows[0]["booking"] == str(lease.id) and rows[0]["units"] == "240"
    assert rows[0]["warehouse"].startswith("Maasvlakte Hall 3")


def test_empty_list_pages_and_pagination(client, app, lease, exporter):
    login(client, exporter)
    assert "No shipment yet." in client.get("/shipments").get_data(as_text=True)
    rows = client.get("/shipments.csv").get_data(as_text=True).strip().splitlines()
    assert rows == [rows[0]] and rows[0].startswith("shipment,booking")
    headers = api_token(client, exporter)
    app.config["LIST_PER_PAGE"] = 2
    try:
        for number in range(3):
            announce(client, headers, lease.id, tracking_number=f"TRACK-{number}")
        page = client.get("/shipments").get_data(as_text=True)
        assert "Page 1 of 2" in page and "TRACK-2" not in page
        assert "TRACK-2" in client.get("/shipments?page=2").get_data(as_text=True)
        assert "Page 1 of 2" in client.get(f"/bookings/{lease.id}/shipments").get_data(as_text=True)
    finally:
        app.config["LIST_PER_PAGE"] = 20


# --- declared values: typed in major units on the page, minor units in the API ---------------


def test_a_declared_value_typed_on_the_form_is_in_the_currencys_own_units(client, lease, exporter):
    login(client, exporter)
    form = client.get(f"/bookings/{lease.id}/shipments/new").get_data(as_text=True)
    assert "minor units" not in form and "cents for EUR" not in form
    assert "15000 in EUR is €15,000.00" in form
    sent = client.post(
        f"/bookings/{lease.id}/shipments/new", data=form_data(**{"lines-0-declared_value": "15000"})
    )
    assert sent.status_code == 302
    shipment = db.session.scalar(select(Shipment))
    assert shipment.lines[0].declared_value_minor == 1_500_000
    page = client.get(f"/shipments/{shipment.id}").get_data(as_text=True)
    assert "€15,000.00" in page and "€1,500,000.00" not in page
    read = client.get(f"/api/v1/shipments/{shipment.id}", headers=api_token(client, exporter))
    assert read.json["lines"][0]["declared_value"] == {"amount_minor": 1_500_000, "currency": "EUR"}
    rows = list(csv.DictReader(io.StringIO(client.get("/shipments.csv").get_data(as_text=True))))
    assert rows[0]["declared_value"] == "15000.00 EUR"


def test_the_api_takes_a_declared_value_in_minor_units_and_says_so(client, lease, exporter):
    headers = api_token(client, exporter)
    value = {"amount_minor": 1_500_000, "currency": "EUR"}
    made = announce(client, headers, lease.id, lines=[line(declared_value=value)])
    assert made["lines"][0]["declared_value"] == value
    login(client, exporter)
    page = client.get(f"/shipments/{made['id']}").get_data(as_text=True)
    assert "€15,000.00" in page
    spec = client.get("/api/v1/openapi.json").json
    line_in = spec["components"]["schemas"]["ShipmentLineIn"]["properties"]["declared_value"]
    assert "minor units" in str(line_in) and "€15,000.00" in str(line_in)
