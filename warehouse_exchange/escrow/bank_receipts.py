"""Bank transfers into escrow, as an operator enters them from the escrow bank's statements:
each is recorded once (by its bank reference), goes into the payer's escrow, and pays what
its payment reference quotes (a booking here; a lease transfer's price in `transfers`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.services import record
from ..bookings.commands import lock_booking
from ..bookings.models import Booking
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.services import Leg
from ..money import MAX_AMOUNT_MINOR, require_currency
from ..permissions import require_operator
from ..unit_of_work import use_case
from ..validation import require_int, require_text
from .models import BankReceipt
from .payments import PAYABLE_STATES, apply_payment, owed_minor, paid_minor
from .rules import BANK_GATEWAY, booking_id_of


@dataclass(frozen=True)
class ReceiptData:
    reference: str
    amount_minor: int
    currency: str
    received_on: date
    bank_reference: str


def _booking_of_reference(reference: str) -> Booking:
    booking_id = booking_id_of(reference)
    booking = lock_booking(booking_id) if booking_id else None
    if booking is None:
        raise InvalidInput(
            f"{reference!r} is not a payment reference the platform issued.",
            {
                "reference": "Not a payment reference: a booking's or an instalment's (WX…),"
                " or a lease transfer's (WT…)."
            },
        )
    return booking


def _checked_receipt(data: ReceiptData, booking: Booking, today: date) -> int:
    amount = require_int(data.amount_minor, "amount", minimum=1, maximum=MAX_AMOUNT_MINOR)
    if require_currency(data.currency) != booking.currency:
        raise InvalidInput(
            f"Booking {booking.id} is billed in {booking.currency}.",
            {"currency": f"Must be {booking.currency}."},
        )
    check_received_on(data.received_on, today)
    if booking.state not in PAYABLE_STATES:
        raise Conflict(
            f"Booking {booking.id} is {booking.state}; only accepted bookings (and paid leases"
            " with instalments still to pay) take payments. Send the transfer back to its sender."
        )
    if paid_minor(booking.id) >= owed_minor(booking):
        raise Conflict(
            f"Booking {booking.id} is paid in full. Send the transfer back to its sender."
        )
    return amount


def check_received_on(received_on, today: date) -> None:
    if not isinstance(received_on, date) or received_on > today:
        raise InvalidInput("A transfer cannot arrive in the future.", {"received_on": "Future."})


def known_receipt(bank_reference: str) -> BankReceipt | None:
    """The receipt that recorded this bank transfer, whatever it paid."""
    return db.session.scalar(
        select(BankReceipt).where(BankReceipt.bank_reference == bank_reference)
    )


def earlier_receipt(data: ReceiptData, *, booking_id=None, transfer_id=None) -> BankReceipt | None:
    """The receipt of the same bank transfer entered before, when `data` is that transfer
    again (it paid the same booking or transfer the same amount): a replay, which changes
    nothing. The bank reference on a different payment is a conflict: a transfer pays once."""
    bank_reference = require_text(data.bank_reference, "bank_reference", 80)
    known = known_receipt(bank_reference)
    if known is None:
        return None
    same = (
        (known.booking_id, known.transfer_id) == (booking_id, transfer_id)
        and known.amount_minor == data.amount_minor
        and known.currency == data.currency
    )
    if not same:
        raise BankReferenceUsed(known)
    return known


class BankReferenceUsed(Conflict):
    def __init__(self, known: BankReceipt):
        super().__init__(
            f"Bank transfer {known.bank_reference} already paid {known.paid_what}"
            f" ({known.amount.format()}, receipt {known.id}); one transfer pays once.",
            {"bank_reference": f"Already recorded for {known.paid_what}."},
        )


def add_receipt(receipt: BankReceipt) -> None:
    """Insert the receipt; the database refuses its bank reference when a receipt committed
    meanwhile (by another operator, at the same moment) already has it."""
    db.session.add(receipt)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        known = known_receipt(receipt.bank_reference)
        if known is None:
            raise
        raise BankReferenceUsed(known) from None


@use_case
def record_bank_receipt(actor: User, data: ReceiptData, now: datetime, today: date) -> BankReceipt:
    """An operator saw a transfer arrive. It goes into the tenant's escrow and pays the
    booking's instalments in order (see apply_payment). The same transfer entered again
    changes nothing and answers the receipt recorded before."""
    require_operator(actor)
    booking = _booking_of_reference(data.reference)
    earlier = earlier_receipt(data, booking_id=booking.id)
    if earlier is not None:
        return earlier
    amount = _checked_receipt(data, booking, today)
    bank_reference, currency = data.bank_reference, booking.currency
    posting = ledger.post(
        f"bank-receipt:{bank_reference}",
        "payment",
        [
            Leg(ledger.clearing(BANK_GATEWAY, currency), -amount),
            Leg(ledger.escrow(booking.tenant_id, currency), amount, booking.id),
        ],
        booking_id=booking.id,
        memo=f"Bank transfer {bank_reference} for booking {booking.id}",
        actor_id=actor.id,
    )
    receipt = BankReceipt(
        booking=booking,
        amount_minor=amount,
        currency=currency,
        received_on=data.received_on,
        bank_reference=bank_reference,
        recorded_by_id=actor.id,
        transaction_id=posting.id,
    )
    add_receipt(receipt)
    apply_payment(booking, actor, now)
    record(actor, "receipt.record", "booking", booking.id, None, receipt_facts(receipt), now)
    db.session.commit()
    return receipt


def receipt_facts(receipt: BankReceipt) -> dict:
    paid = receipt.transfer if receipt.transfer_id is not None else receipt.booking
    return {
        "receipt_id": receipt.id,
        "amount_minor": receipt.amount_minor,
        "currency": receipt.currency,
        "bank_reference": receipt.bank_reference,
        f"{'transfer' if receipt.transfer_id is not None else 'booking'}_state": paid.state,
    }
