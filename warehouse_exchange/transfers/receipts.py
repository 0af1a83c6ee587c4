"""Money that reaches the escrow bank account, by any payment reference the platform issued:
a booking's or an instalment's (WX…) pays the booking, a lease transfer's (WT…) its price.
Operators record it from one console, picking from the payments that wait for money."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..bookings.models import Booking
from ..escrow.bank_receipts import ReceiptData, known_receipt, record_bank_receipt
from ..escrow.models import BankReceipt, PaymentInstalment
from ..escrow.payments import PAYABLE_STATES, next_payment, paid_minor, scheduled_payments
from ..escrow.rules import instalment_reference, payment_reference
from ..extensions import db
from ..money import Money
from ..pagination import Page, check_page
from ..permissions import require_operator
from ..validation import require_text
from .models import Transfer
from .queries import payable_transfers
from .rules import is_transfer_reference, transfer_reference
from .settlement import record_transfer_receipt


@dataclass(frozen=True)
class RecordedReceipt:
    receipt: BankReceipt
    #: True: the same bank transfer was entered before, and nothing changed
    replayed: bool


def record_receipt(actor: User, data: ReceiptData, now: datetime, today: date) -> RecordedReceipt:
    """An operator records a bank transfer by the payment reference it quotes. The same
    transfer entered again (same bank reference, reference and amount) changes nothing."""
    if is_transfer_reference(data.reference):
        return _recorded(record_transfer_receipt, actor, data, now, today)
    return _recorded(record_bank_receipt, actor, data, now, today)


def record_price_receipt(
    actor: User, data: ReceiptData, now: datetime, today: date
) -> RecordedReceipt:
    """The same, for a reference that must be a lease transfer's."""
    return _recorded(record_transfer_receipt, actor, data, now, today)


def _recorded(use_case, actor: User, data: ReceiptData, now, today) -> RecordedReceipt:
    require_operator(actor)
    before = known_receipt(require_text(data.bank_reference, "bank_reference", 80))
    receipt = use_case(actor, data, now, today)
    return RecordedReceipt(receipt, replayed=before is not None and before.id == receipt.id)


@dataclass(frozen=True)
class PaymentDue:
    """A payment the platform asked for and waits for: what the payer quotes, and sends."""

    reference: str
    payer: str
    amount: Money
    due_on: date
    booking_id: int | None = None
    transfer_id: int | None = None


def _first_unpaid_instalments():
    """Per booking that takes payments, its first instalment still owed."""
    first = (
        select(PaymentInstalment.booking_id, func.min(PaymentInstalment.sequence).label("seq"))
        .join(Booking, Booking.id == PaymentInstalment.booking_id)
        .where(PaymentInstalment.outstanding(), Booking.state.in_(PAYABLE_STATES))
        .group_by(PaymentInstalment.booking_id)
        .subquery()
    )
    return (
        select(PaymentInstalment)
        .join(
            first,
            (first.c.booking_id == PaymentInstalment.booking_id)
            & (first.c.seq == PaymentInstalment.sequence),
        )
        .order_by(PaymentInstalment.due_on, PaymentInstalment.id)
    )


def _booking_due(instalment: PaymentInstalment) -> PaymentDue:
    booking = instalment.booking
    _next, amount = next_payment(scheduled_payments(booking.id), paid_minor(booking.id))
    monthly = booking.payment_plan == "monthly"
    reference = (
        instalment_reference(booking.id, instalment.sequence)
        if monthly
        else payment_reference(booking.id)
    )
    return PaymentDue(
        reference, booking.tenant.name, Money(amount, booking.currency), instalment.due_on,
        booking_id=booking.id,
    )  # fmt: skip


def _transfer_due(transfer: Transfer) -> PaymentDue:
    # the taker pays before the effective day, when an unpaid transfer lapses
    return PaymentDue(
        transfer_reference(transfer.id), transfer.taker.name, transfer.price,
        transfer.effective_date - timedelta(days=1), transfer_id=transfer.id,
    )  # fmt: skip


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def payments_awaiting_money(actor: User, today: date, page: int, per_page: int) -> Page[PaymentDue]:
    """Bookings' next instalments and transfers' prices that wait for the payer's money,
    soonest due first, a page at a time (for operators matching bank statements)."""
    require_operator(actor)
    check_page(page, per_page, 100)
    instalments, transfers = _first_unpaid_instalments(), payable_transfers(today)
    enough = page * per_page
    rows = heapq.merge(
        (_booking_due(i) for i in db.session.scalars(instalments.limit(enough))),
        (_transfer_due(t) for t in db.session.scalars(transfers.limit(enough))),
        key=lambda due: due.due_on,
    )
    shown = list(rows)[(page - 1) * per_page : enough]
    return Page(shown, page, per_page, _count(instalments) + _count(transfers))
