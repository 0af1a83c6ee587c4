"""A public service function is one unit of work: it commits once, or changes nothing."""

from __future__ import annotations

import functools

from .extensions import db


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
