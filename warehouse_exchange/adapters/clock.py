"""The clock is an adapter so that tests and jobs can say what "now" is.

Outside production the demo clock may run ahead of the real one (`flask demo advance`): every
reading adds the offset, which the web layer and the scheduler load from the database before
each request and each job, so that every process of one deployment agrees on the day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

_offset = timedelta(0)


def utc_now() -> datetime:
    return datetime.now(UTC) + _offset


def utc_today() -> date:
    return utc_now().date()


def clock_offset() -> timedelta:
    return _offset


def set_clock_offset(offset: timedelta) -> None:
    global _offset
    if offset < timedelta(0):
        raise ValueError("The clock never goes back.")
    _offset = offset
