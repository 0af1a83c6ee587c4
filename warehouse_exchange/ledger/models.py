"""The double-entry ledger: accounts, transactions and their immutable entries.

Amounts are signed minor units: an entry adds to its account's balance. The entries of one
transaction sum to zero in each currency. Money from outside the platform arrives through a
gateway clearing account, whose balance is therefore the negative of what came in net.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import UTCDateTime, utcnow
from ..money import Money

#: kind -> whether an account of that kind belongs to an organization
ACCOUNT_KINDS = {
    "gateway_clearing": False,  # money in from, and out to, the world (per gateway)
    "tenant_escrow": True,  # paid by a tenant, belongs to nobody yet
    "owner_payable": True,  # released to an owner, not yet paid out
    "owner_paid_out": True,  # sent to an owner
    "platform_fees": False,  # the platform's commission income
    "guarantee_reserve": False,  # the fund that pays out when a party defaults
}


class LedgerAccount(db.Model):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(ACCOUNT_KINDS)!r}", name="kind_known"),
        CheckConstraint("length(currency) = 3", name="currency_alpha3"),
        CheckConstraint(
            "(kind IN ('tenant_escrow', 'owner_payable', 'owner_paid_out'))"
            " = (organization_id IS NOT NULL)",
            name="owned_when_organization_kind",
        ),
        CheckConstraint("(kind = 'gateway_clearing') = (gateway <> '')", name="gateway_named"),
        UniqueConstraint("kind", "organization_key", "gateway", "currency"),
        # the target of the entries' (account_id, currency) foreign key
        UniqueConstraint("id", "currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    #: organization_id or 0: a UNIQUE constraint treats NULLs as all different
    organization_key: Mapped[int] = mapped_column(default=0)
    gateway: Mapped[str] = mapped_column(String(20), default="")
    currency: Mapped[str] = mapped_column(String(3))

    def __repr__(self) -> str:
        owner = f" org {self.organization_id}" if self.organization_id else ""
        return f"<LedgerAccount {self.kind}{owner} {self.gateway} {self.currency}>"


class LedgerTransaction(db.Model):
    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the same movement posted twice (a replayed request, two scheduler runners) is one row
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    memo: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries: Mapped[list[LedgerEntry]] = relationship(back_populates="transaction")


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
        ForeignKeyConstraint(
            ["account_id", "currency"], ["ledger_accounts.id", "ledger_accounts.currency"]
        ),
        Index("ix_ledger_entries_account", "account_id", "booking_id"),
        Index("ix_ledger_entries_booking", "booking_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    #: the booking whose money this is, so that escrow can be followed per booking
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")
    account: Mapped[LedgerAccount] = relationship(
        primaryjoin="LedgerEntry.account_id == LedgerAccount.id",
        foreign_keys="LedgerEntry.account_id",
    )

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


#: Entries and transactions are never changed or removed: a correction is a new transaction.
#: The database refuses it, whatever code runs. (Migration 0004 creates the same objects.)
IMMUTABLE_TABLES = ("ledger_transactions", "ledger_entries")
SQLITE_IMMUTABLE = (
    "CREATE TRIGGER {table}_{action}_refused BEFORE {action} ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'ledger rows are immutable'); END"
)
POSTGRES_REFUSE_FUNCTION = (
    "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'ledger rows are immutable'; END $$"
)
POSTGRES_IMMUTABLE = (
    "CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
)
#: PostgreSQL also checks, at commit, that every transaction touched balances per currency.
POSTGRES_BALANCE_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM ledger_entries WHERE transaction_id = NEW.transaction_id
    GROUP BY currency HAVING sum(amount_minor) <> 0
  ) THEN
    RAISE EXCEPTION 'ledger transaction % does not balance', NEW.transaction_id;
  END IF;
  RETURN NULL;
END $$
"""
POSTGRES_BALANCE_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()"
)


def ledger_guard_statements(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [SQLITE_IMMUTABLE.format(table=table, action=a) for a in ("UPDATE", "DELETE")]
    statements = [POSTGRES_REFUSE_FUNCTION, POSTGRES_IMMUTABLE.format(table=table)]
    if table == "ledger_entries":
        statements += [POSTGRES_BALANCE_FUNCTION, POSTGRES_BALANCE_TRIGGER]
    return statements


def _install_guards(table, connection, **_kw) -> None:
    for statement in ledger_guard_statements(connection.dialect.name, table.name):
        connection.execute(DDL(statement.replace("%", "%%")))


for _model in (LedgerTransaction, LedgerEntry):
    event.listen(_model.__table__, "after_create", _install_guards)
