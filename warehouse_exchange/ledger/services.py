"""Posting to the ledger and reading balances from it. Posting never commits: it is one step
of a use case, which commits the transaction together with the change that caused it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..money import Money
from .models import ACCOUNT_KINDS, LedgerAccount, LedgerEntry, LedgerTransaction


class UnbalancedTransaction(ValueError):
    """A bug, never user input: the legs of a posting do not sum to zero per currency."""


class EscrowOverdrawn(ValueError):
    """A bug, never user input: a posting takes more out of a tenant's escrow for a booking
    than it holds for that booking."""


@dataclass(frozen=True)
class AccountRef:
    kind: str
    currency: str
    organization_id: int | None = None
    gateway: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ACCOUNT_KINDS:
            raise ValueError(f"unknown account kind {self.kind!r}")
        if ACCOUNT_KINDS[self.kind] != (self.organization_id is not None):
            raise ValueError(f"{self.kind}: organization_id does not fit the kind")


@dataclass(frozen=True)
class Leg:
    account: AccountRef
    amount_minor: int
    booking_id: int | None = None


def escrow(organization_id: int, currency: str) -> AccountRef:
    return AccountRef("tenant_escrow", currency, organization_id)


def payable(organization_id: int, currency: str) -> AccountRef:
    return AccountRef("owner_payable", currency, organization_id)


def paid_out(organization_id: int, currency: str) -> AccountRef:
    return AccountRef("owner_paid_out", currency, organization_id)


def clearing(gateway: str, currency: str) -> AccountRef:
    return AccountRef("gateway_clearing", currency, gateway=gateway)


def fees(currency: str) -> AccountRef:
    return AccountRef("platform_fees", currency)


def reserve(currency: str) -> AccountRef:
    return AccountRef("guarantee_reserve", currency)


def _insert(dialect: str):
    return postgres_insert if dialect == "postgresql" else sqlite_insert


def account_id(ref: AccountRef) -> int:
    """The account's id, opening the account on first use (safe when two sessions race)."""
    key = ref.organization_id or 0
    where = (
        LedgerAccount.kind == ref.kind,
        LedgerAccount.organization_key == key,
        LedgerAccount.gateway == ref.gateway,
        LedgerAccount.currency == ref.currency,
    )
    found = db.session.scalar(select(LedgerAccount.id).where(*where))
    if found is not None:
        return found
    statement = _insert(db.session.get_bind().dialect.name)(LedgerAccount).values(
        kind=ref.kind,
        organization_id=ref.organization_id,
        organization_key=key,
        gateway=ref.gateway,
        currency=ref.currency,
    )
    db.session.execute(statement.on_conflict_do_nothing())
    return db.session.scalar(select(LedgerAccount.id).where(*where))


def _check_balanced(legs: list[Leg]) -> None:
    if len(legs) < 2 or any(leg.amount_minor == 0 for leg in legs):
        raise UnbalancedTransaction("a transaction has two or more legs, none of them zero")
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        totals[leg.account.currency] += leg.amount_minor
    if any(totals.values()):
        raise UnbalancedTransaction(f"legs do not balance: {dict(totals)}")


def _check_escrow_covers(legs: list[Leg]) -> None:
    """Each booking's part of a tenant's escrow never goes below zero: whatever decides an
    amount to take out of it, the ledger refuses more than it holds for that booking."""
    taken: dict[tuple[AccountRef, int], int] = defaultdict(int)
    for leg in legs:
        if leg.account.kind == "tenant_escrow" and leg.booking_id is not None:
            taken[(leg.account, leg.booking_id)] += leg.amount_minor
    for (ref, booking_id), amount in taken.items():
        if amount >= 0:
            continue
        held = balance(ref, booking_id)
        if held.amount_minor + amount < 0:
            raise EscrowOverdrawn(
                f"escrow of booking {booking_id} holds {held.amount_minor} minor units;"
                f" a posting takes {-amount} out of it"
            )


def posted(idempotency_key: str) -> LedgerTransaction | None:
    return db.session.scalar(
        select(LedgerTransaction).where(LedgerTransaction.idempotency_key == idempotency_key)
    )


def post(
    idempotency_key: str,
    kind: str,
    legs: list[Leg],
    *,
    booking_id: int | None = None,
    memo: str = "",
    actor_id: int | None = None,
) -> LedgerTransaction:
    """Record one balanced movement. Posting the same key again returns the first posting and
    records nothing: each movement happens once, ever."""
    _check_balanced(legs)
    existing = posted(idempotency_key)
    if existing is not None:
        return existing
    _check_escrow_covers(legs)
    transaction = LedgerTransaction(
        idempotency_key=idempotency_key,
        kind=kind,
        booking_id=booking_id,
        memo=memo[:300],
        created_by_id=actor_id,
    )
    db.session.add(transaction)
    db.session.flush()
    db.session.add_all(
        LedgerEntry(
            transaction_id=transaction.id,
            account_id=account_id(leg.account),
            currency=leg.account.currency,
            amount_minor=leg.amount_minor,
            booking_id=leg.booking_id,
        )
        for leg in legs
    )
    db.session.flush()
    return transaction


def _account_balance_query(ref: AccountRef):
    return (
        select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerAccount.kind == ref.kind,
            LedgerAccount.organization_key == (ref.organization_id or 0),
            LedgerAccount.gateway == ref.gateway,
            LedgerAccount.currency == ref.currency,
        )
    )


def balance(ref: AccountRef, booking_id: int | None = None) -> Money:
    """The account's balance, or the part of it that belongs to one booking."""
    query = _account_balance_query(ref)
    if booking_id is not None:
        query = query.where(LedgerEntry.booking_id == booking_id)
    return Money(int(db.session.scalar(query)), ref.currency)


def locked_balance(ref: AccountRef) -> Money:
    """The account's balance, its row locked until the end of the transaction: two movements
    out of one account at once wait for each other, and the second sees the first."""
    db.session.execute(
        select(LedgerAccount.id).where(LedgerAccount.id == account_id(ref)).with_for_update()
    )
    return balance(ref)


def booking_balances(booking_id: int) -> dict[str, int]:
    """Per account kind, the booking's share of those accounts' balances (minor units)."""
    rows = db.session.execute(
        select(LedgerAccount.kind, func.sum(LedgerEntry.amount_minor))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerEntry.booking_id == booking_id)
        .group_by(LedgerAccount.kind)
    )
    return {kind: int(total) for kind, total in rows}


def organization_balances(organization_id: int) -> list[tuple[str, Money]]:
    rows = db.session.execute(
        select(LedgerAccount.kind, LedgerAccount.currency, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.organization_id == organization_id)
        .group_by(LedgerAccount.kind, LedgerAccount.currency)
        .order_by(LedgerAccount.kind, LedgerAccount.currency)
    )
    return [(kind, Money(int(total), currency)) for kind, currency, total in rows]


def platform_balances() -> list[tuple[str, str, Money]]:
    """Every kind of account summed per currency: what an operator watches."""
    rows = db.session.execute(
        select(
            LedgerAccount.kind,
            LedgerAccount.gateway,
            LedgerAccount.currency,
            func.sum(LedgerEntry.amount_minor),
        )
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .group_by(LedgerAccount.kind, LedgerAccount.gateway, LedgerAccount.currency)
        .order_by(LedgerAccount.currency, LedgerAccount.kind, LedgerAccount.gateway)
    )
    return [(kind, gateway, Money(int(total), currency)) for kind, gateway, currency, total in rows]


@dataclass(frozen=True)
class StatementLine:
    at: object
    transaction_kind: str
    booking_id: int | None
    account_kind: str
    memo: str
    currency: str
    amount_minor: int
    #: the account's balance after this entry
    balance_minor: int

    # Money is built on demand: a statement may hold a hundred thousand lines
    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def balance(self) -> Money:
        return Money(self.balance_minor, self.currency)


def statement(organization_id: int, limit: int | None = None) -> list[StatementLine]:
    """Every entry on the organization's accounts, oldest first, with each account's running
    balance after it. The running sum is computed by the database (a window function)."""
    running = (
        func.sum(LedgerEntry.amount_minor)
        .over(partition_by=LedgerEntry.account_id, order_by=LedgerEntry.id)
        .label("running")
    )
    query = (
        select(
            LedgerTransaction.created_at,
            LedgerTransaction.kind,
            LedgerEntry.booking_id,
            LedgerAccount.kind,
            LedgerTransaction.memo,
            LedgerEntry.amount_minor,
            LedgerEntry.currency,
            running,
        )
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.organization_id == organization_id)
        .order_by(LedgerEntry.id)
        .limit(limit)
    )
    rows = db.session.execute(query)
    return [
        StatementLine(at, kind, booking, account, memo, currency, amount, int(total))
        for at, kind, booking, account, memo, amount, currency, total in rows
    ]
