"""What the areas built on escrow (transfers, disputes) register with it, so that escrow can
consult them without importing them: how a card payment for something other than a booking
is applied, what freezes a booking's escrow, and which decision settled what it held. Each
area registers when the app factory imports it, before the first request or job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, false, or_

from .models import CardPayment

#: applies a card payment the gateway took: (payment, amount taken, charge id, now) -> the
#: outcome recorded on the gateway event
CardPaymentHandler = Callable[[CardPayment, int, "str | None", datetime], str]
#: given a column holding a booking id, a condition true while that booking's escrow is frozen
FreezeCondition = Callable[[ColumnElement[int]], ColumnElement[bool]]


class Settlement(Protocol):
    """A decision that split what a booking's escrow held (a decided dispute)."""

    id: int
    decided_at: datetime


_card_payment_handlers: dict[str, CardPaymentHandler] = {}
_freeze_conditions: dict[str, FreezeCondition] = {}
_settlement_finders: dict[str, Callable[[int], Settlement | None]] = {}


def _key(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def applies_card_payments_for(paid_for: str) -> Callable[[CardPaymentHandler], CardPaymentHandler]:
    """Register how a card payment for `paid_for` (what a CardPayment names besides its
    booking: "transfer") is applied."""

    def register(handler: CardPaymentHandler) -> CardPaymentHandler:
        _card_payment_handlers[paid_for] = handler
        return handler

    return register


def card_payment_handler(paid_for: str) -> CardPaymentHandler:
    try:
        return _card_payment_handlers[paid_for]
    except KeyError:
        raise LookupError(f"No area applies card payments for a {paid_for}.") from None


def freezes_escrow(condition: FreezeCondition) -> FreezeCondition:
    """Register a condition under which a booking's escrow moves no money to its owner."""
    _freeze_conditions[_key(condition)] = condition
    return condition


def escrow_frozen(booking_id: ColumnElement[int]) -> ColumnElement[bool]:
    """True while any registered condition freezes the escrow of the booking `booking_id`."""
    return or_(false(), *(condition(booking_id) for condition in _freeze_conditions.values()))


def finds_settlement(finder: Callable[[int], Settlement | None]):
    """Register how to find the latest decision that settled a booking's escrow."""
    _settlement_finders[_key(finder)] = finder
    return finder


def settlement_of(booking_id: int) -> Settlement | None:
    """The latest decision that split what the booking's escrow held, if any."""
    found = [finder(booking_id) for finder in _settlement_finders.values()]
    settled = [settlement for settlement in found if settlement is not None]
    return max(settled, key=lambda settlement: settlement.decided_at, default=None)
