"""Ledger benchmark: postings per second through ledger.post, and the time to read balances
and a whole statement for an organization with many entries, against raw SQL.

    python -m warehouse_exchange.bench ledger --database postgresql --entries 100000
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from time import perf_counter

from sqlalchemy import insert, select, text

from ..accounts.models import Organization
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.models import LedgerEntry, LedgerTransaction
from ..ledger.services import Leg
from .bulk import batches
from .database import bench_app, fresh_database, server_version
from .report import summarize

CURRENCY = "EUR"
RAW_BALANCES = text(
    "SELECT a.kind, a.currency, sum(e.amount_minor) FROM ledger_accounts a"
    " JOIN ledger_entries e ON e.account_id = a.id WHERE a.organization_id = :org"
    " GROUP BY a.kind, a.currency"
)
RAW_STATEMENT = text(
    "SELECT t.created_at, t.kind, e.booking_id, a.kind, t.memo, e.amount_minor, e.currency,"
    " sum(e.amount_minor) OVER (PARTITION BY e.account_id ORDER BY e.id)"
    " FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id"
    " JOIN ledger_transactions t ON t.id = e.transaction_id"
    " WHERE a.organization_id = :org ORDER BY e.id"
)


def _organization(name: str) -> int:
    now = datetime.now(UTC)
    organization = Organization(name=name, kind="exporter", country="NL", created_at=now)
    db.session.add(organization)
    db.session.flush()
    organization_id = organization.id
    db.session.commit()  # and no new transaction: on SQLite it would hold the write lock
    return organization_id


def _payment_legs(tenant: int, amount: int) -> list[Leg]:
    return [
        Leg(ledger.clearing("bank", CURRENCY), -amount),
        Leg(ledger.escrow(tenant, CURRENCY), amount),
    ]


def _post_many(app, tenant: int, prefix: str, count: int, latencies: list[float]) -> None:
    with app.app_context():
        try:
            for n in range(count):
                started = perf_counter()
                ledger.post(f"{prefix}-{n}", "payment", _payment_legs(tenant, 100 + n % 900))
                db.session.commit()
                latencies.append(perf_counter() - started)
        finally:
            db.session.remove()


def measure_postings(app, tenant: int, postings: int, clients: int) -> tuple[list[float], float]:
    """Each posting is its own committed transaction, as a use case makes it."""
    latencies: list[float] = []
    each = max(1, postings // clients)
    threads = [
        threading.Thread(target=_post_many, args=(app, tenant, f"c{clients}-{c}", each, latencies))
        for c in range(clients)
    ]
    started = perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, perf_counter() - started


def load_history(tenant: int, entries: int) -> None:
    """`entries` payments on the tenant's escrow (each with its clearing leg), in bulk."""
    clearing = ledger.account_id(ledger.clearing("bank", CURRENCY))
    escrow = ledger.account_id(ledger.escrow(tenant, CURRENCY))
    last = db.session.scalar(select(LedgerTransaction.id).order_by(LedgerTransaction.id.desc()))
    first = (last or 0) + 1
    db.session.commit()  # and no new transaction: on SQLite it would hold the write lock
    now = datetime.now(UTC)
    transactions = (
        {
            "id": first + n,
            "idempotency_key": f"history-{n}",
            "kind": "payment",
            "memo": "",
            "created_at": now,
        }
        for n in range(entries)
    )
    legs = (
        {
            "transaction_id": first + n,
            "account_id": account,
            "currency": CURRENCY,
            "amount_minor": sign * (100 + n % 900),
        }
        for n in range(entries)
        for account, sign in ((clearing, -1), (escrow, 1))
    )
    with db.engine.begin() as connection:
        for batch in batches(transactions):
            connection.execute(insert(LedgerTransaction), batch)
        for batch in batches(legs):
            connection.execute(insert(LedgerEntry), batch)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def _timed(work, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = perf_counter()
        work()
        times.append(perf_counter() - started)
        db.session.remove()
    return times


def _row(label: str, seconds: list[float], raw: list[float] | None = None) -> str:
    summary = summarize(seconds)
    ratio = f"{summary.p95 / summarize(raw).p95:>8.2f}" if raw else f"{'':>8}"
    return f"{label:<44} {summary.p50:>9.2f} {summary.p95:>9.2f} {summary.max:>9.2f} {ratio}"


def run(args) -> int:
    with fresh_database(args.database, args.postgres_url) as url:
        app = bench_app(url)
        with app.app_context():
            try:
                _run(app, args)
            finally:
                db.session.remove()
                db.engine.dispose()
    return 0


def _run(app, args) -> None:
    db.create_all()
    version = server_version(db.engine)
    tenant = _organization("Benchmark Tenant")
    print(f"== ledger postings, {args.database} ({version}) ==")
    print(f"{'clients':>7} {'postings':>9} {'per s':>9} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for clients in args.clients:
        latencies, elapsed = measure_postings(app, tenant, args.postings, clients)
        summary = summarize(latencies)
        print(
            f"{clients:>7} {len(latencies):>9,} {len(latencies) / elapsed:>9.1f}"
            f" {summary.p50:>9.2f} {summary.p95:>9.2f} {summary.max:>9.2f}"
        )
    _check_balanced()
    heavy = _organization("Benchmark Tenant With History")
    started = perf_counter()
    load_history(heavy, args.entries)
    print(
        f"\nloaded {args.entries:,} entries on one organization in {perf_counter() - started:.1f} s"
    )
    _read_figures(heavy, args.repeats)


def _read_figures(organization: int, repeats: int) -> None:
    connection = db.session.connection
    balances = _timed(lambda: ledger.organization_balances(organization), repeats)
    raw_balances = _timed(
        lambda: connection().execute(RAW_BALANCES, {"org": organization}).all(), repeats
    )
    lines = ledger.statement(organization)
    statement = _timed(lambda: ledger.statement(organization), repeats)
    raw_statement = _timed(
        lambda: connection().execute(RAW_STATEMENT, {"org": organization}).all(), repeats
    )
    print(f"\n== reading an organization with {len(lines):,} entries, {repeats} times each ==")
    print(f"{'':<44} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'app/raw':>8}")
    print(_row("balances (organization_balances)", balances, raw_balances))
    print(_row("balances, raw SQL", raw_balances))
    print(_row("whole statement with running balances", statement, raw_statement))
    print(_row("whole statement, raw SQL", raw_statement))


def _check_balanced() -> None:
    unbalanced = db.session.execute(
        text(
            "SELECT count(*) FROM (SELECT transaction_id FROM ledger_entries"
            " GROUP BY transaction_id, currency HAVING sum(amount_minor) <> 0) AS bad"
        )
    ).scalar_one()
    print(f"unbalanced transactions after the runs: {unbalanced}")
