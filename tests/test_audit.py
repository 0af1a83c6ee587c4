"""The operators' audit log: each operator action leaves one entry (who, what, when, before
and after), entries cannot be changed or removed, and only operators read them."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.dispute_support import FIRST_DAY
from tests.factories import OperatorFactory
from tests.helpers import login, pay_in_full
from tests.test_escrow import NOW, TODAY, accepted_booking, receipt
from warehouse_exchange.adapters.clock import utc_now
from warehouse_exchange.audit.models import AuditEntry
from warehouse_exchange.audit.services import audit_log
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.errors import Forbidden
from warehouse_exchange.escrow.bank_receipts import record_bank_receipt
from warehouse_exchange.escrow.payouts import record_payout
from warehouse_exchange.escrow.queries import refunds_due
from warehouse_exchange.escrow.refunds import send_refund
from warehouse_exchange.escrow.releases import run_due_releases
from warehouse_exchange.extensions import db
from warehouse_exchange.trust.blacklist import blacklist_organization, lift_blacklisting


def actions() -> list[str]:
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entries SET action = 'nothing'", "DELETE FROM audit_entries"],
)
def test_the_database_refuses_to_change_audit_entries(app, owner, exporter, statement):
    pay_in_full(OperatorFactory(), accepted_booking(owner, exporter))
    with pytest.raises(DBAPIError, match="immutable"), db.session.begin_nested():
        db.session.execute(text(statement))
    assert actions() == ["receipt.record"]


def test_escrow_and_trust_actions_of_operators_are_logged(app, owner, exporter):
    operator = OperatorFactory()
    booking = accepted_booking(owner, exporter)
    record_bank_receipt(operator, receipt(booking, booking.total_minor + 100, "B-1"), NOW, TODAY)
    (refund,) = refunds_due(operator)
    send_refund(operator, refund.id, "B-OUT", NOW)
    now = utc_now()
    entry = blacklist_organization(operator, exporter.organization_id, "Fraud", None, now)
    lift_blacklisting(operator, entry.id, "Cleared", now)

    assert actions() == ["receipt.record", "refund.sent", "blacklist.add", "blacklist.lift"]
    sent = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "refund.sent"))
    assert (sent.actor_id, sent.subject_id) == (operator.id, refund.id)
    assert (sent.before["state"], sent.after["state"]) == ("due", "sent")
    with pytest.raises(Forbidden):
        audit_log(owner, 1, 20)
    assert audit_log(operator, 1, 20).total == 4


def test_a_payout_is_logged_and_the_log_page_is_for_operators(app, client, owner, exporter):
    operator = OperatorFactory()
    booking = accepted_booking(owner, exporter)
    pay_in_full(operator, booking)
    advance_leases(FIRST_DAY)
    run_due_releases(FIRST_DAY)
    record_payout(operator, owner.organization_id, "EUR", 100, "PAYOUT-1")
    assert actions()[-1] == "payout.record"

    login(client, owner)
    assert client.get("/operator/audit").status_code == 403
    client.post("/logout")
    login(client, operator)
    page = client.get("/operator/audit")
    assert page.status_code == 200 and b"payout.record" in page.data and b"PAYOUT-1" in page.data
    text = page.get_data(as_text=True)
    assert "<dt>Amount</dt><dd>€1.00</dd>" in text  # labelled, in its currency
    assert "<dt>Bank reference</dt><dd>PAYOUT-1</dd>" in text
    assert "amount_minor" not in text and "&#34;" not in text  # no raw JSON


def test_audit_details_read_as_labelled_fields_with_money_in_its_currency():
    from warehouse_exchange.audit.rules import Detail, details

    before = {"state": "due", "amount_minor": 123456, "currency": "JPY"}
    assert details(before) == [Detail("State", "due"), Detail("Amount", "¥123,456")]
    after = {"state": "sent", "amount_minor": 1050, "bank_reference": "B-9"}
    assert details(after, {"currency": "EUR"}) == [
        Detail("State", "sent"), Detail("Amount", "€10.50"), Detail("Bank reference", "B-9"),
    ]  # fmt: skip
    assert details({"amount_minor": 5}) == [Detail("Amount", "5 (minor units)")]
    assert details({"taken_by_id": 7, "escalated_at": None}) == [
        Detail("Taken by operator", "#7"), Detail("Escalated at", "—"),
    ]  # fmt: skip
    assert details(None) == []


def test_verification_decisions_are_logged(app, owner, exporter):
    from tests.test_trust_blacklist import papers
    from warehouse_exchange.trust import verification

    operator = OperatorFactory()
    first = verification.request_verification(owner, papers(), NOW)
    verification.reject_verification(operator, first.id, "Blurred extract", NOW)
    second = verification.request_verification(owner, papers(), NOW)
    verification.approve_verification(operator, second.id, "", NOW)
    assert actions() == ["verification.reject", "verification.approve"]
    rejected = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id))
    assert rejected.after == {
        "state": "rejected", "reason": "Blurred extract", "organization_id": owner.organization_id
    }  # fmt: skip


def test_reserve_top_ups_and_exchange_rates_are_logged(app):
    from datetime import timedelta
    from decimal import Decimal

    from tests.helpers import fund_reserve
    from warehouse_exchange.fx.services import record_rate

    operator = OperatorFactory()
    fund_reserve(50_000, "EUR", "RESERVE-1")
    record_rate(operator, "USD", "1.08", TODAY - timedelta(days=1), "EUR", TODAY)
    record_rate(operator, "USD", "1.09", TODAY - timedelta(days=1), "EUR", TODAY)
    assert actions() == ["reserve.fund", "rate.record", "rate.record"]
    corrected = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (corrected.actor_id, corrected.subject_type) == (operator.id, "exchange_rate")
    assert Decimal(corrected.before["rate"]) == Decimal("1.08")
    assert corrected.after["rate"] == "1.09"
