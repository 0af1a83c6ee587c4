"""Each role's home page and its API twin: log-in lands there; an owner sees requests,
arrivals, occupancy and earnings; an exporter payments due, leases, shipments and transfers; an
operator the platform's queues; an organization that both owns and rents sees both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from tests.factories import ListingFactory, OrganizationFactory, UserFactory, WarehouseFactory
from tests.helpers import PASSWORD, api_token, booking_terms, goods, login, pay_in_full
from warehouse_exchange.bookings.commands import (
    BookingRequest,
    accept_booking,
    cancel_booking,
    request_booking,
)
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.escrow.releases import run_due_releases
from warehouse_exchange.escrow.rules import payment_reference
from warehouse_exchange.extensions import db
from warehouse_exchange.scheduler.models import JobRun

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
START = TODAY + timedelta(days=5)


@pytest.fixture
def listing(owner):
    return ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        title="Rotterdam ambient pallets",
        price_minor=1000,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=300),
        quantity=40,
    )


def ask(tenant, listing, quantity: int = 4, start=START, days: int = 30):
    request = BookingRequest(listing.id, quantity, start, start + timedelta(days=days), goods())
    return request_booking(tenant, request, booking_terms(), NOW, TODAY)


def paid_lease(owner, tenant, operator, listing, **kw):
    booking = ask(tenant, listing, **kw)
    accept_booking(owner, booking.id, NOW)
    pay_in_full(operator, booking)
    return booking


def announce(client, headers, booking_id, tracking: str, expected):
    body = {
        "booking_id": booking_id,
        "carrier": "Maersk",
        "tracking_number": tracking,
        "mode": "sea",
        "expected_arrival": expected.isoformat(),
        "lines": [
            {
                "sku": "BT-SPK-01",
                "description": "Bluetooth speakers",
                "units": 10,
                "unit_length_cm": 30,
                "unit_width_cm": 20,
                "unit_height_cm": 15,
                "unit_weight_kg": 2,
                "declared_value": {"amount_minor": 48000, "currency": "EUR"},
                "hs_code": "851822",
                "hazmat_class": None,
            }
        ],
    }
    response = client.post("/api/v1/shipments", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def home_api(client, user) -> dict:
    response = client.get("/api/v1/home", headers=api_token(client, user))
    assert response.status_code == 200, response.json
    return response.json


# --- where log-in lands


def test_log_in_lands_on_home_unless_a_safe_next(client, owner):
    data = {"email": owner.email, "password": PASSWORD}
    assert client.post("/login", data=data).headers["Location"] == "/home"
    client.post("/logout")
    assert client.post("/login?next=//evil.example/", data=data).headers["Location"] == "/home"
    client.post("/logout")
    response = client.post("/login?next=/bookings/inbox", data=data)
    assert response.headers["Location"] == "/bookings/inbox"


def test_home_needs_a_log_in_and_anonymous_visitors_keep_the_marketplace(client):
    assert client.get("/home").status_code == 302
    assert client.get("/api/v1/home").status_code == 401
    landing = client.get("/")
    assert landing.status_code == 200 and 'href="/home"' not in landing.get_data(as_text=True)


# --- owner


def test_owner_home_counts_requests_arrivals_occupancy_and_earnings(
    client, owner, exporter, operator, listing
):
    waiting = ask(exporter, listing, quantity=2, start=START + timedelta(days=40))
    lease = paid_lease(owner, exporter, operator, listing, quantity=6, start=TODAY, days=60)
    advance_leases(NOW)
    run_due_releases(NOW)
    headers = api_token(client, exporter)
    announce(client, headers, lease.id, "LATE-1", TODAY - timedelta(days=2))
    announce(client, headers, lease.id, "SOON-1", TODAY + timedelta(days=3))

    body = home_api(client, owner)
    assert body["exporter"] is None and body["operator"] is None
    mine = body["owner"]
    assert mine["requests_waiting"] == 1
    assert (mine["arrivals_expected"], mine["arrivals_late"]) == (2, 1)
    assert mine["occupancy"] == [{"unit": "pallet", "listings": 1, "offered": 40, "leased": 6}]
    (earnings,) = mine["earnings"]
    assert earnings["released"]["amount_minor"] > 0 and earnings["in_escrow"]["amount_minor"] > 0
    assert mine["next_releases"][0]["booking_id"] == lease.id

    login(client, owner)
    page = client.get("/home").get_data(as_text=True)
    assert f'href="/bookings/{waiting.id}"' in page and "Requests waiting for your answer" in page
    assert page.index("LATE-1") < page.index("SOON-1") and "1 late" in page
    assert "6 of 40 pallet positions" in page
    assert 'href="/bookings/inbox"' in page and 'href="/occupancy"' in page


def test_a_new_owner_sees_empty_states(client, owner):
    login(client, owner)
    page = client.get("/home").get_data(as_text=True)
    assert "No request waits for your answer." in page
    assert "No shipment is on its way to your warehouses." in page
    assert "No active listing." in page and "No paid lease yet" in page
    assert "Payments due" not in page  # an owner only: no exporter blocks


# --- exporter


def test_exporter_home_shows_payments_due_with_reference_leases_and_shipments(
    client, owner, exporter, operator, listing
):
    unpaid = ask(exporter, listing, quantity=3)
    accept_booking(owner, unpaid.id, NOW)
    lease = paid_lease(owner, exporter, operator, listing, start=START + timedelta(days=60))
    headers = api_token(client, exporter)
    announce(client, headers, lease.id, "ON-ITS-WAY", START + timedelta(days=55))

    body = home_api(client, exporter)
    assert body["owner"] is None
    mine = body["exporter"]
    assert mine["payments_due"] == 1
    (payment,) = mine["payments"]
    assert payment["booking_id"] == unpaid.id and payment["reference"] == payment_reference(
        unpaid.id
    )
    assert payment["amount"] == {"amount_minor": unpaid.total_minor, "currency": unpaid.currency}
    assert (mine["leases"], mine["shipments_in_transit"], mine["shipments_late"]) == (2, 1, 0)
    assert mine["open_transfers"] == 0

    login(client, exporter)
    page = client.get("/home").get_data(as_text=True)
    assert payment_reference(unpaid.id) in page and "ON-ITS-WAY" in page
    assert "No open transfer offer or request." in page
    assert "Requests waiting for your answer" not in page


def test_an_organization_that_owns_and_rents_sees_both(client, exporter, operator):
    both = UserFactory(organization=OrganizationFactory(kind="both"))
    body = home_api(client, both)
    assert body["owner"]["requests_waiting"] == 0 and body["exporter"]["payments_due"] == 0
    login(client, both)
    page = client.get("/home").get_data(as_text=True)
    assert "Your warehouses" in page and "Your leases" in page


# --- operator


def test_operator_home_counts_the_queues(client, owner, exporter, operator, listing):
    awaiting = ask(exporter, listing, quantity=2)
    accept_booking(owner, awaiting.id, NOW)
    cancelled = paid_lease(owner, exporter, operator, listing, quantity=3)
    cancel_booking(owner, cancelled.id, "The racks are damaged.", NOW, TODAY)
    paid_lease(owner, exporter, operator, listing, quantity=5, start=TODAY, days=60)
    advance_leases(NOW)
    run_due_releases(NOW)
    db.session.add(JobRun(job="send-emails", started_at=NOW, finished_at=NOW, error="SMTP refused"))
    db.session.commit()

    counts = home_api(client, operator)["operator"]
    assert counts == {
        "bookings_awaiting_money": 1,
        "transfers_awaiting_money": 0,
        "open_disputes": 0,
        "verification_requests": 0,
        "refunds_due": 1,
        "payouts_due": 1,
        "failed_jobs": 1,
    }
    login(client, operator)
    page = client.get("/home").get_data(as_text=True)
    assert f'href="/bookings/{awaiting.id}"' in page and "SMTP refused" in page
    assert owner.organization.name in page  # the payout due names the owner
    assert "No open dispute." in page and "No verification request waits." in page


def test_home_makes_the_same_number_of_queries_for_one_request_or_five(
    app, client, owner, exporter, listing
):
    login(client, owner)

    def queries() -> int:
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            assert client.get("/home").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        return len(statements)

    ask(exporter, listing, quantity=1)
    one = queries()
    for offset in range(1, 5):
        ask(exporter, listing, quantity=1, start=START + timedelta(days=offset))
    assert queries() == one


# --- notifications for operators


def test_operators_get_an_empty_inbox_not_a_403(client, operator):
    login(client, operator)
    response = client.get("/notifications")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "your home page" in page and "Email settings" not in page
    assert client.post("/notifications/read-all").status_code == 302
    body = client.get("/api/v1/notifications", headers=api_token(client, operator)).json
    assert (body["total"], body["unread"], body["results"]) == (0, 0, [])


def test_pages_have_an_icon(client):
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/").get_data(as_text=True)
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
    legacy = client.get("/favicon.ico")
    assert (legacy.status_code, legacy.headers["Location"]) == (301, "/static/favicon.svg")


def test_a_part_payment_leaves_the_rest_due(client, owner, exporter, operator, listing):
    from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt

    booking = ask(exporter, listing, quantity=3)
    accept_booking(owner, booking.id, NOW)
    part = ReceiptData(payment_reference(booking.id), 5000, booking.currency, TODAY, "PART-1")
    record_bank_receipt(operator, part, NOW, TODAY)
    (payment,) = home_api(client, exporter)["exporter"]["payments"]
    assert payment["amount"]["amount_minor"] == booking.total_minor - 5000


def test_owner_home_lists_the_transfers_waiting_for_its_approval(
    client, owner, exporter, operator, listing
):
    from warehouse_exchange.transfers.commands import Offer, offer_transfer, request_transfer

    taker = UserFactory(organization=OrganizationFactory(kind="exporter", name="Lagos Leather"))
    lease = paid_lease(owner, exporter, operator, listing, quantity=6, days=60)
    offered = offer_transfer(exporter, Offer(lease.id, START + timedelta(days=20), 3, 9000, "EUR"),
                             NOW, TODAY)  # fmt: skip
    assert home_api(client, owner)["owner"]["transfers_to_approve"] == 0
    request_transfer(taker, offered.id, goods(), NOW, TODAY)

    assert home_api(client, owner)["owner"]["transfers_to_approve"] == 1
    login(client, owner)
    page = client.get("/home").get_data(as_text=True)
    assert "Transfers waiting for your approval" in page
    assert f'href="/transfers/{offered.id}"' in page
    assert f"Lagos Leather would take 3 pallet positions from {START + timedelta(days=20)}" in page


def test_a_job_whose_last_run_never_finished_is_on_the_operator_home(client, operator):
    """Its process was killed mid-run, and no scheduler has run the job since."""
    started = datetime.now(UTC) - timedelta(hours=2)
    db.session.add(JobRun(job="rate-organizations", started_at=started, finished_at=None))
    db.session.add(JobRun(job="send-emails", started_at=datetime.now(UTC), finished_at=None))
    db.session.commit()
    assert home_api(client, operator)["operator"]["failed_jobs"] == 1  # the running one is not
    login(client, operator)
    page = client.get("/home").get_data(as_text=True)
    assert "rate-organizations" in page and "did not finish" in page
