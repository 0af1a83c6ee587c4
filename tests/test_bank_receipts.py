"""One bank transfer pays once, whatever it pays (a booking, or a lease transfer's price); the
escrow console records it by any payment reference the platform issued, offers the payments
that wait for money, and a transfer entered again changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import OperatorFactory, OrganizationFactory, UserFactory
from tests.helpers import api_token, goods, login, pay_in_full
from tests.test_escrow import accepted_booking
from tests.transfer_support import NOW, TODAY, offer, paid_lease, receipt
from warehouse_exchange.audit.models import AuditEntry
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.errors import Conflict, InvalidInput
from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
from warehouse_exchange.escrow.models import BankReceipt
from warehouse_exchange.escrow.rules import instalment_reference, payment_reference
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger.models import LedgerEntry
from warehouse_exchange.transfers.commands import (
    offer_transfer,
    request_transfer,
    withdraw_transfer,
)
from warehouse_exchange.transfers.models import Transfer
from warehouse_exchange.transfers.rules import transfer_reference
from warehouse_exchange.transfers.settlement import record_transfer_receipt


@pytest.fixture
def taker(app):
    return UserFactory(organization=OrganizationFactory(kind="exporter", country="DE"))


def payable_transfer(owner, exporter, taker) -> Transfer:
    """Offered without the owner's consent and requested: it waits for the taker's price."""
    booking = paid_lease(owner, exporter, consent=False)
    transfer = offer_transfer(exporter, offer(booking), NOW, TODAY)
    return request_transfer(taker, transfer.id, goods(), NOW, TODAY)


def booking_receipt(booking, bank_reference: str, amount=None) -> ReceiptData:
    amount = booking.total_minor if amount is None else amount
    return ReceiptData(
        payment_reference(booking.id), amount, booking.currency, TODAY, bank_reference
    )


def counts() -> tuple[int, int]:
    """(receipts, ledger entries): what recording money changes."""
    receipts = db.session.scalar(select(func.count()).select_from(BankReceipt))
    return receipts, db.session.scalar(select(func.count()).select_from(LedgerEntry))


def form(reference: str, amount: str, bank_reference: str) -> dict:
    return {
        "reference": reference,
        "amount": amount,
        "currency": "EUR",
        "received_on": TODAY.isoformat(),
        "bank_reference": bank_reference,
    }


def body(reference: str, amount_minor: int, bank_reference: str) -> dict:
    return {
        "reference": reference,
        "amount": {"amount_minor": amount_minor, "currency": "EUR"},
        "received_on": TODAY.isoformat(),
        "bank_reference": bank_reference,
    }


def major(amount_minor: int) -> str:
    return f"{amount_minor / 100:.2f}"


# -- one bank reference pays once, across bookings and transfers ----------------------------


def test_a_transfers_bank_reference_cannot_pay_a_booking_too(app, owner, exporter, taker):
    operator = OperatorFactory()
    transfer = payable_transfer(owner, exporter, taker)
    record_transfer_receipt(operator, receipt(transfer, bank_reference="R-1"), NOW, TODAY)
    booking = accepted_booking(owner, exporter)
    before = counts()

    with pytest.raises(Conflict, match=f"already paid transfer #{transfer.id}") as refused:
        record_bank_receipt(operator, booking_receipt(booking, "R-1"), NOW, TODAY)

    assert "bank_reference" in refused.value.fields
    assert counts() == before and booking.state == "accepted"


def test_a_bookings_bank_reference_cannot_pay_a_transfer_too(app, owner, exporter, taker):
    operator = OperatorFactory()
    booking = accepted_booking(owner, exporter)
    pay_in_full(operator, booking, "R-2")
    transfer = payable_transfer(owner, exporter, taker)
    before = counts()

    with pytest.raises(Conflict, match=f"already paid booking #{booking.id}"):
        record_transfer_receipt(operator, receipt(transfer, bank_reference="R-2"), NOW, TODAY)

    assert counts() == before and transfer.state == "requested"


def test_the_database_records_a_bank_reference_once_and_a_receipt_pays_one_thing(
    app, owner, exporter, taker
):
    transfer = payable_transfer(owner, exporter, taker)
    known = db.session.scalar(select(BankReceipt))  # the lease's own payment

    def copy(**changes) -> BankReceipt:
        columns = ("booking_id", "transfer_id", "amount_minor", "currency", "received_on",
                   "bank_reference", "recorded_by_id", "transaction_id")  # fmt: skip
        return BankReceipt(**{**{c: getattr(known, c) for c in columns}, **changes})

    for twin in (
        copy(booking_id=None, transfer_id=transfer.id),  # the same bank reference again
        copy(bank_reference="BOTH", transfer_id=transfer.id),
        copy(bank_reference="NEITHER", booking_id=None),
    ):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(twin)
            db.session.flush()


# -- a replay is the receipt recorded before -------------------------------------------------


def test_a_replayed_receipt_of_a_booking_paid_in_full_changes_nothing(
    app, client, owner, exporter, operator
):
    """Not "paid in full: send it back", which would refund money that came once."""
    booking = accepted_booking(owner, exporter)
    login(client, operator)
    entered = form(payment_reference(booking.id), major(booking.total_minor), "R-3")
    assert client.post("/operator/escrow", data=entered).status_code == 302
    before = counts()

    again = client.post("/operator/escrow", data=entered, follow_redirects=True)

    page = again.get_data(as_text=True)
    receipt_id = db.session.scalar(
        select(BankReceipt.id).where(BankReceipt.bank_reference == "R-3")
    )
    assert again.status_code == 200 and "Send the transfer back" not in page
    assert f"Bank transfer R-3 is already recorded (receipt {receipt_id}" in page
    assert 'class="flash info"' in page and counts() == before
    other = client.post("/operator/escrow", data={**entered, "amount": "1.00"})
    assert other.status_code == 409 and f"already paid booking #{booking.id}" in other.get_data(
        as_text=True
    )
    assert counts() == before


def test_the_api_answers_a_replay_with_the_receipt_recorded_before(
    app, client, owner, exporter, operator
):
    booking = accepted_booking(owner, exporter)
    staff = api_token(client, operator)
    entered = body(payment_reference(booking.id), booking.total_minor, "R-4")
    created = client.post("/api/v1/escrow/receipts", json=entered, headers=staff)
    assert created.status_code == 201
    before = counts()

    replay = client.post("/api/v1/escrow/receipts", json=entered, headers=staff)

    assert replay.status_code == 200 and replay.json == created.json and counts() == before
    changed = {**entered, "amount": {"amount_minor": 5, "currency": "EUR"}}
    other = client.post("/api/v1/escrow/receipts", json=changed, headers=staff)
    assert other.status_code == 409
    assert f"already paid booking #{booking.id}" in other.json["error"]["message"]
    paths = client.get("/api/v1/openapi.json").json["paths"]
    described = paths["/api/v1/escrow/receipts"]["post"]
    assert "Already recorded" in described["responses"]["200"]["description"]


# -- the console takes every payment reference -----------------------------------------------


def test_the_console_records_a_lease_transfers_price(app, client, owner, exporter, taker, operator):
    transfer = payable_transfer(owner, exporter, taker)
    booking = accepted_booking(owner, exporter)
    login(client, operator)
    entered = form(transfer_reference(transfer.id), major(transfer.price_minor), "R-5")

    recorded = client.post("/operator/escrow", data=entered, follow_redirects=True)

    page = recorded.get_data(as_text=True)
    assert f"recorded for transfer #{transfer.id}, which is now completed" in page
    db.session.expire_all()
    assert transfer.state == "completed"
    assert f'href="/transfers/{transfer.id}"' in page  # among the recent transfers
    before = counts()
    twice = client.post(
        "/operator/escrow", data=form(payment_reference(booking.id), "10.00", "R-5")
    )
    assert twice.status_code == 409
    assert f"already paid transfer #{transfer.id}" in twice.get_data(as_text=True)
    assert counts() == before


def test_the_api_records_a_lease_transfers_price(app, client, owner, exporter, taker, operator):
    transfer = payable_transfer(owner, exporter, taker)
    booking = accepted_booking(owner, exporter)
    staff = api_token(client, operator)
    entered = body(transfer_reference(transfer.id), transfer.price_minor, "R-6")

    created = client.post("/api/v1/escrow/receipts", json=entered, headers=staff)

    assert created.status_code == 201, created.json
    assert (created.json["transfer_id"], created.json["transfer_state"]) == (
        transfer.id, "completed"
    )  # fmt: skip
    assert created.json["booking_id"] is None
    before = counts()
    twice = client.post(
        "/api/v1/escrow/receipts", json=body(payment_reference(booking.id), 1000, "R-6"),
        headers=staff,
    )  # fmt: skip
    assert twice.status_code == 409
    assert f"already paid transfer #{transfer.id}" in twice.json["error"]["message"]
    assert counts() == before


# -- bad references: unknown, closed, already paid -------------------------------------------


def _bad_references(owner, exporter, taker) -> list[tuple[str, int, int]]:
    """(reference, amount, status) of payments the platform takes no money for."""
    operator = OperatorFactory()
    withdrawn = payable_transfer(owner, exporter, taker)
    withdraw_transfer(exporter, withdrawn.id, "", NOW)
    completed = payable_transfer(owner, exporter, taker)
    record_transfer_receipt(operator, receipt(completed, bank_reference="PAID-T"), NOW, TODAY)
    cancelled = accepted_booking(owner, exporter)
    db.session.execute(
        Booking.__table__.update().where(Booking.id == cancelled.id).values(state="cancelled")
    )
    paid = accepted_booking(owner, exporter)
    pay_in_full(operator, paid, "PAID-B")
    return [
        (transfer_reference(99_999), 50_000, 422),  # no such transfer
        ("WT12345", 50_000, 422),  # not a transfer's reference at all
        (transfer_reference(withdrawn.id), withdrawn.price_minor, 409),  # closed
        (transfer_reference(completed.id), completed.price_minor, 409),  # already paid
        (payment_reference(99_999), 1000, 422),  # no such booking
        (payment_reference(cancelled.id), cancelled.total_minor, 409),  # closed
        (payment_reference(paid.id), paid.total_minor, 409),  # already paid in full
    ]


def test_the_console_refuses_a_payment_it_cannot_take(app, client, owner, exporter, taker):
    cases = _bad_references(owner, exporter, taker)
    login(client, OperatorFactory())
    before = counts()
    for n, (reference, amount, status) in enumerate(cases):
        answer = client.post("/operator/escrow", data=form(reference, major(amount), f"BAD-{n}"))
        assert answer.status_code == status, (reference, answer.get_data(as_text=True)[:300])
    assert counts() == before


def test_the_api_refuses_a_payment_it_cannot_take(app, client, owner, exporter, taker):
    cases = _bad_references(owner, exporter, taker)
    staff = api_token(client, OperatorFactory())
    before = counts()
    for n, (reference, amount, status) in enumerate(cases):
        answer = client.post(
            "/api/v1/escrow/receipts", json=body(reference, amount, f"BAD-{n}"), headers=staff
        )
        assert answer.status_code == status, (reference, answer.json)
        assert answer.json["error"]["message"]
    assert counts() == before


def test_a_transfer_reference_that_names_no_transfer_is_a_field_error(app, operator):
    with pytest.raises(InvalidInput) as refused:
        record_transfer_receipt(
            operator, ReceiptData(transfer_reference(99_999), 1, "EUR", TODAY, "X"), NOW, TODAY
        )
    assert "reference" in refused.value.fields


# -- payments awaiting money ------------------------------------------------------------------


def test_the_console_lists_payments_awaiting_money_to_pick_from(
    app, client, owner, exporter, taker, operator
):
    login(client, operator)
    empty = client.get("/operator/escrow").get_data(as_text=True)
    assert "No payment is waiting for money." in empty
    booking = accepted_booking(owner, exporter)
    transfer = payable_transfer(owner, exporter, taker)

    page = client.get("/operator/escrow").get_data(as_text=True)

    for reference, payer, amount in (
        (payment_reference(booking.id), exporter.organization.name, booking.total_minor),
        (transfer_reference(transfer.id), taker.organization.name, transfer.price_minor),
    ):
        assert f"<code>{reference}</code>" in page and payer in page
        assert f"reference={reference}&amp;amount={major(amount)}&amp;currency=EUR" in page
    picked = client.get(
        f"/operator/escrow?reference={transfer_reference(transfer.id)}"
        f"&amount={major(transfer.price_minor)}&currency=EUR"
    ).get_data(as_text=True)
    assert f'value="{transfer_reference(transfer.id)}"' in picked
    assert f'value="{major(transfer.price_minor)}"' in picked
    assert '<option selected value="EUR">' in picked or 'value="EUR" selected' in picked


def test_the_console_pages_the_payments_awaiting_money(app, client, owner, exporter, operator):
    for _ in range(12):
        accepted_booking(owner, exporter)
    login(client, operator)
    first = client.get("/operator/escrow").get_data(as_text=True)
    second = client.get("/operator/escrow?page=2").get_data(as_text=True)
    assert first.count("<code>WX") == 10 and second.count("<code>WX") == 2
    assert "Page 1 of 2" in first


def test_the_api_lists_payments_awaiting_money_for_operators(
    app, client, owner, exporter, taker, operator
):
    booking = accepted_booking(owner, exporter)
    transfer = payable_transfer(owner, exporter, taker)
    staff = api_token(client, operator)

    listed = client.get("/api/v1/escrow/payments-due", headers=staff)

    assert listed.status_code == 200 and listed.json["total"] == 2
    by_reference = {row["reference"]: row for row in listed.json["results"]}
    assert by_reference[payment_reference(booking.id)]["amount"] == {
        "amount_minor": booking.total_minor, "currency": "EUR"
    }  # fmt: skip
    assert by_reference[transfer_reference(transfer.id)]["payer"] == taker.organization.name
    assert by_reference[transfer_reference(transfer.id)]["transfer_id"] == transfer.id
    one = client.get("/api/v1/escrow/payments-due?per_page=1&page=2", headers=staff).json
    assert (one["total"], len(one["results"])) == (2, 1)
    tenant = api_token(client, exporter)
    assert client.get("/api/v1/escrow/payments-due", headers=tenant).status_code == 403
    assert client.get("/api/v1/escrow/payments-due?page=0", headers=staff).status_code == 422


def test_a_monthly_lease_awaits_its_instalments_reference(app, owner, exporter, taker, operator):
    from warehouse_exchange.transfers.receipts import payments_awaiting_money

    booking = paid_lease(owner, exporter, plan="monthly")
    (due,) = payments_awaiting_money(operator, TODAY, 1, 10).items
    assert due.reference == instalment_reference(booking.id, 1) and due.booking_id == booking.id


# -- audit --------------------------------------------------------------------------------------


def test_a_lease_transfers_receipt_is_audited(app, client, owner, exporter, taker, operator):
    transfer = payable_transfer(owner, exporter, taker)
    login(client, operator)
    client.post(
        "/operator/escrow",
        data=form(transfer_reference(transfer.id), major(transfer.price_minor), "R-7"),
    )
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.subject_type, entry.subject_id) == (
        "receipt.record", "transfer", transfer.id
    )  # fmt: skip
    assert entry.actor_id == operator.id
    assert entry.after["bank_reference"] == "R-7"
    assert entry.after["transfer_state"] == "completed"
    assert "R-7" in client.get("/operator/audit").get_data(as_text=True)
