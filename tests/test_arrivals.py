"""The owner's side of inbound goods, through the pages and the API: the arrivals list, the
notifications of shipments announced, changed and cancelled, check-in only on the lease's
days (or from an early arrival the owner agreed to), and the tenant's changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import OrganizationFactory, UserFactory
from tests.helpers import api_token, login
from tests.test_goods_api import counts, post_check_in
from tests.test_shipments import (
    NOW,
    START,
    TODAY,
    add_event,
    announce,
    count,
    form_data,
)
from warehouse_exchange.extensions import db
from warehouse_exchange.notifications.models import Notification
from warehouse_exchange.shipments.models import (
    CheckIn,
    EarlyArrival,
    Shipment,
    ShipmentEvent,
    StockItem,
)

pytest_plugins = ["tests.test_shipments"]


def told(organization_id, kind) -> list[Notification]:
    query = select(Notification).where(
        Notification.organization_id == organization_id, Notification.kind == kind
    )
    return list(db.session.scalars(query.order_by(Notification.id)))


def check_in_form(shipment: dict) -> dict:
    rows = {}
    for index, item in enumerate(shipment["lines"]):
        rows |= {f"lines-{index}-sku": item["sku"], f"lines-{index}-received_good": item["units"],
                 f"lines-{index}-damaged": "0"}  # fmt: skip
    return {**rows, "note": ""}


def nothing_checked_in() -> bool:
    return count(CheckIn) == 0 and count(StockItem) == 0 and count(ShipmentEvent) == 0


# --- check-in only on the lease's days -------------------------------------------------------


def test_check_in_before_the_first_day_is_refused_on_the_page_and_in_the_api(
    client, future_lease, exporter, owner
):
    shipment = announce(client, api_token(client, exporter), future_lease.id)
    assert shipment["check_in_from"] == START.isoformat()
    landlord = api_token(client, owner)

    refused = post_check_in(client, landlord, shipment["id"], counts(("BT-SPK-01", 240, 0)))
    assert refused.status_code == 409
    assert f"The lease starts on {START}" in refused.json["error"]["message"]

    login(client, owner)
    page = client.get(f"/shipments/{shipment['id']}").get_data(as_text=True)
    assert "Check in goods" not in page and f"Check-in from {START}" in page
    form = client.get(f"/shipments/{shipment['id']}/check-in")
    assert form.status_code == 409
    text = form.get_data(as_text=True)
    assert f"The lease starts on {START}" in text and "Allow an early arrival" in text
    posted = client.post(f"/shipments/{shipment['id']}/check-in", data=check_in_form(shipment))
    assert posted.status_code == 409 and f"The lease starts on {START}" in posted.get_data(
        as_text=True
    )
    assert nothing_checked_in()


def test_the_owner_agrees_to_an_early_arrival_on_the_page_and_then_checks_in(
    client, future_lease, exporter, owner
):
    shipment = announce(client, api_token(client, exporter), future_lease.id)
    login(client, owner)
    url = f"/bookings/{future_lease.id}/early-arrival"
    agreed = client.post(url, data={"from_date": TODAY.isoformat()})
    assert agreed.status_code == 302
    lease_page = client.get(f"/bookings/{future_lease.id}/shipments").get_data(as_text=True)
    assert f"The owner lets goods in from <strong>{TODAY}</strong>" in lease_page
    done = client.post(f"/shipments/{shipment['id']}/check-in", data=check_in_form(shipment))
    assert done.status_code == 302, done.get_data(as_text=True)
    assert count(CheckIn) == 1
    client.post("/logout")

    login(client, exporter)
    seen = client.get(f"/bookings/{future_lease.id}/shipments").get_data(as_text=True)
    assert f"The owner lets goods in from <strong>{TODAY}</strong>" in seen
    assert "Allow early arrival" not in seen  # the owner's form only


def test_the_owner_agrees_to_an_early_arrival_through_the_api(
    client, future_lease, exporter, owner
):
    tenant, landlord = api_token(client, exporter), api_token(client, owner)
    shipment = announce(client, tenant, future_lease.id)
    url = f"/api/v1/bookings/{future_lease.id}/early-arrival"
    day = TODAY.isoformat()
    assert client.get(url, headers=tenant).json == {
        "booking_id": future_lease.id, "start": START.isoformat(),
        "end": future_lease.end_date.isoformat(), "early_arrival_from": None,
        "check_in_from": START.isoformat(),
    }  # fmt: skip
    agreed = client.put(url, json={"from_date": day}, headers=landlord)
    assert agreed.status_code == 200
    assert (agreed.json["early_arrival_from"], agreed.json["check_in_from"]) == (day, day)
    read = client.get(f"/api/v1/shipments/{shipment['id']}", headers=tenant).json
    assert read["check_in_from"] == day
    withdrawn = client.put(url, json={"from_date": None}, headers=landlord)
    assert withdrawn.json["check_in_from"] == START.isoformat()
    everything = counts(("BT-SPK-01", 240, 0))
    assert post_check_in(client, landlord, shipment["id"], everything).status_code == 409
    client.put(url, json={"from_date": day}, headers=landlord)
    checked = post_check_in(client, landlord, shipment["id"], everything)
    assert checked.status_code == 201, checked.json


@pytest.mark.parametrize(
    ("from_date", "status", "message"),
    [
        (START, 422, "Before the lease&#39;s first day"),
        (START - timedelta(days=181), 422, "At most 180 days before"),
        ("", 422, "This field is required."),
    ],
)
def test_bad_early_arrivals_are_refused_at_the_field_on_the_page(
    client, future_lease, owner, from_date, status, message
):
    login(client, owner)
    url = f"/bookings/{future_lease.id}/early-arrival"
    response = client.post(url, data={"from_date": str(from_date)})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert count(EarlyArrival) == 0


def test_only_the_owner_agrees_to_an_early_arrival_and_only_before_the_lease_starts(
    client, future_lease, lease, exporter, owner, other_owner
):
    url = f"/api/v1/bookings/{future_lease.id}/early-arrival"
    body = {"from_date": TODAY.isoformat()}
    assert client.put(url, json=body, headers=api_token(client, exporter)).status_code == 403
    assert client.put(url, json=body, headers=api_token(client, other_owner)).status_code == 404
    too_late = f"/api/v1/bookings/{future_lease.id}/early-arrival"
    bad = client.put(
        too_late, json={"from_date": START.isoformat()}, headers=api_token(client, owner)
    )
    assert bad.status_code == 422 and "from_date" in bad.json["error"]["fields"]
    started = client.put(
        f"/api/v1/bookings/{lease.id}/early-arrival", json=body, headers=api_token(client, owner)
    )
    assert started.status_code == 409
    login(client, exporter)
    page = f"/bookings/{future_lease.id}/early-arrival"
    assert client.post(page, data={"from_date": TODAY.isoformat()}).status_code == 403
    assert count(EarlyArrival) == 0


def test_check_in_after_the_lease_ended_is_refused_on_the_page_and_in_the_api(
    client, lease, exporter, owner
):
    shipment = announce(client, api_token(client, exporter), lease.id,
                        expected_arrival=TODAY.isoformat())  # fmt: skip
    # the lease ended two days ago; the nightly job has not completed it yet
    lease.start_date, lease.end_date = TODAY - timedelta(days=20), TODAY - timedelta(days=2)
    db.session.commit()
    landlord = api_token(client, owner)
    refused = post_check_in(client, landlord, shipment["id"], counts(("BT-SPK-01", 240, 0)))
    assert refused.status_code == 409
    assert f"ended on {lease.end_date}" in refused.json["error"]["message"]
    login(client, owner)
    page = client.get(f"/shipments/{shipment['id']}/check-in")
    assert page.status_code == 409 and f"ended on {lease.end_date}" in page.get_data(as_text=True)
    assert "Allow an early arrival" not in page.get_data(as_text=True)
    assert nothing_checked_in()


def test_check_in_of_a_lease_not_the_owners_is_refused_on_the_page(
    client, lease, exporter, other_owner
):
    shipment = announce(client, api_token(client, exporter), lease.id)
    login(client, exporter)
    assert client.get(f"/shipments/{shipment['id']}/check-in").status_code == 403
    posted = client.post(f"/shipments/{shipment['id']}/check-in", data=check_in_form(shipment))
    assert posted.status_code == 403
    client.post("/logout")
    login(client, other_owner)
    assert client.get(f"/shipments/{shipment['id']}/check-in").status_code == 404
    assert nothing_checked_in()


def test_the_announce_form_warns_of_an_arrival_before_the_first_day(client, future_lease, exporter):
    login(client, exporter)
    url = f"/bookings/{future_lease.id}/shipments/new"
    form = client.get(url).get_data(as_text=True)
    assert f"The owner checks goods in from {START}, the lease&#39;s first day." in form
    early = (START - timedelta(days=2)).isoformat()
    sent = client.post(url, data=form_data(expected_arrival=early), follow_redirects=True)
    page = sent.get_data(as_text=True)
    assert "announced." in page
    assert f"Expected on {early}, before {START}" in page and "early arrival" in page
    on_time = client.post(url, data=form_data(), follow_redirects=True).get_data(as_text=True)
    assert "before" not in on_time.split("<main>")[1].split("</div>")[1]


# --- the arrivals list -----------------------------------------------------------------------


def test_owners_see_arrivals_grouped_with_check_in_on_the_page_and_in_the_api(
    client, app, lease, future_lease, exporter, owner
):
    tenant = api_token(client, exporter)
    later = announce(client, tenant, lease.id, tracking_number="LATER",
                     expected_arrival=(TODAY + timedelta(days=20)).isoformat())  # fmt: skip
    week = announce(client, tenant, lease.id, tracking_number="THIS-WEEK",
                    expected_arrival=(TODAY + timedelta(days=2)).isoformat())  # fmt: skip
    late = announce(client, tenant, lease.id, tracking_number="LATE-ONE",
                    expected_arrival=(TODAY - timedelta(days=3)).isoformat())  # fmt: skip
    announce(client, tenant, future_lease.id, tracking_number="NOT-YET",
                     expected_arrival=(START + timedelta(days=5)).isoformat())  # fmt: skip
    arrived = announce(client, tenant, lease.id, tracking_number="AT-DOCK")
    add_event(client, tenant, arrived["id"], "arrived", NOW - timedelta(hours=1))
    done = announce(client, tenant, lease.id, tracking_number="DONE-IN")
    landlord = api_token(client, owner)
    checked = post_check_in(client, landlord, done["id"], counts(("BT-SPK-01", 240, 0)))
    assert checked.status_code == 201

    listed = client.get("/api/v1/shipments/arrivals", headers=landlord).json
    assert [(a["group"], a["shipment"]["tracking_number"]) for a in listed["results"]] == [
        ("arrived", "AT-DOCK"),
        ("late", "LATE-ONE"),
        ("this_week", "THIS-WEEK"),
        ("later", "NOT-YET"),
        ("later", "LATER"),
        ("checked_in", "DONE-IN"),
    ]
    by_number = {a["shipment"]["tracking_number"]: a for a in listed["results"]}
    assert by_number["NOT-YET"]["can_check_in"] is False
    assert by_number["NOT-YET"]["check_in_from"] == START.isoformat()
    assert by_number["LATE-ONE"]["can_check_in"] is True
    assert by_number["DONE-IN"]["check_in_from"] is None
    assert by_number["LATE-ONE"]["tenant"] == exporter.organization.name
    assert listed["total"] == 6
    assert client.get("/api/v1/shipments/arrivals", headers=tenant).status_code == 403

    login(client, owner)
    home = client.get("/shipments/arrivals").get_data(as_text=True)
    assert 'href="/shipments/arrivals">Arrivals</a>' in home  # the owner's menu
    order = [
        "Arrived, waiting for check-in", "AT-DOCK", "Late", "LATE-ONE", "Expected this week",
        "THIS-WEEK", "Expected later", "NOT-YET", "LATER", "Checked in lately", "DONE-IN",
    ]  # fmt: skip
    positions = [home.index(text) for text in order]
    assert positions == sorted(positions)
    assert home.count(">Check in</a>") == 4 and f'from <span class="nowrap">{START}</span>' in home
    assert f'href="/shipments/{late["id"]}/check-in"' in home
    assert exporter.organization.name in home and "Maasvlakte Hall 3" in home
    assert "1 SKU, 240 units" in home
    app.config["LIST_PER_PAGE"] = 4
    try:
        first = client.get("/shipments/arrivals").get_data(as_text=True)
        assert "Page 1 of 2" in first and "DONE-IN" not in first
        assert "DONE-IN" in client.get("/shipments/arrivals?page=2").get_data(as_text=True)
    finally:
        app.config["LIST_PER_PAGE"] = 20
    inbound = client.get("/shipments").get_data(as_text=True)
    assert "LATE-ONE" in inbound and "No shipment yet" not in inbound
    assert client.get("/api/v1/shipments", headers=landlord).json["total"] == 6
    assert week and later


def test_the_arrivals_list_when_nothing_comes_and_for_exporters(client, owner, exporter):
    login(client, owner)
    page = client.get("/shipments/arrivals").get_data(as_text=True)
    assert "No shipment is on its way to your warehouses." in page
    assert (
        client.get("/api/v1/shipments/arrivals", headers=api_token(client, owner)).json["results"]
        == []
    )
    client.post("/logout")
    login(client, exporter)
    assert client.get("/shipments/arrivals").status_code == 403
    assert 'href="/shipments/arrivals"' not in client.get("/shipments").get_data(as_text=True)


# --- the owner hears of each announcement, change and cancellation ---------------------------


def test_the_owner_is_told_of_a_shipment_announced_changed_and_cancelled_on_the_pages(
    client, future_lease, exporter, owner
):
    login(client, exporter)
    early = (START - timedelta(days=1)).isoformat()
    client.post(
        f"/bookings/{future_lease.id}/shipments/new", data=form_data(expected_arrival=early)
    )
    shipment = db.session.scalar(select(Shipment))
    (announced,) = told(owner.organization_id, "shipment_announced")
    assert f"shipment #{shipment.id}, expected {early}" in announced.subject
    assert "1 SKU, 240 units" in announced.body and f"before {START}" in announced.body
    assert announced.link == f"/shipments/{shipment.id}"

    new_day = (START + timedelta(days=3)).isoformat()
    url = f"/shipments/{shipment.id}/change"
    changed = client.post(url, data={"expected_arrival": new_day, "carrier": "MSC",
                                     "tracking_number": "MAEU1234567"})  # fmt: skip
    assert changed.status_code == 302
    same = client.post(url, data={"expected_arrival": new_day, "carrier": "MSC",
                                  "tracking_number": "MAEU1234567"})  # fmt: skip
    assert same.status_code == 422 and "Nothing to change" in same.get_data(as_text=True)
    (change,) = told(owner.organization_id, "shipment_changed")
    assert f"expected arrival: {early} → {new_day}" in change.body
    assert "carrier: Maersk → MSC" in change.body

    cancelled = client.post(f"/shipments/{shipment.id}/cancel", data={"reason": "Sold in China"})
    assert cancelled.status_code == 302
    page = client.get(f"/shipments/{shipment.id}").get_data(as_text=True)
    assert "Cancelled by the tenant" in page and "Sold in China" in page
    assert "Change or cancel" not in page
    (gone,) = told(owner.organization_id, "shipment_cancelled")
    assert "Reason: Sold in China." in gone.body
    again = client.post(f"/shipments/{shipment.id}/cancel", data={"reason": ""})
    assert again.status_code == 409
    assert told(exporter.organization_id, "shipment_announced") == []
    client.post("/logout")

    login(client, owner)
    inbox = client.get("/notifications").get_data(as_text=True)
    assert f"Shipment #{shipment.id} cancelled by" in inbox
    assert "NOT-" not in client.get("/shipments/arrivals").get_data(as_text=True)
    assert "MAEU1234567" not in client.get("/shipments/arrivals").get_data(as_text=True)
    assert client.get(f"/shipments/{shipment.id}/check-in").status_code == 409


def test_the_tenant_changes_and_cancels_through_the_api_and_the_owner_is_told(
    client, lease, exporter, owner
):
    tenant, landlord = api_token(client, exporter), api_token(client, owner)
    shipment = announce(client, tenant, lease.id)
    assert len(told(owner.organization_id, "shipment_announced")) == 1
    url = f"/api/v1/shipments/{shipment['id']}"
    new_day = (TODAY + timedelta(days=4)).isoformat()
    changed = client.patch(url, json={"expected_arrival": new_day}, headers=tenant)
    assert changed.status_code == 200 and changed.json["expected_arrival"] == new_day
    assert changed.json["carrier"] == "Maersk"
    assert client.patch(url, json={"carrier": "X"}, headers=landlord).status_code == 403
    past_end = (lease.end_date + timedelta(days=1)).isoformat()
    bad = client.patch(url, json={"expected_arrival": past_end}, headers=tenant)
    assert bad.status_code == 422 and "expected_arrival" in bad.json["error"]["fields"]
    assert len(told(owner.organization_id, "shipment_changed")) == 1

    other = announce(client, tenant, lease.id, tracking_number="SECOND")
    add_event(client, tenant, other["id"], "arrived", NOW - timedelta(hours=1))
    arrived = client.post(f"/api/v1/shipments/{other['id']}/cancel", json={}, headers=tenant)
    assert arrived.status_code == 409
    assert client.patch(f"/api/v1/shipments/{other['id']}", json={"carrier": "Y"},
                        headers=tenant).status_code == 409  # fmt: skip

    gone = client.post(f"{url}/cancel", json={"reason": "Order lost"}, headers=tenant)
    assert gone.status_code == 200
    assert (gone.json["status"], gone.json["cancel_reason"]) == ("cancelled", "Order lost")
    assert add_event(client, tenant, shipment["id"], "departed", NOW).status_code == 409
    refused = post_check_in(client, landlord, shipment["id"], counts(("BT-SPK-01", 240, 0)))
    assert refused.status_code == 409
    assert len(told(owner.organization_id, "shipment_cancelled")) == 1
    listed = client.get("/api/v1/shipments/arrivals", headers=landlord).json
    assert [a["shipment"]["id"] for a in listed["results"]] == [other["id"]]


def test_strangers_neither_change_nor_cancel(client, lease, exporter):
    shipment = announce(client, api_token(client, exporter), lease.id)
    stranger = UserFactory(organization=OrganizationFactory(kind="exporter", country="VN"))
    headers = api_token(client, stranger)
    url = f"/api/v1/shipments/{shipment['id']}"
    assert client.patch(url, json={"carrier": "Z"}, headers=headers).status_code == 404
    assert client.post(f"{url}/cancel", json={}, headers=headers).status_code == 404
    assert db.session.get(Shipment, shipment["id"]).status == "announced"
