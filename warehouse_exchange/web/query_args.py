"""Whole numbers that pages read from the query string (page numbers, filters by id), parsed in
one place: anything but a whole number within bounds is a 422 naming the argument, so that no
number a column or an OFFSET cannot hold reaches the database."""

from __future__ import annotations

from flask import request

from ..errors import InvalidInput
from ..models_base import INTEGER_MAX
from ..pagination import MAX_PAGE


def int_arg(name: str, default: int | None, *, minimum: int, maximum: int) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        raise InvalidInput(
            f"{name.replace('_', ' ').capitalize()} must be a whole number from {minimum} to "
            f"{maximum:,}.",
            {name: f"A whole number from {minimum} to {maximum:,}."},
        )
    return value


def page_arg() -> int:
    """The page number a list page shows, 1 unless asked."""
    return int_arg("page", 1, minimum=1, maximum=MAX_PAGE)


def id_arg(name: str) -> int | None:
    """A row id a page filters by, or None."""
    return int_arg(name, None, minimum=1, maximum=INTEGER_MAX)


def choice_arg(name: str, choices: tuple[str, ...]) -> str:
    """One of a page's fixed choices (the first unless asked); anything else is a 422."""
    raw = request.args.get(name, "").strip() or choices[0]
    if raw not in choices:
        raise InvalidInput(
            f"{name.replace('_', ' ').capitalize()} is one of {', '.join(choices)}.",
            {name: f"One of {', '.join(choices)}."},
        )
    return raw
