"""Pure rules of escrow: payment references and the release schedule of an owner's share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..bookings.rules import (
    PaymentPart,
    add_months,
    lease_months,
    payment_due_dates,
    payment_parts,
)
from ..money import allocate

#: the months of a lease and the payment plan are booking terms; escrow follows them
__all__ = ["PaymentPart", "add_months", "payment_due_dates", "payment_parts"]

#: WX, the booking's id in 7 digits (and, for one monthly instalment, its number in 2), then
#: 2 check digits over all of them
REFERENCE = re.compile(r"^WX(\d{7})(\d{2})?(\d{2})$")

#: the gateway of bank transfers, which operators enter from the escrow bank's statements
BANK_GATEWAY = "bank"
#: the card gateway, whose connected accounts receive releases
CARD_GATEWAY = "stripe"


def _check_digits(number: int) -> int:
    """ISO 7064 MOD 97-10, as IBANs use: a mistyped digit or two swapped digits are caught."""
    return 98 - (number * 100) % 97


def payment_reference(booking_id: int) -> str:
    return f"WX{booking_id:07d}{_check_digits(booking_id):02d}"


def instalment_reference(booking_id: int, sequence: int) -> str:
    """The reference of one monthly instalment's payment request; the money still pays the
    booking's instalments in order."""
    number = booking_id * 100 + sequence
    return f"WX{booking_id:07d}-{sequence:02d}-{_check_digits(number):02d}"


def booking_id_of(reference: str) -> int | None:
    """The booking a transfer's reference names (a booking's or one of its instalments'),
    or None when it is not a valid reference."""
    match = REFERENCE.match(re.sub(r"[\s-]", "", reference or "").upper())
    if not match:
        return None
    booking_id, sequence, check = int(match[1]), match[2], int(match[3])
    number = booking_id if sequence is None else booking_id * 100 + int(sequence)
    return booking_id if _check_digits(number) == check else None


@dataclass(frozen=True)
class Instalment:
    sequence: int
    due_on: date
    amount_minor: int


def release_schedule(owner_share: int, start: date, end: date) -> list[Instalment]:
    """The owner's share, pro rata by days over the lease's months. Each month's part is due
    when the month begins; the last month's part when the lease is over (the day after its
    last day), so that escrow still holds something until the lease has been honoured. A
    lease of one month or less is released on its start day."""
    starts, days = lease_months(start, end)
    amounts = allocate(owner_share, days)
    due = starts if len(starts) == 1 else [*starts[:-1], end + timedelta(days=1)]
    return [
        Instalment(n, day, amount)
        for n, (day, amount) in enumerate(zip(due, amounts, strict=True), start=1)
        if amount > 0
    ]
