"""Two takers ask for the same offer at once, and two payments of it arrive at once: exactly
one wins each race, and the capacity and the ledger stay exact (PostgreSQL, real connections
in threads; SQLite serialises writers and cannot show the race)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.concurrency_support import isolated_app, run_at_once
from tests.factories import OperatorFactory, OrganizationFactory, UserFactory
from tests.helpers import goods
from tests.test_concurrency import check_ledger
from tests.transfer_support import NOW, TODAY, offer, paid_lease, receipt
from warehouse_exchange.accounts.models import User
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.errors import DomainError
from warehouse_exchange.extensions import db
from warehouse_exchange.transfers.models import Transfer
from warehouse_exchange.transfers.services import offer_transfer, request_transfer
from warehouse_exchange.transfers.settlement import record_transfer_receipt


def _seed(consent: bool) -> dict:
    owner = UserFactory(organization=OrganizationFactory(kind="owner"))
    tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
    takers = [UserFactory(organization=OrganizationFactory(kind="exporter")) for _ in range(2)]
    booking = paid_lease(owner, tenant, consent=consent)
    transfer = offer_transfer(tenant, offer(booking), NOW, TODAY)
    return {
        "transfer": transfer.id,
        "takers": [taker.id for taker in takers],
        "operators": [OperatorFactory().id, OperatorFactory().id],
    }


def _attempt(work) -> str:
    try:
        work()
    except DomainError as error:
        db.session.rollback()
        return error.code
    return "won"


def test_two_takers_ask_for_one_offer_at_once(tmp_path):
    with isolated_app("postgresql", tmp_path) as app:
        with app.app_context():
            ids = _seed(consent=True)
        takers = iter(ids["takers"])

        def ask():
            taker = db.session.get(User, next(takers))
            return _attempt(lambda: request_transfer(taker, ids["transfer"], goods(), NOW, TODAY))

        outcomes = run_at_once(app, ask)

        assert sorted(outcomes) == ["conflict", "won"], outcomes
        with app.app_context():
            transfer = db.session.get(Transfer, ids["transfer"])
            assert transfer.state == "requested" and transfer.taker_id is not None


def test_two_payments_of_one_transfer_complete_it_once(tmp_path):
    with isolated_app("postgresql", tmp_path) as app:
        with app.app_context():
            ids = _seed(consent=False)
            taker = db.session.get(User, ids["takers"][0])
            request_transfer(taker, ids["transfer"], goods(), NOW, TODAY)
        operators = iter(enumerate(ids["operators"]))

        def pay():
            n, operator_id = next(operators)
            operator = db.session.get(User, operator_id)
            transfer = db.session.get(Transfer, ids["transfer"])
            data = receipt(transfer, bank_reference=f"RACE-{n}")
            return _attempt(lambda: record_transfer_receipt(operator, data, NOW, TODAY))

        outcomes = run_at_once(app, pay)

        assert sorted(outcomes) == ["conflict", "won"], outcomes
        with app.app_context():
            transfer = db.session.get(Transfer, ids["transfer"])
            assert transfer.state == "completed"
            taken_over = select(func.count()).where(Booking.transferred_from_id.is_not(None))
            assert db.session.scalar(taken_over) == 2  # the taker's lease and the continuation
            check_ledger()
