"""Checks shared by the services of several areas; each raises InvalidInput naming the field."""

from __future__ import annotations

from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pycountry

from .errors import InvalidInput


def require_country(code: str | None, field: str = "country") -> str:
    normalized = (code or "").strip().upper()
    if len(normalized) != 2 or pycountry.countries.get(alpha_2=normalized) is None:
        raise InvalidInput(f"Unknown country {code!r}.", {field: "Not an ISO 3166 country code."})
    return normalized


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def require_timezone(name: str | None, field: str = "timezone") -> str:
    name = (name or "").strip()
    try:
        if name not in available_timezones():
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(
            f"Unknown time zone {name!r}.", {field: "Not an IANA time zone."}
        ) from error
    return name


def require_text(value: str | None, field: str, max_length: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(
            f"{field.replace('_', ' ').capitalize()} is required.", {field: "Required."}
        )
    if len(text) > max_length:
        raise InvalidInput(
            f"{field.replace('_', ' ').capitalize()} is too long.",
            {field: f"At most {max_length} characters."},
        )
    return text


def require_int(value, field: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be a whole number.", {field: "Must be a whole number."})
    if not minimum <= value <= maximum:
        raise InvalidInput(
            f"{field} must be between {minimum} and {maximum}.",
            {field: f"Must be between {minimum} and {maximum}."},
        )
    return value


class Problems:
    """The field errors of checks that do not depend on each other, gathered so that a form
    shows every one of them at once instead of one per submit."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.fields: dict[str, str] = {}

    @contextmanager
    def check(self):
        try:
            yield
        except InvalidInput as error:
            self.messages.append(error.message)
            for name, message in error.fields.items():
                self.fields.setdefault(name, message)

    def raise_any(self) -> None:
        if not self.messages:
            return
        first, more = self.messages[0], len(self.messages) - 1
        summary = first if not more else f"{first} ({more} more below.)"
        raise InvalidInput(summary, self.fields)
