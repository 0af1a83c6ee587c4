"""What must hold after the smoke run, read from the database: each check gives a figure and
whether it holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from ..adapters.clock import utc_today
from ..bench.capacity_check import ledger_problems
from ..escrow.releases import due_release_ids
from ..extensions import db

UNBALANCED = """
SELECT count(*) FROM (
    SELECT transaction_id, currency FROM ledger_entries
    GROUP BY transaction_id, currency HAVING sum(amount_minor) <> 0
) AS unbalanced
"""
#: a release transaction that no instalment points at, or an instalment posted twice
RELEASES_NOT_ONCE = """
SELECT
  (SELECT count(*) FROM ledger_transactions AS t WHERE t.kind = 'release' AND NOT EXISTS (
     SELECT 1 FROM release_instalments AS r WHERE r.transaction_id = t.id))
  + (SELECT count(*) FROM (SELECT transaction_id FROM release_instalments
     WHERE transaction_id IS NOT NULL GROUP BY transaction_id HAVING count(*) > 1) AS twice)
"""
RELEASED = "SELECT count(*) FROM release_instalments WHERE released_at IS NOT NULL"
RECEIPTS_TWICE = """
SELECT count(*) FROM (SELECT bank_reference FROM bank_receipts
                      GROUP BY bank_reference HAVING count(*) > 1) AS twice
"""


@dataclass(frozen=True)
class Check:
    name: str
    figure: str
    holds: bool


def database_checks() -> list[Check]:
    """Run inside an app context bound to the smoke database."""
    overbooked, out_of_step = ledger_problems(db.engine)
    unbalanced = _count(UNBALANCED)
    not_once = _count(RELEASES_NOT_ONCE)
    left_due = len(due_release_ids(utc_today()))
    twice = _count(RECEIPTS_TWICE)
    return [
        Check("no listing overbooked on any day", f"{overbooked} overbooked days", overbooked == 0),
        Check("capacity ledger agrees with the bookings", f"{out_of_step} rows out of step",
              out_of_step == 0),
        Check("every ledger transaction balanced", f"{unbalanced} unbalanced", unbalanced == 0),
        Check("every release posted at most once", f"{not_once} posted twice or astray",
              not_once == 0),
        Check("every due release posted", f"{_count(RELEASED)} released, {left_due} still due",
              left_due == 0),
        Check("every bank receipt recorded once", f"{twice} recorded twice", twice == 0),
    ]  # fmt: skip


def releases_due() -> int:
    return len(due_release_ids(utc_today()))


def _count(sql: str) -> int:
    with db.engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()
