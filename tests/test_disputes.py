"""Disputes through the services: opening freezes the escrow, withdrawing lifts the freeze,
an operator decides and the ledger executes, and every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.dispute_support import FIRST_DAY, LATER, NOW, claim, decision, open_on, running_lease
from tests.factories import OperatorFactory, OrganizationFactory, UserFactory
from tests.uploads import PDF, PNG, TEXT_AS_IMAGE
from warehouse_exchange.audit.models import AuditEntry
from warehouse_exchange.disputes.commands import (
    add_message,
    decide_dispute,
    take_dispute,
    withdraw_dispute,
)
from warehouse_exchange.disputes.jobs import escalate_overdue
from warehouse_exchange.disputes.models import Dispute
from warehouse_exchange.disputes.settlement import frozen_minor
from warehouse_exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from warehouse_exchange.escrow.queries import refunds_due
from warehouse_exchange.escrow.releases import booking_releases, run_due_releases
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.notifications.models import Notification
from warehouse_exchange.trust.models import CreditRating


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def unreleased(booking) -> list[int]:
    return [r.sequence for r in booking_releases(booking.id) if r.released_at is None]


def test_opening_freezes_the_escrow_and_withdrawing_lifts_it(app, owner, exporter):
    booking = running_lease(owner, exporter)
    dispute = open_on(booking, exporter, claim(files=[("hall.png", PNG), ("report.pdf", PDF)]))

    assert dispute.state == "awaiting_response"
    assert dispute.against_org_id == owner.organization_id
    assert [f.content_type for f in dispute.messages[0].files] == ["image/png", "application/pdf"]
    told = db.session.scalars(
        select(Notification.organization_id).where(Notification.kind == "dispute_opened")
    ).all()
    assert told == [owner.organization_id]
    assert run_due_releases(LATER) == 0  # month two is due, but frozen
    assert unreleased(booking) == [2, 3]

    withdraw_dispute(exporter, dispute.id, LATER)
    assert dispute.state == "withdrawn"
    assert run_due_releases(LATER) == 1  # the freeze lifts; nothing else moved


def test_refusals_change_nothing(app, owner, exporter, other_owner):
    booking = running_lease(owner, exporter)
    attempts = [
        (other_owner, claim(), NotFound),  # not a party
        (exporter, claim(currency="USD"), InvalidInput),
        (exporter, claim(amount=-1), InvalidInput),
        (exporter, claim(category="bored"), InvalidInput),
        (exporter, claim(text="  "), InvalidInput),
        (exporter, claim(files=[("fake.png", TEXT_AS_IMAGE)]), InvalidInput),
        (exporter, claim(files=[("big.png", PNG + b"0" * 5_000_001)]), InvalidInput),
    ]
    for actor, data, error in attempts:
        with pytest.raises(error):
            open_on(booking, actor, data)
        assert count(Dispute) == 0
    first = open_on(booking, exporter)
    with pytest.raises(Conflict, match="already has an open dispute"):
        open_on(booking, owner)
    with pytest.raises(Forbidden):
        withdraw_dispute(owner, first.id, LATER)
    with pytest.raises(Forbidden):
        take_dispute(exporter, first.id, LATER)
    with pytest.raises(Forbidden):
        decide_dispute(owner, first.id, decision(0, frozen_minor(booking)), LATER)
    audited = select(func.count()).where(AuditEntry.subject_type == "dispute")
    assert first.state == "awaiting_response" and db.session.scalar(audited) == 0


def test_an_operator_takes_and_decides_and_the_ledger_executes(app, owner, exporter):
    booking = running_lease(owner, exporter)
    operator = OperatorFactory()
    dispute = open_on(booking, exporter)
    add_message(owner, dispute.id, "The hall was free; see the photo.", [], FIRST_DAY)
    assert dispute.state == "under_review"  # the respondent answered
    take_dispute(operator, dispute.id, FIRST_DAY)
    frozen = frozen_minor(booking)
    assert frozen == sum(r.amount_minor for r in booking_releases(booking.id) if not r.released_at)
    payable = ledger.balance(ledger.payable(owner.organization_id, "EUR")).amount_minor

    with pytest.raises(InvalidInput, match="split exactly"):
        decide_dispute(operator, dispute.id, decision(frozen, 1), LATER)
    with pytest.raises(InvalidInput, match="split exactly"):
        decide_dispute(operator, dispute.id, decision(frozen - 1, 0), LATER)
    with pytest.raises(InvalidInput):
        decide_dispute(operator, dispute.id, decision(frozen, 0, currency="USD"), LATER)
    with pytest.raises(InvalidInput):
        decide_dispute(operator, dispute.id, decision(frozen + 1, -1), LATER)
    with pytest.raises(InvalidInput):
        decide_dispute(operator, dispute.id, decision(frozen, 0, reasons=""), LATER)
    assert dispute.state == "under_review"

    tenant_share = frozen * 3 // 4
    decide_dispute(operator, dispute.id, decision(tenant_share, frozen - tenant_share), LATER)

    assert dispute.state == "resolved" and dispute.lost_by_org_id == owner.organization_id
    (refund,) = refunds_due(operator)
    assert refund.amount_minor == tenant_share
    owner_now = ledger.balance(ledger.payable(owner.organization_id, "EUR")).amount_minor
    assert owner_now == payable + frozen - tenant_share
    assert unreleased(booking) == []  # months paid: their money was in the split
    assert run_due_releases(LATER + timedelta(days=60)) == 0
    assert frozen_minor(booking) == 0
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["dispute.take", "dispute.decide"]
    rating = db.session.get(CreditRating, owner.organization_id)
    assert (rating.facts["disputes_against"], rating.facts["disputes_lost"]) == (1, 1)
    with pytest.raises(Conflict):
        add_message(exporter, dispute.id, "One more thing", [], LATER)
    with pytest.raises(Conflict):
        withdraw_dispute(exporter, dispute.id, LATER)


def test_the_reserve_pays_a_tenant_whose_space_was_not_there(app, owner, exporter):
    booking = running_lease(owner, exporter)
    operator = OperatorFactory()
    dispute = open_on(booking, exporter, claim(amount=10**6))
    take_dispute(operator, dispute.id, FIRST_DAY)
    frozen, reserve = frozen_minor(booking), ledger.balance(ledger.reserve("EUR")).amount_minor
    with pytest.raises(Conflict, match="reserve holds only"):
        decide_dispute(operator, dispute.id, decision(frozen, 0, reserve + 1), LATER)
    app.config["DISPUTE_RESERVE_CASE_LIMIT"] = {"EUR": 10}
    try:
        with pytest.raises(InvalidInput, match="at most"):
            decide_dispute(operator, dispute.id, decision(frozen, 0, 11), LATER)
    finally:
        app.config["DISPUTE_RESERVE_CASE_LIMIT"] = {"EUR": 500_000}
    decide_dispute(operator, dispute.id, decision(frozen, 0, reserve), LATER)
    assert ledger.balance(ledger.reserve("EUR")).amount_minor == 0
    (refund,) = refunds_due(operator)
    assert refund.amount_minor == frozen + reserve


def test_overdue_cases_go_to_review_then_are_escalated_once(app, owner, exporter):
    booking = running_lease(owner, exporter)
    dispute = open_on(booking, exporter)
    assert escalate_overdue(dispute.respond_by - timedelta(minutes=1)) == 0
    assert escalate_overdue(dispute.respond_by) == 1
    assert dispute.state == "under_review" and dispute.escalated_at is None
    assert escalate_overdue(dispute.review_by) == 1
    assert escalate_overdue(dispute.review_by + timedelta(days=1)) == 0
    assert dispute.escalated_at == dispute.review_by
    told = db.session.scalars(
        select(Notification.organization_id).where(Notification.kind == "dispute_escalated")
    ).all()
    assert sorted(told) == sorted([owner.organization_id, exporter.organization_id])
    audited = select(AuditEntry.action).where(AuditEntry.subject_type == "dispute")
    assert db.session.scalars(audited).all() == ["dispute.escalate"]


def test_strangers_cannot_read_or_write(app, owner, exporter):
    booking = running_lease(owner, exporter)
    dispute = open_on(booking, exporter)
    stranger = UserFactory(organization=OrganizationFactory(kind="exporter"))
    with pytest.raises(NotFound):
        add_message(stranger, dispute.id, "Hello", [], LATER)


def test_a_disputed_lease_can_be_neither_cancelled_nor_ended_early(app, owner, exporter):
    from warehouse_exchange.bookings.commands import cancel_booking

    booking = accepted_booking_paid(owner, exporter)
    dispute = open_on(booking, exporter, now=NOW)
    with pytest.raises(Conflict, match="frozen"):
        cancel_booking(exporter, booking.id, "Changed plans", NOW, NOW.date())
    db.session.refresh(booking)
    assert booking.state == "confirmed" and refunds_due(OperatorFactory()) == []
    withdraw_dispute(exporter, dispute.id, NOW)
    cancel_booking(exporter, booking.id, "Changed plans", NOW, NOW.date())
    assert booking.state == "cancelled"


def test_a_lease_cancelled_after_a_decision_keeps_no_more_rent_than_escrow_still_holds(
    app, owner, exporter
):
    """The decision split all the escrow held: the cancellation policy finds no rent left to
    keep for the owner, and the tenant's refund is sent in full without overdrawing escrow."""
    from warehouse_exchange.bookings.commands import cancel_booking
    from warehouse_exchange.escrow.refunds import send_refund

    booking = accepted_booking_paid(owner, exporter)
    operator = OperatorFactory()
    dispute = open_on(booking, exporter, now=NOW)
    take_dispute(operator, dispute.id, NOW)
    frozen = frozen_minor(booking)
    tenant_share = frozen // 2
    decide_dispute(operator, dispute.id, decision(tenant_share, frozen - tenant_share), NOW)

    cancel_booking(exporter, booking.id, "Changed plans", NOW, NOW.date())
    (refund,) = refunds_due(operator)
    assert refund.amount_minor == tenant_share
    send_refund(operator, refund.id, "REFUND-1", NOW)

    escrow = ledger.escrow(exporter.organization_id, "EUR")
    assert ledger.balance(escrow, booking.id).amount_minor == 0
    payable = ledger.balance(ledger.payable(owner.organization_id, "EUR")).amount_minor
    assert payable == frozen - tenant_share  # the decision's share, and nothing kept on top


def accepted_booking_paid(owner, exporter):
    from tests.helpers import pay_in_full
    from tests.test_escrow import accepted_booking

    booking = accepted_booking(owner, exporter)
    pay_in_full(OperatorFactory(), booking)
    return booking


def test_ratings_follow_disputes_opened_withdrawn_and_the_parties_hear_each_step(
    app, owner, exporter
):
    booking = running_lease(owner, exporter)

    def facts() -> dict:
        return db.session.get(CreditRating, owner.organization_id).facts

    dispute = open_on(booking, exporter)
    assert facts()["disputes_against"] == 1
    add_message(OperatorFactory(), dispute.id, "Please send the gate log.", [], FIRST_DAY)
    withdraw_dispute(exporter, dispute.id, LATER)
    assert facts()["disputes_against"] == 0
    told = db.session.execute(
        select(Notification.kind, Notification.organization_id).order_by(Notification.id)
    ).all()
    parties = {owner.organization_id, exporter.organization_id}
    assert {org for kind, org in told if kind == "dispute_message"} == parties
    assert [org for kind, org in told if kind == "dispute_opened"] == [owner.organization_id]


def test_the_decision_is_told_to_both_parties_and_an_even_split_is_lost_by_nobody(
    app, owner, exporter
):
    booking = running_lease(owner, exporter)
    operator = OperatorFactory()
    dispute = open_on(booking, owner, claim(category="wrong_handling"))
    take_dispute(operator, dispute.id, FIRST_DAY)
    frozen = frozen_minor(booking)
    with pytest.raises(InvalidInput, match="pays only a tenant"):
        decide_dispute(operator, dispute.id, decision(frozen // 2, frozen - frozen // 2, 1), LATER)
    decide_dispute(operator, dispute.id, decision(frozen // 2, frozen - frozen // 2), LATER)
    assert dispute.lost_by_org_id is None
    told = db.session.scalars(
        select(Notification.organization_id).where(Notification.kind == "dispute_decided")
    ).all()
    assert sorted(told) == sorted([owner.organization_id, exporter.organization_id])


def test_months_not_yet_paid_keep_their_releases_after_a_decision(app, owner, exporter):
    from tests.test_payment_plans import START, at_noon, monthly_booking, pay, schedule
    from warehouse_exchange.bookings.jobs import advance_leases

    operator = OperatorFactory()
    booking = monthly_booking(owner, exporter)
    first, second, *_ = schedule(booking)
    pay(operator, booking, first.amount_minor, "MONTH-1")
    advance_leases(at_noon(START))
    dispute = open_on(booking, exporter, now=at_noon(START))
    assert run_due_releases(at_noon(START)) == 0  # month one is frozen
    take_dispute(operator, dispute.id, at_noon(START))
    frozen = frozen_minor(booking)
    decide_dispute(operator, dispute.id, decision(frozen, 0), at_noon(START))

    assert unreleased(booking) == [2, 3, 4]  # month one's money was in the split
    pay(operator, booking, second.amount_minor, "MONTH-2", at_noon(second.due_on))
    assert run_due_releases(at_noon(second.due_on + timedelta(days=6))) == 1
    assert unreleased(booking) == [3, 4]


def test_the_owner_is_given_no_more_than_the_rent_held_for_unreleased_months(app, owner, exporter):
    from tests.test_payment_plans import START, at_noon, monthly_booking, pay, schedule
    from warehouse_exchange.bookings.jobs import advance_leases
    from warehouse_exchange.disputes.settlement import owner_share_limit_minor

    operator = OperatorFactory()
    booking = monthly_booking(owner, exporter)
    first, *_ = schedule(booking)
    pay(operator, booking, first.amount_minor, "MONTH-1")
    pay(operator, booking, 1500, "PART-OF-MONTH-2")  # not yet the whole second month
    advance_leases(at_noon(START))
    dispute = open_on(booking, exporter, now=at_noon(START))
    take_dispute(operator, dispute.id, at_noon(START))
    frozen, limit = frozen_minor(booking), owner_share_limit_minor(booking)
    assert limit == first.rent_minor and frozen == first.rent_minor + 1500

    with pytest.raises(InvalidInput, match="owner's share is at most") as refused:
        decide_dispute(operator, dispute.id, decision(0, frozen), at_noon(START))
    assert "owner_share" in refused.value.fields
    db.session.expire_all()
    assert dispute.state == "under_review" and frozen_minor(booking) == frozen

    decide_dispute(operator, dispute.id, decision(frozen - limit, limit), at_noon(START))
    assert ledger.balance(ledger.payable(owner.organization_id, "EUR")).amount_minor == limit
