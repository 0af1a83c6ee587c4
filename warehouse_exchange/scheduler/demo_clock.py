"""The demo clock: a lease can be taken to its end without waiting for it.

Outside production an operator (or `flask demo advance --days N`) moves the clock forward a
day at a time; after each day every scheduled job runs once, as the scheduler would have run
it that day, so leases start and end, escrow is released, instalments fall due and reminders
go out. The offset is a database row, so the web processes and the scheduler read the same day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask

from ..adapters.clock import clock_offset, set_clock_offset, utc_now, utc_today
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..unit_of_work import locked_row
from .models import DemoClock

MAX_DAYS = 366


def enabled(config) -> bool:
    return bool(config.get("DEMO_CLOCK")) and config.get("ENVIRONMENT") != "production"


def load_offset() -> None:
    """Read the clock's offset as every process of this deployment sees it."""
    days = db.session.scalar(db.select(DemoClock.offset_days).where(DemoClock.id == 1))
    set_clock_offset(timedelta(days=days or 0))


@dataclass
class Advance:
    today: date
    offset_days: int
    #: items each job changed over all the days
    changed: dict[str, int] = field(default_factory=dict)
    #: "job on day: error" for each run that failed (the job console has the details)
    failures: list[str] = field(default_factory=list)


def advance(app: Flask, days: int) -> Advance:
    """Move the clock `days` days forward, running every job once after each day."""
    from . import jobs

    if not enabled(app.config):
        raise Forbidden("The demo clock is off here: production runs on the real clock.")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput("Advance the clock by 1 to 366 days.", {"days": "1 to 366 days"})
    result = Advance(utc_today(), clock_offset().days)
    for _ in range(days):
        result.offset_days = _one_day_forward()
        result.today = utc_today()
        for job in jobs.JOBS:
            try:
                changed = jobs.run(app, job)
            except Exception as error:  # recorded in the job history; the next day goes on
                result.failures.append(f"{job.name} on {result.today}: {error}")
            else:
                result.changed[job.name] = result.changed.get(job.name, 0) + changed
    return result


def _one_day_forward() -> int:
    clock = locked_row(db.select(DemoClock).where(DemoClock.id == 1))
    if clock is None:
        clock = DemoClock(id=1, offset_days=0)
        db.session.add(clock)
    clock.offset_days += 1
    clock.advanced_at = utc_now() - clock_offset()
    days = clock.offset_days
    # nothing is read after the commit: the jobs write in sessions of their own, and on SQLite
    # a transaction begun here (even to refresh an attribute) would hold the lock they wait for
    db.session.commit()
    set_clock_offset(timedelta(days=days))
    return days
