"""Two decisions paying out of a small guarantee reserve at the same moment, on PostgreSQL
with real separate connections: one pays, the other is refused, and the reserve never goes
below zero."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from tests.concurrency_support import isolated_app, run_at_once
from tests.dispute_support import FIRST_DAY, LATER, decision, open_on, running_lease
from tests.factories import OperatorFactory, OrganizationFactory, UserFactory
from warehouse_exchange.disputes import settlement
from warehouse_exchange.disputes.commands import decide_dispute, take_dispute
from warehouse_exchange.disputes.models import Dispute
from warehouse_exchange.disputes.settlement import frozen_minor
from warehouse_exchange.errors import Conflict
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger


def test_two_payouts_at_once_never_overdraw_the_reserve(tmp_path, monkeypatch):
    check_balance = settlement.reserve_available

    def slow_check(currency: str):
        balance = check_balance(currency)
        time.sleep(0.3)  # both deciders would have read the balance before either posts
        return balance

    monkeypatch.setattr(settlement, "reserve_available", slow_check)
    with isolated_app("postgresql", tmp_path) as app:
        with app.app_context():
            operator = OperatorFactory()
            cases = []
            for _ in range(2):  # parties of their own: no row is shared but the reserve's
                owner = UserFactory(organization=OrganizationFactory(kind="owner"))
                tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
                booking = running_lease(owner, tenant)
                dispute = open_on(booking, tenant)
                take_dispute(operator, dispute.id, FIRST_DAY)
                cases.append((dispute.id, frozen_minor(booking)))
            reserve = ledger.balance(ledger.reserve("EUR")).amount_minor
            payout = reserve * 2 // 3  # each fits alone, both together do not
            operator_id = operator.id

        def decide(dispute_id: int, frozen: int):
            def work():
                actor = db.session.get(type(operator), operator_id)
                try:
                    decide_dispute(actor, dispute_id, decision(frozen, 0, payout), LATER)
                except Conflict as refused:
                    return refused.message
                return "paid"

            return work

        works = iter([decide(*cases[0]), decide(*cases[1])])
        outcomes = run_at_once(app, lambda: next(works)())

        paid = [outcome for outcome in outcomes if outcome == "paid"]
        refused = [outcome for outcome in outcomes if outcome != "paid"]
        assert len(paid) == len(refused) == 1, outcomes
        assert "reserve holds only" in refused[0]
        with app.app_context():
            left = ledger.balance(ledger.reserve("EUR")).amount_minor
            assert left == reserve - payout >= 0
            states = db.session.scalars(select(Dispute.state).order_by(Dispute.id)).all()
            assert sorted(states) == ["resolved", "under_review"]
            resolved = select(func.count()).where(Dispute.reserve_payout_minor == payout)
            assert db.session.scalar(resolved) == 1
