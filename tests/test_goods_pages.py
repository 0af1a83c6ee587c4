"""Goods at the warehouse through the pages: the owner's check-in with photos, discrepancies
shown to the exporter, stock and outbound releases, occupancy, and carrier tokens."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import OrganizationFactory, UserFactory
from tests.helpers import api_token, login
from tests.test_shipments import TODAY, announce, count, line
from tests.uploads import PNG, TEXT_AS_IMAGE
from warehouse_exchange.shipments.models import CarrierToken, CheckIn, OutboundRelease

pytest_plugins = ["tests.test_shipments"]


@pytest.fixture
def shipment(client, lease, exporter):
    lines = [line(), line(sku="BT-SPK-02", units=60)]
    return announce(client, api_token(client, exporter), lease.id, lines=lines)


def count_form(good0="230", damaged0="4", good1="60", damaged1="0", **extra) -> dict:
    return {
        "lines-0-sku": "BT-SPK-01", "lines-0-received_good": good0, "lines-0-damaged": damaged0,
        "lines-1-sku": "BT-SPK-02", "lines-1-received_good": good1, "lines-1-damaged": damaged1,
        "note": "Pallet 3 wet", **extra,
    }  # fmt: skip


def test_owner_checks_in_with_a_photo_and_the_exporter_sees_the_discrepancy(
    client, shipment, owner, exporter, operator
):
    url = f"/shipments/{shipment['id']}/check-in"
    login(client, owner)
    page = client.get(f"/shipments/{shipment['id']}").get_data(as_text=True)
    assert "Check in goods" in page and "Carrier access" not in page
    form = client.get(url).get_data(as_text=True)
    assert 'value="240"' in form and 'name="lines-1-received_good"' in form
    data = count_form(photos=[(io.BytesIO(PNG), "dock 4.png")])
    done = client.post(url, data=data, content_type="multipart/form-data")
    assert done.status_code == 302, done.get_data(as_text=True)
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "checked in with discrepancies" in shown
    record = CheckIn.query.one()
    photo = record.files[0]
    assert photo.filename == "dock_4.png"

    replay = client.post(url, data=count_form(), content_type="multipart/form-data")
    assert replay.status_code == 409
    assert "already checked in" in replay.get_data(as_text=True)
    assert client.get(url).status_code == 302
    client.post("/logout")

    login(client, exporter)
    page = client.get(f"/shipments/{shipment['id']}").get_data(as_text=True)
    assert 'class="badge discrepancy"' in page and "ground of a dispute" in page
    assert "Pallet 3 wet" in page and "dock_4.png" in page
    tenant_try = client.post(url, data=count_form(), content_type="multipart/form-data")
    assert tenant_try.status_code == 403
    listing = client.get("/shipments").get_data(as_text=True)
    assert listing.count('class="badge discrepancy"') == 1
    rows = list(csv.DictReader(io.StringIO(client.get("/shipments.csv").get_data(as_text=True))))
    assert rows[0]["discrepancy"] == "yes"
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "checked in with discrepancies" in inbox
    photo_url = f"/shipments/{shipment['id']}/files/{photo.id}"
    served = client.get(photo_url)
    assert served.status_code == 200 and served.data == PNG
    assert served.headers["Cache-Control"] == "private, no-store"
    served.close()
    assert client.get(f"/shipments/{shipment['id']}/files/999999").status_code == 404
    client.post("/logout")

    login(client, operator)
    to_operator = client.get(photo_url)
    assert to_operator.status_code == 200
    to_operator.close()
    client.post("/logout")
    stranger = UserFactory(organization=OrganizationFactory(kind="exporter"))
    login(client, stranger)
    assert client.get(photo_url).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lines-0-received_good": "-2"}, "Number must be between 0 and 1000000."),
        ({"lines-1-damaged": "many"}, "Not a valid integer value."),
        ({"lines-1-sku": "SOMETHING-ELSE"}, "is not on this shipment"),
        ({"photos": TEXT_AS_IMAGE}, "Not an image or a PDF."),
    ],
)
def test_bad_check_ins_keep_the_form_and_change_nothing(client, shipment, owner, changes, message):
    if "photos" in changes:
        changes = {"photos": [(io.BytesIO(changes["photos"]), "dock.png")]}
    login(client, owner)
    response = client.post(
        f"/shipments/{shipment['id']}/check-in",
        data=count_form(**changes),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "Pallet 3 wet" in page
    assert count(CheckIn) == 0


def test_stock_outbound_and_the_exporters_stock_pages(client, lease, shipment, owner, exporter):
    login(client, owner)
    client.post(f"/shipments/{shipment['id']}/check-in", data=count_form(),
                content_type="multipart/form-data")  # fmt: skip
    page = client.get(f"/bookings/{lease.id}/stock").get_data(as_text=True)
    assert "Record an outbound release" in page and "BT-SPK-01 (234 on hand)" in page
    out = {"sku": "BT-SPK-01", "units": "300", "shipped_on": TODAY.isoformat(),
           "reference": "DHL 42", "note": ""}  # fmt: skip
    refused = client.post(f"/bookings/{lease.id}/outbound", data=out)
    assert refused.status_code == 422 and "At most 234 on hand." in refused.get_data(as_text=True)
    negative = client.post(f"/bookings/{lease.id}/outbound", data={**out, "units": "-1"})
    assert negative.status_code == 422
    assert count(OutboundRelease) == 0
    done = client.post(f"/bookings/{lease.id}/outbound", data={**out, "units": "34"})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "34 units of BT-SPK-01 released outbound." in page and "DHL 42" in page
    client.post("/logout")

    login(client, exporter)
    page = client.get(f"/bookings/{lease.id}/stock").get_data(as_text=True)
    assert "Record an outbound release" not in page and "<strong>200</strong>" in page
    assert client.post(f"/bookings/{lease.id}/outbound", data=out).status_code == 403
    everything = client.get("/stock").get_data(as_text=True)
    assert "Maasvlakte Hall 3" in everything and "BT-SPK-02" in everything
    rows = list(csv.DictReader(io.StringIO(client.get("/stock.csv").get_data(as_text=True))))
    assert [(r["sku"], r["received_good"], r["received_damaged"], r["released"], r["on_hand"])
            for r in rows] == [("BT-SPK-01", "230", "4", "34", "200"),
                               ("BT-SPK-02", "60", "0", "0", "60")]  # fmt: skip
    assert client.get("/occupancy").status_code == 403


def test_owner_sees_occupancy_and_a_lease_over_its_space(client, lease, exporter, owner):
    big = announce(client, api_token(client, exporter), lease.id, lines=[line(units=900)])
    login(client, owner)
    body = {"lines-0-sku": "BT-SPK-01", "lines-0-received_good": "900", "lines-0-damaged": "0"}
    client.post(f"/shipments/{big['id']}/check-in", data=body, content_type="multipart/form-data")
    from tests.factories import ListingFactory
    from warehouse_exchange.extensions import db

    for status in ("active", "archived"):
        ListingFactory(warehouse=lease.listing.warehouse, title=f"Empty {status}", status=status)
    db.session.commit()
    page = client.get("/occupancy").get_data(as_text=True)
    assert "stores more than it rents" in page and 'class="badge over-capacity"' in page
    summary = page.split('id="occupancy-summary"')[1].split("</table>")[0]
    assert f'href="#listing-{lease.listing_id}"' in summary and "over-capacity" in summary
    assert "Empty active" in summary and "Empty archived" not in page
    assert page.count('class="card" id="listing-') == 1  # only the listing with a lease
    stock = client.get(f"/bookings/{lease.id}/stock").get_data(as_text=True)
    assert "This lease stores more than it rents." in stock and "<strong>6</strong>" in stock


def test_tenant_issues_and_revokes_a_carrier_token(client, shipment, exporter):
    login(client, exporter)
    url = f"/shipments/{shipment['id']}/carrier-tokens"
    bad = client.post(url, data={"name": "COSCO", "days": "120"})
    assert bad.status_code == 422 and "Number must be between 1 and 90." in bad.get_data(
        as_text=True
    )
    issued = client.post(url, data={"name": "COSCO", "days": "14"}, follow_redirects=True)
    page = issued.get_data(as_text=True)
    token = CarrierToken.query.one()
    secret = page.split("it is shown only once: ")[1].split("<")[0].strip()
    assert secret.startswith("wxc_")
    again = client.get(f"/shipments/{shipment['id']}").get_data(as_text=True)
    assert secret not in again and "COSCO" in again and "Revoke" in again
    carrier = {"Authorization": f"Bearer {secret}"}
    assert (
        client.get(f"/api/v1/carrier/shipments/{shipment['id']}", headers=carrier).status_code
        == 200
    )
    revoked = client.post(f"{url}/{token.id}/revoke", follow_redirects=True)
    assert "revoked" in revoked.get_data(as_text=True)
    assert (
        client.get(f"/api/v1/carrier/shipments/{shipment['id']}", headers=carrier).status_code
        == 401
    )
