"""The escrow side of a transfer: the taker's payment of the asking price and, once it is in,
the completion. The lease is split at the effective day under the listing's lock, in one
transaction: the original lease ends the day before, the taker's lease (and the tenant's
continuation of the units it keeps) begin on it, the releases due from that day follow the
days they pay for, and the tenant is owed the price less the platform's fee. Every movement
of money is a balanced ledger posting with its own idempotency key."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app

from ..accounts.models import User
from ..audit.services import record
from ..blacklist.guards import require_not_blacklisted
from ..bookings import capacity
from ..bookings.commands import shorten_lease
from ..bookings.models import Booking, BookingEvent
from ..bookings.rules import BookingState
from ..errors import Conflict, InvalidInput
from ..escrow.bank_receipts import (
    ReceiptData,
    add_receipt,
    check_received_on,
    earlier_receipt,
    receipt_facts,
)
from ..escrow.cards import cancel_unconfirmed
from ..escrow.models import BankReceipt, PaymentInstalment, ReleaseInstalment
from ..escrow.refunds import owe_refund
from ..escrow.releases import booking_releases, wait_for_check_in
from ..escrow.rules import BANK_GATEWAY, release_schedule
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.services import Leg
from ..money import require_currency
from ..permissions import require_operator
from ..shipments.stock import hand_stock_on
from ..unit_of_work import use_case
from ..validation import require_int
from .commands import (
    MAX_PRICE_MINOR,
    check_not_lapsed,
    check_transferable,
    lock_transfer,
    unfinished_card_payments,
)
from .models import Transfer
from .rules import (
    TRANSFER_MACHINE,
    TransferState,
    payable_state,
    split_escrow,
    split_price,
    transfer_id_of,
)
from .signals import transfer_completed

GOODS = (
    "unit_length_cm", "unit_width_cm", "unit_height_cm", "unit_weight_kg",
    "temperature_min_c", "temperature_max_c", "hazmat_class", "category", "sku_count",
)  # fmt: skip


def _transfer_of_reference(reference: str) -> Transfer:
    transfer_id = transfer_id_of(reference)
    if transfer_id is None or db.session.get(Transfer, transfer_id) is None:
        raise InvalidInput(
            f"{reference!r} is not the payment reference of any transfer.",
            {"reference": "Not a transfer's payment reference (WT followed by nine digits)."},
        )
    return lock_transfer(transfer_id)


def check_payable(transfer: Transfer, today: date) -> None:
    wanted = payable_state(transfer.consent_required)
    if transfer.state != wanted:
        waiting = (
            " It waits for the owner's approval."
            if transfer.state == TransferState.REQUESTED
            else ""
        )
        raise Conflict(
            f"Transfer {transfer.id} is {transfer.state}; it takes the taker's payment once"
            f" {wanted.replace('_', ' ')}.{waiting} Send the money back to its sender."
        )
    check_not_lapsed(transfer, today)


def _checked_receipt(data: ReceiptData, transfer: Transfer, today: date) -> int:
    amount = require_int(data.amount_minor, "amount", minimum=1, maximum=MAX_PRICE_MINOR)
    if require_currency(data.currency) != transfer.currency:
        raise InvalidInput(
            f"Transfer {transfer.id} is priced in {transfer.currency}.",
            {"currency": f"Must be {transfer.currency}."},
        )
    check_received_on(data.received_on, today)
    check_payable(transfer, today)
    if amount != transfer.price_minor:
        # the price is paid in one go: a part payment would leave money in escrow for a
        # transfer that may never complete
        raise Conflict(
            f"Transfer {transfer.id} is paid with exactly {transfer.price} in one transfer;"
            " send this one back to its sender.",
            {"amount": f"Must be {transfer.price}."},
        )
    return amount


@use_case
def record_transfer_receipt(
    actor: User, data: ReceiptData, now: datetime, today: date
) -> BankReceipt:
    """An operator saw the taker's transfer of the asking price arrive: it goes into the
    taker's escrow, and the transfer completes at once. The same transfer entered again
    changes nothing and answers the receipt recorded before."""
    require_operator(actor)
    transfer = _transfer_of_reference(data.reference)
    earlier = earlier_receipt(data, transfer_id=transfer.id)
    if earlier is not None:
        return earlier
    amount = _checked_receipt(data, transfer, today)
    bank_reference = data.bank_reference
    posting = price_into_escrow(
        transfer, BANK_GATEWAY, amount, f"transfer-receipt:{bank_reference}",
        f"Bank transfer {bank_reference} for transfer {transfer.id}", actor,
    )  # fmt: skip
    receipt = BankReceipt(
        transfer=transfer,
        amount_minor=amount,
        currency=transfer.currency,
        received_on=data.received_on,
        bank_reference=bank_reference,
        recorded_by_id=actor.id,
        transaction_id=posting.id,
    )
    add_receipt(receipt)
    complete_transfer(transfer, actor, now, today)
    record(actor, "receipt.record", "transfer", transfer.id, None, receipt_facts(receipt), now)
    db.session.commit()
    return receipt


def price_into_escrow(
    transfer: Transfer, gateway: str, amount: int, key: str, memo: str, actor: User | None
):
    """The taker's money came in through `gateway`: it waits in the taker's escrow, on the
    lease handed on, for the transfer to complete (or to go back)."""
    currency, booking_id = transfer.currency, transfer.booking_id
    return ledger.post(
        key,
        "transfer_payment",
        [
            Leg(ledger.clearing(gateway, currency), -amount),
            Leg(ledger.escrow(transfer.taker_id, currency), amount, booking_id),
        ],
        booking_id=booking_id,
        memo=memo,
        actor_id=actor.id if actor else None,
    )


def complete_transfer(transfer: Transfer, actor: User | None, now: datetime, today: date):
    """The price is in: split the lease at the effective day (a step of the payment's use
    case; the caller holds the listing, lease and transfer locks)."""
    booking, effective = transfer.booking, transfer.effective_date
    check_still_fits(transfer, booking, today)
    moving = [
        release
        for release in booking_releases(booking.id)
        if release.released_at is None and release.due_on >= effective
    ]
    value = sum(release.amount_minor for release in moving)
    kept_units = booking.quantity - transfer.quantity
    to_taker, to_tenant = split_escrow(value, transfer.quantity, kept_units)
    last_day = booking.end_date
    shorten_lease(
        booking, effective - timedelta(days=1), actor, now,
        f"The days from {effective} on were handed on by transfer #{transfer.id}",
    )  # fmt: skip
    for release in moving:
        db.session.delete(release)
    db.session.flush()
    taker_goods = {name: getattr(transfer, name) for name in GOODS}
    transfer.new_booking = _new_lease(
        transfer, transfer.taker_id, transfer.requested_by_id, transfer.quantity, last_day,
        to_taker, taker_goods, actor, now,
    )  # fmt: skip
    if kept_units:
        kept_goods = {name: getattr(booking, name) for name in GOODS}
        transfer.continuation = _new_lease(
            transfer, booking.tenant_id, transfer.offered_by_id, kept_units, last_day,
            to_tenant, kept_goods, actor, now,
        )  # fmt: skip
        db.session.flush()
        hand_stock_on(booking, transfer.continuation)
    db.session.flush()
    _pay_the_tenant(transfer, booking, now)
    _move_escrow(transfer, booking, value)
    TRANSFER_MACHINE.move(transfer, TransferState.COMPLETED)
    transfer.closed_at = now
    transfer.escrow_moved_minor = value
    cancel_unconfirmed(unfinished_card_payments(transfer.id))  # the price is paid
    transfer_completed.send(transfer, now=now)


def check_still_fits(transfer: Transfer, booking: Booking, today: date) -> None:
    """What was offered must still be there: the lease may have changed since the offer."""
    check_transferable(booking)
    if transfer.effective_date > booking.end_date or transfer.quantity > booking.quantity:
        raise Conflict(
            f"Lease #{booking.id} now runs to {booking.end_date} with {booking.quantity} units;"
            " the offer no longer fits it."
        )
    require_not_blacklisted(transfer.taker_id, today, whose="The taker's")
    require_not_blacklisted(transfer.tenant_id, today, whose="The offering tenant's")


def _new_lease(
    transfer: Transfer, tenant_id: int, user_id: int, quantity: int, last_day: date,
    rent: int, goods: dict, actor: User | None, now: datetime,
) -> Booking:  # fmt: skip
    """A confirmed lease from the effective day to the original last day, paid by the escrow
    that follows it (`rent`, released to the owner on a schedule over its own months)."""
    original, start = transfer.booking, transfer.effective_date
    lease = Booking(
        listing=original.listing, tenant_id=tenant_id, requested_by_id=user_id,
        quantity=quantity, start_date=start, end_date=last_day, state=BookingState.CONFIRMED,
        holds_capacity=True, currency=original.currency, subtotal_minor=rent,
        commission_minor=0, guarantee_fee_minor=0, total_minor=rent, payment_plan="upfront",
        transferred_from_id=original.id, **goods,
    )  # fmt: skip
    lease.events.append(
        BookingEvent(
            from_state=None, to_state=BookingState.CONFIRMED, actor=actor, at=now,
            reason=_origin(transfer, tenant_id, quantity),
        )
    )  # fmt: skip
    db.session.add(lease)
    capacity.hold(original.listing, start, last_day, quantity)
    if rent:
        _paid_by_transfer(lease, rent, now)
        if tenant_id == transfer.taker_id and original.listing.first_release == "check_in":
            wait_for_check_in(lease)  # the taker's goods have yet to come in
    return lease


def _origin(transfer: Transfer, tenant_id: int, quantity: int) -> str:
    """How a lease made by the split began: taken over by the taker, or kept by the tenant."""
    original = transfer.booking_id
    if tenant_id == transfer.taker_id:
        return f"Taken over from lease #{original} by transfer #{transfer.id}"
    return (
        f"The {quantity} units of lease #{original} kept when transfer #{transfer.id} handed"
        f" {transfer.quantity} on"
    )


def _paid_by_transfer(lease: Booking, rent: int, now: datetime) -> None:
    """Its one instalment is paid by the escrow that followed it; its releases are the
    lease's own months."""
    db.session.add(
        PaymentInstalment(
            booking=lease, sequence=1, due_on=lease.start_date, amount_minor=rent,
            rent_minor=rent, commission_minor=0, guarantee_fee_minor=0,
            currency=lease.currency, paid_at=now,
        )
    )  # fmt: skip
    for instalment in release_schedule(rent, lease.start_date, lease.end_date):
        db.session.add(
            ReleaseInstalment(
                booking=lease,
                sequence=instalment.sequence,
                due_on=instalment.due_on,
                amount_minor=instalment.amount_minor,
                currency=lease.currency,
            )
        )


def _pay_the_tenant(transfer: Transfer, booking: Booking, now: datetime) -> None:
    """The taker's price leaves its escrow: the platform's fee, and the rest owed to the
    tenant, who is sent it as a refund."""
    to_tenant, fee = split_price(transfer.price_minor, current_app.config["TRANSFER_FEE_BP"])
    currency = transfer.currency
    legs = [
        Leg(ledger.escrow(transfer.taker_id, currency), -transfer.price_minor, booking.id),
        Leg(ledger.fees(currency), fee, booking.id),
        Leg(ledger.escrow(transfer.tenant_id, currency), to_tenant, booking.id),
    ]
    ledger.post(
        f"transfer-price:{transfer.id}",
        "transfer_price",
        [leg for leg in legs if leg.amount_minor],
        booking_id=booking.id,
        memo=f"Price of transfer {transfer.id}: the platform's fee, the rest to the tenant",
    )
    transfer.fee_minor = fee
    if to_tenant:
        owe_refund(booking, to_tenant, f"Price of transfer #{transfer.id}, less the fee", now)


def _move_escrow(transfer: Transfer, booking: Booking, value: int) -> None:
    """The escrow of the releases that moved leaves the original lease for the new ones."""
    if not value:
        return
    currency = transfer.currency
    legs = [Leg(ledger.escrow(booking.tenant_id, currency), -value, booking.id)]
    for lease in (transfer.new_booking, transfer.continuation):
        if lease is not None and lease.subtotal_minor:
            legs.append(Leg(ledger.escrow(lease.tenant_id, currency), lease.subtotal_minor,
                            lease.id))  # fmt: skip
    ledger.post(
        f"transfer-escrow:{transfer.id}",
        "escrow_transfer",
        legs,
        booking_id=booking.id,
        memo=f"Escrow of the days from {transfer.effective_date} follows transfer {transfer.id}",
    )
