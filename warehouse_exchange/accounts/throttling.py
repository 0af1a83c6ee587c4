"""Log-in throttling per email address, on top of the per-address (IP) rate limit of the web
layer: failed log-ins are counted in the database, where every worker sees the same count.
After too many within a window, log-in with that email address is refused for a while,
whatever the password and wherever the attempts come from, and the account's owner is told
once by email."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import generate_password_hash

from ..errors import TooManyRequests
from ..extensions import db
from ..unit_of_work import locked_row
from .models import LoginThrottle, User
from .signals import login_locked


@dataclass(frozen=True)
class LockoutPolicy:
    #: this many failures within `window` lock the address
    max_failures: int
    window: timedelta
    #: for this long
    duration: timedelta

    @classmethod
    def from_config(cls, config) -> LockoutPolicy:
        return cls(
            int(config["LOGIN_LOCKOUT_FAILURES"]),
            timedelta(minutes=config["LOGIN_LOCKOUT_WINDOW_MINUTES"]),
            timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
        )


class LoginLocked(TooManyRequests):
    def __init__(self, retry_after: timedelta):
        minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        super().__init__(
            "Too many failed log-ins with this email address. Log-in with it is paused;"
            f" try again in {minutes} minute{'' if minutes == 1 else 's'}.",
            math.ceil(retry_after.total_seconds()),
        )


@functools.cache
def dummy_password_hash() -> str:
    """A hash made the way real ones are, checked when the email has no account, so that a
    failed log-in takes as long whether or not the address is registered."""
    return generate_password_hash("no account has this password")


def settle_attempt(email: str, user: User | None, succeeded: bool, now: datetime) -> None:
    """Record how a log-in with `email` ended, and commit. A locked address refuses even the
    right password; a success forgets the failures; the failure that reaches the limit locks
    the address and tells the account's owner. Raises LoginLocked when the address is locked."""
    policy = LockoutPolicy.from_config(current_app.config)
    throttle = _claim(email, now if not succeeded else None)
    if throttle is not None and throttle.is_locked(now):
        db.session.commit()
        raise LoginLocked(throttle.locked_until - now)
    if succeeded:
        if throttle is not None:
            db.session.delete(throttle)
        db.session.commit()
        return
    locked = throttle.count_failure(now, policy.window, policy.max_failures, policy.duration)
    if locked and user is not None:
        login_locked.send(user, failures=policy.max_failures, until=throttle.locked_until, now=now)
    db.session.commit()
    if locked:
        raise LoginLocked(policy.duration)


def _claim(email: str, failed_at: datetime | None) -> LoginThrottle | None:
    """The address's row, locked until the transaction ends, so that failures counted at the
    same time by several workers all count and lock the address once. Made on first failure
    (two first failures at once: one inserts, the other waits for it and then finds the row)."""
    if failed_at is not None:
        dialect = db.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        row = {"email": email, "failures": 0, "window_started_at": failed_at}
        db.session.execute(insert(LoginThrottle).values(row).on_conflict_do_nothing())
    return locked_row(select(LoginThrottle).where(LoginThrottle.email == email))


def forget_stale_failures(now: datetime) -> int:
    """Delete the rows of addresses neither locked nor counting failures any more, so that
    the table holds only current ones however many addresses are tried. Returns how many."""
    window = LockoutPolicy.from_config(current_app.config).window
    result = db.session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at <= now - window,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
    )
    db.session.commit()
    return result.rowcount
