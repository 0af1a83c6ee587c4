"""Lease transfers: a tenant offers the rest of a paid lease, and every refusal is a clear
4xx that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import OrganizationFactory, UserFactory
from tests.helpers import api_token, login
from tests.transfer_support import (
    EFFECTIVE,
    END,
    NOW,
    START,
    TODAY,
    offer,
    offer_json,
    paid_lease,
    transfer_count,
)
from warehouse_exchange.extensions import db
from warehouse_exchange.notifications.models import Notification
from warehouse_exchange.transfers.commands import offer_transfer
from warehouse_exchange.transfers.queries import unreleased_value
from warehouse_exchange.trust import blacklist


def test_the_tenant_offers_and_withdraws_through_the_api(client, owner, exporter):
    booking = paid_lease(owner, exporter)
    headers = api_token(client, exporter)

    made = client.post("/api/v1/transfers", json=offer_json(booking), headers=headers)

    assert made.status_code == 201, made.json
    body = made.json
    assert (body["state"], body["quantity"], body["effective_date"]) == (
        "offered", 4, EFFECTIVE.isoformat()
    )  # fmt: skip
    assert body["price"] == {"amount_minor": 50_000, "currency": "EUR"}
    assert body["consent_required"] is True and body["payment_reference"].startswith("WT")
    listed = client.get(f"/api/v1/transfers?listing_id={booking.listing_id}", headers=headers)
    assert [t["id"] for t in listed.json["results"]] == [body["id"]]
    told = db.session.scalars(db.select(Notification.organization_id)).all()
    assert owner.organization_id in told

    url = f"/api/v1/transfers/{body['id']}/withdraw"
    assert client.post(url, json={"reason": "Still need it"}, headers=headers).json["state"] == (
        "withdrawn"
    )
    assert client.post(url, json={}, headers=headers).status_code == 409
    again = client.post("/api/v1/transfers", json=offer_json(booking), headers=headers)
    assert again.status_code == 201  # a withdrawn offer no longer holds the lease


def test_the_guide_is_the_escrow_of_the_releases_from_the_effective_day(owner, exporter):
    booking = paid_lease(owner, exporter)
    releases = sorted(booking_release_amounts(booking))
    later = [r.amount_minor for r in booking_releases(booking) if r.due_on >= EFFECTIVE]
    assert len(later) == 2 and len(releases) == 4
    assert unreleased_value(booking, EFFECTIVE, 10).amount_minor == sum(later)
    assert unreleased_value(booking, EFFECTIVE, 5).amount_minor == sum(later) // 2 + sum(later) % 2


def booking_releases(booking):
    from warehouse_exchange.escrow.releases import booking_releases as releases

    return releases(booking.id)


def booking_release_amounts(booking):
    return [r.amount_minor for r in booking_releases(booking)]


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"effective": TODAY}, 422, "effective_date"),
        ({"effective": TODAY - timedelta(days=3)}, 422, "effective_date"),
        ({"effective": START}, 422, "effective_date"),
        ({"effective": END + timedelta(days=1)}, 422, "effective_date"),
        ({"effective": "someday"}, 422, "effective_date"),
        ({"quantity": 11}, 422, "quantity"),
        ({"quantity": 0}, 422, "quantity"),
        ({"amount": 0}, 422, "price"),
        ({"amount": -500}, 422, "price"),
        ({"currency": "USD"}, 422, "price"),
        ({"currency": "EURO"}, 422, "price"),
    ],
)
def test_bad_offers_are_refused_and_change_nothing(client, owner, exporter, changes, status, field):
    booking = paid_lease(owner, exporter)
    headers = api_token(client, exporter)

    refused = client.post("/api/v1/transfers", json=offer_json(booking, **changes), headers=headers)

    assert refused.status_code == status, refused.json
    assert field in str(refused.json["error"]["fields"]), refused.json
    assert transfer_count() == 0


def test_only_the_tenant_of_a_running_paid_lease_offers_it_once(client, owner, exporter, operator):
    booking = paid_lease(owner, exporter)
    stranger = UserFactory(organization=OrganizationFactory(kind="exporter"))
    for user, status in ((stranger, 404), (owner, 403)):
        answer = client.post(
            "/api/v1/transfers", json=offer_json(booking), headers=api_token(client, user)
        )
        assert answer.status_code == status, answer.json
    headers = api_token(client, exporter)
    assert client.post("/api/v1/transfers", json=offer_json(booking), headers=headers).status_code
    second = client.post("/api/v1/transfers", json=offer_json(booking, quantity=2), headers=headers)
    assert second.status_code == 409 and "already offered" in second.json["error"]["message"]
    assert transfer_count() == 1

    unpaid = paid_lease(owner, exporter, plan="monthly")  # accepted, nothing paid yet
    refused = client.post("/api/v1/transfers", json=offer_json(unpaid), headers=headers)
    assert refused.status_code == 409 and "confirmed or active" in refused.json["error"]["message"]

    other = paid_lease(owner, exporter)
    blacklist.blacklist_organization(operator, exporter.organization_id, "Fraud", None, NOW)
    listed = client.post("/api/v1/transfers", json=offer_json(other), headers=headers)
    assert listed.status_code == 403 and "blacklist" in listed.json["error"]["message"]
    assert transfer_count() == 1


def test_a_monthly_lease_with_months_to_pay_is_refused_with_a_409(client, owner, exporter):
    from tests.factories import OperatorFactory
    from tests.test_payment_plans import pay, schedule

    booking = paid_lease(owner, exporter, plan="monthly")
    pay(OperatorFactory(), booking, schedule(booking)[0].amount_minor, "FIRST")
    assert booking.state == "confirmed"
    headers = api_token(client, exporter)

    refused = client.post("/api/v1/transfers", json=offer_json(booking), headers=headers)

    assert refused.status_code == 409
    assert "3 payment instalment(s)" in refused.json["error"]["message"]
    assert "once every instalment is paid" in refused.json["error"]["message"]
    assert transfer_count() == 0


def test_an_offer_at_the_service_refuses_someone_elses_lease(owner, exporter):
    from warehouse_exchange.errors import NotFound

    booking = paid_lease(owner, exporter)
    stranger = UserFactory(organization=OrganizationFactory(kind="exporter"))
    with pytest.raises(NotFound):
        offer_transfer(stranger, offer(booking), NOW, TODAY)
    assert transfer_count() == 0


def test_the_owner_sets_whether_transfers_need_its_consent(client, owner, exporter):
    from tests.factories import WarehouseFactory

    warehouse = WarehouseFactory(organization=owner.organization)
    login(client, owner)
    form = client.get(f"/listings/new/{warehouse.id}")
    assert b"Approve the taker when a tenant transfers a lease" in form.data
    booking = paid_lease(owner, exporter, consent=False)
    page = client.get(f"/listings/{booking.listing_id}").get_data(as_text=True)
    assert "A tenant may hand the rest of a lease to another exporter</dd>" in page
    listed = client.get(f"/api/v1/listings/{booking.listing_id}")
    assert listed.json["transfer_consent"] is False
    assert offer_transfer(exporter, offer(booking), NOW, TODAY).consent_required is False


def test_a_lease_in_dispute_cannot_be_offered_until_it_is_decided(owner, exporter):
    from tests.dispute_support import claim
    from tests.transfer_support import NOW, TODAY, offer, paid_lease
    from warehouse_exchange.disputes.commands import open_dispute, withdraw_dispute
    from warehouse_exchange.errors import Conflict

    booking = paid_lease(owner, exporter)
    dispute = open_dispute(owner, booking.id, claim(text="Pallets left in the aisle"), NOW)

    with pytest.raises(Conflict, match="in dispute"):
        offer_transfer(exporter, offer(booking), NOW, TODAY)
    assert transfer_count() == 0

    withdraw_dispute(owner, dispute.id, NOW)
    assert offer_transfer(exporter, offer(booking), NOW, TODAY).state == "offered"
