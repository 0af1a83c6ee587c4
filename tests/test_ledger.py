"""The ledger: balanced postings, posted once per key, balances derived, rows immutable."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.concurrency_support import isolated_app
from tests.factories import OrganizationFactory
from tests.test_escrow import accepted_booking
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.ledger.models import LedgerEntry, LedgerTransaction
from warehouse_exchange.ledger.services import EscrowOverdrawn, Leg, UnbalancedTransaction
from warehouse_exchange.money import Money


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def pay_in(tenant_id: int, amount: int, key: str, booking_id=None):
    return ledger.post(
        key,
        "payment",
        [
            Leg(ledger.clearing("bank", "EUR"), -amount),
            Leg(ledger.escrow(tenant_id, "EUR"), amount, booking_id),
        ],
    )


def test_postings_derive_balances_and_a_replayed_key_posts_nothing(app):
    tenant = OrganizationFactory(kind="exporter")
    first = pay_in(tenant.id, 12_500, "receipt:1")
    pay_in(tenant.id, 500, "receipt:2")
    again = pay_in(tenant.id, 12_500, "receipt:1")
    db.session.commit()
    assert again.id == first.id and entry_count() == 4
    assert ledger.balance(ledger.escrow(tenant.id, "EUR")) == Money(13_000, "EUR")
    assert ledger.balance(ledger.clearing("bank", "EUR")) == Money(-13_000, "EUR")
    assert ledger.organization_balances(tenant.id) == [("tenant_escrow", Money(13_000, "EUR"))]


@pytest.mark.parametrize(
    "legs",
    [
        [(ledger.fees("EUR"), 100), (ledger.reserve("EUR"), -99)],  # off by one
        [(ledger.fees("EUR"), 100), (ledger.reserve("USD"), -100)],  # two currencies
        [(ledger.fees("EUR"), 0), (ledger.reserve("EUR"), 0)],  # nothing moves
        [(ledger.fees("EUR"), 100)],  # one leg
    ],
)
def test_unbalanced_postings_are_refused_and_write_nothing(app, legs):
    with pytest.raises(UnbalancedTransaction):
        ledger.post("bad", "fees", [Leg(account, amount) for account, amount in legs])
    assert entry_count() == 0
    assert db.session.scalar(select(func.count()).select_from(LedgerTransaction)) == 0


def test_a_posting_that_takes_more_than_a_bookings_escrow_holds_is_refused(app, owner, exporter):
    booking = accepted_booking(owner, exporter)
    tenant = exporter.organization_id
    escrow = ledger.escrow(tenant, "EUR")
    pay_in(tenant, 1_000, "receipt:1", booking.id)
    pay_in(tenant, 5_000, "receipt:2")  # the tenant's escrow, but not this booking's

    def to_owner(amount: int) -> list[Leg]:
        return [
            Leg(escrow, -amount, booking.id),
            Leg(ledger.payable(owner.organization_id, "EUR"), amount, booking.id),
        ]

    before = entry_count()
    with pytest.raises(EscrowOverdrawn):
        ledger.post("release:1", "release", to_owner(1_001), booking_id=booking.id)
    assert entry_count() == before
    ledger.post("release:2", "release", to_owner(1_000), booking_id=booking.id)
    assert ledger.balance(escrow, booking.id) == Money(0, "EUR")
    assert ledger.balance(escrow) == Money(5_000, "EUR")


def test_accounts_refuse_an_owner_that_does_not_fit_their_kind():
    with pytest.raises(ValueError):
        ledger.AccountRef("tenant_escrow", "EUR")
    with pytest.raises(ValueError):
        ledger.AccountRef("platform_fees", "EUR", organization_id=3)
    with pytest.raises(ValueError):
        ledger.AccountRef("petty_cash", "EUR")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET amount_minor = amount_minor + 1",
        "DELETE FROM ledger_entries",
        "UPDATE ledger_transactions SET memo = 'edited'",
        "DELETE FROM ledger_transactions",
    ],
)
def test_the_database_refuses_to_change_posted_rows(app, statement):
    tenant = OrganizationFactory(kind="exporter")
    pay_in(tenant.id, 700, "receipt:immutable")
    db.session.commit()
    with pytest.raises(DBAPIError, match="immutable"), db.session.begin_nested():
        db.session.execute(text(statement))
    assert ledger.balance(ledger.escrow(tenant.id, "EUR")) == Money(700, "EUR")


def test_postgresql_refuses_an_unbalanced_transaction_at_commit(tmp_path):
    """Code that went around post() still cannot commit money out of nowhere."""
    with isolated_app("postgresql", tmp_path, pool_size=2) as app, app.app_context():
        tenant = OrganizationFactory(kind="exporter")
        pay_in(tenant.id, 900, "receipt:ok")
        db.session.commit()
        account = ledger.account_id(ledger.escrow(tenant.id, "EUR"))
        transaction = LedgerTransaction(idempotency_key="forged", kind="payment")
        db.session.add(transaction)
        db.session.flush()
        db.session.add(
            LedgerEntry(
                transaction_id=transaction.id, account_id=account, currency="EUR", amount_minor=5
            )
        )
        with pytest.raises(DBAPIError, match="does not balance"):
            db.session.commit()
        db.session.rollback()
        assert ledger.balance(ledger.escrow(tenant.id, "EUR")) == Money(900, "EUR")
