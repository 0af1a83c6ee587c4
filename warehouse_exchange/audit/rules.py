"""How an audit entry's recorded facts read: labelled fields, money in its currency."""

from __future__ import annotations

from dataclasses import dataclass

from ..money import Money, is_currency

#: words that read better than the keys they stand for
LABELS = {
    "bank_reference": "Bank reference",
    "booking_state": "Booking state",
    "lost_by_org_id": "Lost by organization",
    "taken_by_id": "Taken by operator",
    "organization_id": "Organization",
    "receipt_id": "Receipt",
}


@dataclass(frozen=True)
class Detail:
    label: str
    value: str


def _label(key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    words = key.removesuffix("_minor").removesuffix("_id").replace("_", " ")
    return words[:1].upper() + words[1:]


def _value(key: str, value, currency: str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_minor") and isinstance(value, int):
        return Money(value, currency).format() if currency else f"{value} (minor units)"
    if key.endswith("_id") and isinstance(value, int):
        return f"#{value}"
    if isinstance(value, str) and key in ("state", "booking_state"):
        return value.replace("_", " ")
    if isinstance(value, dict):
        return ", ".join(f"{_label(k)}: {_value(k, v, currency)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def details(facts: dict | None, other: dict | None = None) -> list[Detail]:
    """An entry's before or after as labelled fields. Amounts in minor units are shown in
    the currency recorded beside them (or in the other half of the entry); the currency then
    needs no line of its own."""
    if not facts:
        return []
    currency = next(
        (
            code
            for code in ((facts or {}).get("currency"), (other or {}).get("currency"))
            if isinstance(code, str) and is_currency(code)
        ),
        None,
    )
    has_money = any(key.endswith("_minor") for key in facts)
    return [
        Detail(_label(key), _value(key, value, currency))
        for key, value in facts.items()
        if not (key == "currency" and has_money and currency)
    ]
