"""The booking benchmark's check of the capacity ledger: one query rebuilds the units held per
listing and day from the holding bookings and compares them with capacity_days, so a run that
overbooked or left the ledger out of step says so next to its figures.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from ..bookings.rules import HOLDING_STATES

HOLDING = ", ".join(f"'{state}'" for state in sorted(HOLDING_STATES))
NEXT_DAY = {"postgresql": "d.day + 1", "sqlite": "date(d.day, '+1 day')"}
#: Units booked per listing and day, rebuilt from the holding bookings; then the days booked
#: beyond the listing's quantity, and the days where capacity_days disagrees with the bookings.
LEDGER_CHECK = """
WITH RECURSIVE booked_day (listing_id, day, last_day, quantity) AS (
    SELECT listing_id, start_date, end_date, quantity FROM bookings WHERE state IN ({holding})
    UNION ALL
    SELECT d.listing_id, {next_day}, d.last_day, d.quantity
    FROM booked_day AS d WHERE d.day < d.last_day
), booked AS (
    SELECT listing_id, day, sum(quantity) AS units FROM booked_day GROUP BY listing_id, day
)
SELECT
    (SELECT count(*) FROM booked AS b JOIN listings AS l ON l.id = b.listing_id
     WHERE b.units > l.quantity),
    (SELECT count(*) FROM booked AS b LEFT JOIN capacity_days AS cd
        ON cd.listing_id = b.listing_id AND cd.day = b.day
     WHERE cd.held IS NULL OR cd.held <> b.units)
    + (SELECT count(*) FROM capacity_days AS cd WHERE cd.held <> 0 AND NOT EXISTS (
        SELECT 1 FROM booked AS b WHERE b.listing_id = cd.listing_id AND b.day = cd.day))
"""


def ledger_problems(engine: Engine) -> tuple[int, int]:
    """(overbooked listing-days, capacity_days rows that differ from the bookings)."""
    sql = LEDGER_CHECK.format(holding=HOLDING, next_day=NEXT_DAY[engine.dialect.name])
    with engine.connect() as connection:
        overbooked, mismatches = connection.execute(text(sql)).one()
    return overbooked, mismatches


def ledger_line(engine: Engine) -> str:
    overbooked, mismatches = ledger_problems(engine)
    return f"overbooked days: {overbooked}, ledger mismatches: {mismatches}"
