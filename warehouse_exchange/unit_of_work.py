"""A public service function is one unit of work: it commits once, or changes nothing."""

from __future__ import annotations

import functools
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db


def locked_row(statement, *, skip_locked: bool = False):
    """The row `statement` selects, locked until the end of the transaction and read afresh,
    so that what another transaction committed meanwhile is seen. With `skip_locked`, None
    when another runner holds it (SQLite, which locks the whole database, ignores both)."""
    locking = statement.with_for_update(skip_locked=skip_locked)
    return db.session.scalar(locking.execution_options(populate_existing=True))


def use_case(function):
    """Roll the session back when the use case fails, so that a half-applied change made
    before the error (an attribute set, a row added) can never be committed by a later call."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` once the current transaction has committed, and never if it rolls back:
    for calls to outside services that must not wait on its row locks nor happen for a change
    that did not stand. The action runs outside any transaction and must not use the session."""
    db.session.connection()  # begun now, if not yet: a rollback must find it to forget this
    db.session.info.setdefault("after_commit", []).append(action)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for action in session.info.pop("after_commit", []):
        action()


@event.listens_for(Session, "after_rollback")
def _forget_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)
