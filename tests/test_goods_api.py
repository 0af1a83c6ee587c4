"""Goods at the warehouse through the API: the owner's check-in and its refusals, the
release trigger, stock and outbound releases, occupancy warnings, and carrier tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import OrganizationFactory, UserFactory
from tests.helpers import api_token
from tests.test_shipments import NOW, TODAY, announce, count, line
from warehouse_exchange.extensions import db
from warehouse_exchange.notifications.models import Notification
from warehouse_exchange.shipments.models import (
    CarrierToken,
    CheckIn,
    OutboundRelease,
    ShipmentEvent,
    StockItem,
)
from warehouse_exchange.shipments.signals import goods_checked_in

pytest_plugins = ["tests.test_shipments"]


def counts(*rows, note="") -> dict:
    return {"lines": [{"sku": s, "received_good": g, "damaged": d} for s, g, d in rows],
            "note": note}  # fmt: skip


def post_check_in(client, headers, shipment_id, body):
    return client.post(f"/api/v1/shipments/{shipment_id}/check-in", json=body, headers=headers)


@pytest.fixture
def tenant(client, exporter):
    return api_token(client, exporter)


@pytest.fixture
def landlord(client, owner):
    return api_token(client, owner)


@pytest.fixture
def two_skus(client, lease, tenant):
    return announce(client, tenant, lease.id, lines=[line(), line(sku="BT-SPK-02", units=60)])


@pytest.fixture
def sent():
    """Every goods_checked_in signal sent while the test runs."""
    calls = []

    def receiver(booking, **kwargs):
        calls.append((booking.id, kwargs["at"]))

    goods_checked_in.connect(receiver)
    yield calls
    goods_checked_in.disconnect(receiver)


def kinds_told(organization_id) -> list[str]:
    """The goods notifications an organization has had, oldest first."""
    query = select(Notification.kind).where(
        Notification.organization_id == organization_id,
        Notification.kind.in_(("goods_received", "lease_over_capacity")),
    )
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_owner_checks_in_with_discrepancies_once(
    client, lease, exporter, owner, tenant, landlord, two_skus, sent
):
    body = counts(("BT-SPK-01", 230, 4), ("BT-SPK-02", 65, 0), note="Two cartons crushed")
    done = post_check_in(client, landlord, two_skus["id"], body)
    assert done.status_code == 201, done.json
    lines = {x["sku"]: x for x in done.json["lines"]}
    assert lines["BT-SPK-01"] == {"sku": "BT-SPK-01", "announced": 240, "received_good": 230,
                                  "damaged": 4, "missing": 6, "over_delivered": 0}  # fmt: skip
    assert lines["BT-SPK-02"]["over_delivered"] == 5 and lines["BT-SPK-02"]["missing"] == 0
    assert done.json["has_discrepancy"] is True

    read = client.get(f"/api/v1/shipments/{two_skus['id']}", headers=tenant).json
    assert read["status"] == "checked_in" and read["has_discrepancy"] is True
    assert read["events"][-1]["kind"] == "checked_in"
    assert read["events"][-1]["added_by_id"] == owner.id
    assert read["check_in"]["note"] == "Two cartons crushed"
    assert kinds_told(exporter.organization_id) == ["goods_received"]
    told = db.session.scalar(select(Notification).where(Notification.kind == "goods_received"))
    assert "with discrepancies" in told.subject and "BT-SPK-01: 4 damaged, 6 missing" in told.body
    assert "ground of a dispute" in told.body
    assert sent == [(lease.id, sent[0][1])] and sent[0][1] >= NOW

    again = post_check_in(client, landlord, two_skus["id"], body)
    assert again.status_code == 409 and "already checked in" in again.json["error"]["message"]
    assert count(CheckIn) == 1 and len(sent) == 1
    stock = {
        i.sku: (i.received_good, i.received_damaged) for i in db.session.scalars(select(StockItem))
    }
    assert stock == {"BT-SPK-01": (230, 4), "BT-SPK-02": (65, 0)}


def test_the_release_trigger_fires_on_the_first_check_in_of_a_lease_only(
    client, lease, tenant, landlord, sent
):
    first = announce(client, tenant, lease.id)
    second = announce(client, tenant, lease.id, tracking_number="SECOND")
    assert (
        post_check_in(client, landlord, first["id"], counts(("BT-SPK-01", 240, 0))).status_code
        == 201
    )
    assert (
        post_check_in(client, landlord, second["id"], counts(("BT-SPK-01", 10, 0))).status_code
        == 201
    )
    assert [booking_id for booking_id, _ in sent] == [lease.id]
    told = select(Notification).where(Notification.kind == "goods_received")
    clean = db.session.scalar(told.order_by(Notification.id))
    assert "in good order" in clean.body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (counts(("BT-SPK-01", -1, 0), ("BT-SPK-02", 60, 0)), "lines.0.received_good"),
        (counts(("BT-SPK-01", 240, -3), ("BT-SPK-02", 60, 0)), "lines.0.damaged"),
        (counts(("BT-SPK-01", 240, 0), ("NOPE", 60, 0)), "lines.1.sku"),
        (counts(("BT-SPK-01", 240, 0)), "lines"),
        (counts(("BT-SPK-01", 240, 0), ("BT-SPK-01", 1, 0)), "lines.1.sku"),
        ({"lines": [{"sku": "BT-SPK-01", "received_good": "ten"}]}, "lines"),
        ({"lines": []}, "lines"),
    ],
)
def test_bad_check_ins_change_nothing(client, landlord, two_skus, body, field, sent):
    response = post_check_in(client, landlord, two_skus["id"], body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"], response.json
    assert count(CheckIn) == 0 and count(StockItem) == 0 and count(ShipmentEvent) == 0
    assert sent == []


def test_only_the_warehouse_owner_checks_in(client, lease, tenant, other_owner, operator, two_skus):
    body = counts(("BT-SPK-01", 240, 0), ("BT-SPK-02", 60, 0))
    assert post_check_in(client, tenant, two_skus["id"], body).status_code == 403
    assert (
        post_check_in(client, api_token(client, other_owner), two_skus["id"], body).status_code
        == 404
    )
    assert (
        post_check_in(client, api_token(client, operator), two_skus["id"], body).status_code == 403
    )
    assert post_check_in(client, tenant, 999999, body).status_code == 404
    assert client.post(f"/api/v1/shipments/{two_skus['id']}/check-in", json=body).status_code == 401
    assert count(CheckIn) == 0


def test_stock_outbound_releases_and_their_refusals(
    client, lease, exporter, tenant, landlord, other_owner
):
    shipment = announce(client, tenant, lease.id)
    post_check_in(client, landlord, shipment["id"], counts(("BT-SPK-01", 200, 10)))
    url = f"/api/v1/bookings/{lease.id}/outbound"
    out = {"sku": "BT-SPK-01", "units": 150, "shipped_on": TODAY.isoformat(),
           "reference": "DHL 1234", "note": "To Amazon FBA"}  # fmt: skip
    released = client.post(url, json=out, headers=landlord)
    assert released.status_code == 201, released.json
    assert released.json["units"] == 150 and released.json["sku"] == "BT-SPK-01"

    for changes, field in [
        ({"units": 61}, "units"),
        ({"units": -5}, "units"),
        ({"units": 0}, "units"),
        ({"sku": "UNKNOWN"}, "sku"),
        ({"shipped_on": (TODAY + timedelta(days=5)).isoformat()}, "shipped_on"),
        ({"reference": ""}, "reference"),
    ]:
        refused = client.post(url, json={**out, **changes}, headers=landlord)
        assert refused.status_code == 422, (changes, refused.json)
        assert field in refused.json["error"]["fields"]
    assert client.post(url, json=out, headers=tenant).status_code == 403
    assert client.post(url, json=out, headers=api_token(client, other_owner)).status_code == 404
    assert (
        client.post("/api/v1/bookings/999999/outbound", json=out, headers=landlord).status_code
        == 404
    )
    assert count(OutboundRelease) == 1

    lease_stock = client.get(f"/api/v1/bookings/{lease.id}/stock", headers=tenant).json
    assert lease_stock["items"] == [{"sku": "BT-SPK-01", "description": "Bluetooth speakers",
                                     "received_good": 200, "received_damaged": 10,
                                     "released": 150, "on_hand": 60}]  # fmt: skip
    assert lease_stock["unit"] == "pallet" and lease_stock["rented"] == 4
    assert lease_stock["used"] == "1" and lease_stock["over_capacity"] is False
    assert [r["reference"] for r in lease_stock["releases"]] == ["DHL 1234"]
    assert client.get(f"/api/v1/bookings/{lease.id}/stock", headers=landlord).status_code == 200
    stranger = api_token(client, other_owner)
    assert client.get(f"/api/v1/bookings/{lease.id}/stock", headers=stranger).status_code == 404

    everything = client.get("/api/v1/stock", headers=tenant).json
    assert [(r["warehouse"], r["sku"], r["on_hand"], r["leases"]) for r in everything] == [
        ("Maasvlakte Hall 3", "BT-SPK-01", 60, 1)
    ]
    assert client.get("/api/v1/stock", headers=stranger).json == []


def test_a_check_in_that_overfills_the_lease_warns_both_parties(
    client, lease, exporter, owner, tenant, landlord
):
    # 4 pallet positions rented; 176 cartons a pallet: 800 cartons need 5
    shipment = announce(client, tenant, lease.id, lines=[line(units=800)])
    post_check_in(client, landlord, shipment["id"], counts(("BT-SPK-01", 800, 0)))
    lease_stock = client.get(f"/api/v1/bookings/{lease.id}/stock", headers=tenant).json
    assert lease_stock["used"] == "5" and lease_stock["over_capacity"] is True
    assert kinds_told(exporter.organization_id) == ["goods_received", "lease_over_capacity"]
    assert "lease_over_capacity" in kinds_told(owner.organization_id)
    # a later check-in on a lease already over does not warn again
    more = announce(client, tenant, lease.id, tracking_number="MORE", lines=[line(units=10)])
    post_check_in(client, landlord, more["id"], counts(("BT-SPK-01", 10, 0)))
    assert kinds_told(exporter.organization_id).count("lease_over_capacity") == 1

    (listing,) = client.get("/api/v1/occupancy", headers=landlord).json
    assert (listing["listing_id"], listing["unit"]) == (lease.listing_id, "pallet")
    (held,) = listing["leases"]
    assert (held["booking_id"], held["rented"], held["over_capacity"]) == (lease.id, 4, True)
    assert listing["used"] == held["used"]
    assert client.get("/api/v1/occupancy", headers=tenant).status_code == 403


def test_carrier_tokens_read_and_report_one_shipment_only(client, lease, tenant, landlord, app):
    shipment = announce(client, tenant, lease.id)
    other = announce(client, tenant, lease.id, tracking_number="OTHER")
    tokens = f"/api/v1/shipments/{shipment['id']}/carrier-tokens"
    issued = client.post(tokens, json={"name": "COSCO"}, headers=tenant)
    assert issued.status_code == 201, issued.json
    secret = issued.json["token"]
    assert secret.startswith("wxc_")
    expires = issued.json["expires_at"]
    assert expires.startswith((TODAY + timedelta(days=30)).isoformat())
    record = db.session.get(CarrierToken, issued.json["id"])
    assert secret not in (record.token_hash, record.name)
    carrier = {"Authorization": f"Bearer {secret}"}

    mine = f"/api/v1/carrier/shipments/{shipment['id']}"
    read = client.get(mine, headers=carrier)
    assert read.status_code == 200 and read.json["tracking_number"] == "MAEU1234567"
    assert "check_in" not in read.json
    event = {"kind": "departed", "at": (NOW - timedelta(hours=3)).isoformat(), "place": "Ningbo"}
    added = client.post(f"{mine}/events", json=event, headers=carrier)
    assert added.status_code == 201, added.json
    assert added.json["added_by"] == "carrier (COSCO)" and added.json["added_by_id"] is None
    assert [e["kind"] for e in client.get(f"{mine}/events", headers=carrier).json] == ["departed"]
    refused = client.post(f"{mine}/events", json={**event, "kind": "checked_in"}, headers=carrier)
    assert refused.status_code == 422

    # nothing else: another shipment, the members' API, a check-in
    theirs = f"/api/v1/carrier/shipments/{other['id']}"
    assert client.get(theirs, headers=carrier).status_code == 404
    assert client.post(f"{theirs}/events", json=event, headers=carrier).status_code == 404
    assert client.get(f"/api/v1/shipments/{shipment['id']}", headers=carrier).status_code == 401
    assert client.get("/api/v1/shipments", headers=carrier).status_code == 401
    assert (
        post_check_in(client, carrier, shipment["id"], counts(("BT-SPK-01", 1, 0))).status_code
        == 401
    )
    assert (
        client.get(mine, headers=tenant).status_code == 401
    )  # a member's token is not a carrier's

    listed = client.get(tokens, headers=tenant).json
    assert [t["name"] for t in listed] == ["COSCO"] and "token" not in listed[0]
    assert client.get(tokens, headers=landlord).status_code == 403
    revoked = client.delete(f"{tokens}/{issued.json['id']}", headers=tenant)
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert client.post(f"{mine}/events", json=event, headers=carrier).status_code == 401
    assert client.get(mine, headers=carrier).status_code == 401
    assert count(ShipmentEvent) == 1


def test_carrier_tokens_expire_and_are_the_tenants_to_give(client, lease, tenant, landlord):
    shipment = announce(client, tenant, lease.id)
    tokens = f"/api/v1/shipments/{shipment['id']}/carrier-tokens"
    for days in (0, 91, "ten"):
        bad = client.post(tokens, json={"name": "DHL", "days": days}, headers=tenant)
        assert bad.status_code == 422 and "days" in bad.json["error"]["fields"]
    assert client.post(tokens, json={"name": "DHL"}, headers=landlord).status_code == 403
    stranger = api_token(client, UserFactory(organization=OrganizationFactory(kind="exporter")))
    assert client.post(tokens, json={"name": "DHL"}, headers=stranger).status_code == 404
    issued = client.post(tokens, json={"name": "DHL", "days": 1}, headers=tenant).json
    record = db.session.get(CarrierToken, issued["id"])
    record.expires_at = NOW - timedelta(minutes=1)
    record.created_at = NOW - timedelta(days=1)
    db.session.commit()
    carrier = {"Authorization": f"Bearer {issued['token']}"}
    event = {"kind": "in_transit", "at": (NOW - timedelta(hours=1)).isoformat()}
    url = f"/api/v1/carrier/shipments/{shipment['id']}"
    assert client.post(f"{url}/events", json=event, headers=carrier).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer wxc_made-up"}).status_code == 401
    assert client.get(url).status_code == 401
    assert client.delete(f"{tokens}/999999", headers=tenant).status_code == 404
    assert count(ShipmentEvent) == 0


def test_a_check_in_listing_pays_its_owner_from_the_goods_arrival(
    app, client, owner, exporter, operator, tenant, landlord
):
    from tests.helpers import pay_in_full
    from tests.test_shipments import START, _lease
    from warehouse_exchange.bookings.commands import accept_booking
    from warehouse_exchange.bookings.jobs import advance_leases
    from warehouse_exchange.catalog import HAZMAT_BITS
    from warehouse_exchange.escrow.releases import booking_releases, run_due_releases

    booking = _lease(owner, exporter, hazmat_mask=HAZMAT_BITS[3], first_release="check_in")
    accept_booking(owner, booking.id, NOW)
    pay_in_full(operator, booking)
    first = booking_releases(booking.id)[0]
    assert first.awaits_check_in
    shipment = announce(client, tenant, booking.id, lines=[line(units=10)])
    early = {"from_date": TODAY.isoformat()}
    url = f"/api/v1/bookings/{booking.id}/early-arrival"
    assert client.put(url, json=early, headers=landlord).status_code == 200

    checked = post_check_in(client, landlord, shipment["id"], counts(("BT-SPK-01", 10, 0)))

    assert checked.status_code == 201, checked.json
    db.session.refresh(first)
    assert (first.awaits_check_in, first.due_on) == (False, START)  # goods in before day one
    start = NOW.replace(hour=12) + (START - TODAY)
    advance_leases(start)
    assert run_due_releases(start) == 1


def test_the_owner_adds_photos_to_a_check_in_through_the_api(
    client, lease, landlord, tenant, two_skus
):
    import io

    from tests.uploads import PNG, TEXT_AS_IMAGE

    url = f"/api/v1/shipments/{two_skus['id']}/check-in/photos"

    def send(headers, *files):
        data = {"photos": [(io.BytesIO(body), name) for name, body in files]}
        return client.post(url, data=data, headers=headers, content_type="multipart/form-data")

    assert send(landlord, ("dock.png", PNG)).status_code == 409  # not checked in yet
    body = counts(("BT-SPK-01", 230, 10), ("BT-SPK-02", 60, 0))
    assert post_check_in(client, landlord, two_skus["id"], body).status_code == 201

    assert send(tenant, ("dock.png", PNG)).status_code == 403
    refused = send(landlord, ("dock.png", TEXT_AS_IMAGE))
    assert refused.status_code == 422 and "photos" in refused.json["error"]["fields"]
    assert send(landlord).status_code == 422
    added = send(landlord, ("dock.png", PNG), ("pallet 2.png", PNG))
    assert added.status_code == 201, added.json
    assert [f["filename"] for f in added.json["files"]] == ["dock.png", "pallet_2.png"]
    too_many = send(landlord, *[(f"p{n}.png", PNG) for n in range(9)])
    assert too_many.status_code == 422
    assert (
        len(
            client.get(f"/api/v1/shipments/{two_skus['id']}", headers=tenant).json["check_in"][
                "files"
            ]
        )
        == 2
    )
