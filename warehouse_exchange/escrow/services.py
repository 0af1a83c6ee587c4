"""Use cases of escrow: take payments in, split off the fees, release the owner's share on
schedule, and give back what the tenant paid too much. Every movement is a ledger posting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, literal, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Organization, User
from ..adapters.payments import GatewayError, PaymentGateway
from ..audit.services import record
from ..bookings.commands import confirm_payment, lock_booking
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..bookings.signals import booking_cancelled, booking_expired, booking_moved
from ..disputes.models import Dispute
from ..disputes.rules import UNRESOLVED_STATES
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from ..ledger.services import Leg
from ..listings.models import Listing
from ..listings.rules import CANCELLATION_POLICIES
from ..money import MAX_AMOUNT_MINOR, Money, allocate, require_currency
from ..pagination import Page, paginate
from ..permissions import require_operator, require_user
from ..shipments.signals import goods_checked_in
from ..unit_of_work import locked_row, use_case
from ..validation import require_int, require_text
from ..warehouses.models import Warehouse
from ..work_items import item_failed
from .models import (
    BankReceipt,
    CardPayment,
    ConnectedAccount,
    GatewayEvent,
    PaymentInstalment,
    Refund,
    ReleaseInstalment,
)
from .rules import (
    booking_id_of,
    payment_due_dates,
    payment_parts,
    payment_reference,
    release_schedule,
)
from .signals import instalment_covered, instalment_released, refund_due

GATEWAY = "bank"
#: the card gateway, whose connected accounts receive releases
CARD_GATEWAY = "stripe"
#: states in which a booking's escrow is released to its owner
RELEASING_STATES = ("active", "completed")
#: states in which a booking takes payments (while some of its total is still to pay)
PAYABLE_STATES = ("accepted", "confirmed", "active", "completed")
#: states of a paid lease whose missed instalments the guarantee reserve covers
COVERED_STATES = ("confirmed", "active", "completed")


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
            Leg(ledger.clearing(GATEWAY, currency), -amount),
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


#: postings that pay into a booking's escrow: a payment, or the escrow that followed the days
#: a transfer handed on (only its legs into a booking count: the lease it left stays paid)
PAID_IN_KINDS = ("payment", "escrow_transfer")


def paid_minor(booking_id: int) -> int:
    """Everything paid into escrow for the booking, by any gateway (the ledger says)."""
    paid = db.session.scalar(
        select(func.sum(LedgerEntry.amount_minor))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerEntry.booking_id == booking_id,
            LedgerTransaction.kind.in_(PAID_IN_KINDS),
            LedgerAccount.kind == "tenant_escrow",
            LedgerEntry.amount_minor > 0,
        )
    )
    return int(paid or 0)


def scheduled_payments(booking_id: int) -> list[PaymentInstalment]:
    """The booking's payment instalments in order (none before it is accepted)."""
    return list(
        db.session.scalars(
            select(PaymentInstalment)
            .where(PaymentInstalment.booking_id == booking_id)
            .order_by(PaymentInstalment.sequence)
        )
    )


def next_payment(
    instalments: list[PaymentInstalment], paid: int
) -> tuple[PaymentInstalment | None, int]:
    """The first instalment not yet paid, and what is still to pay to pay it (money paid
    beyond the instalments before it counts towards it)."""
    owed = 0
    for instalment in _owed(instalments):
        owed += instalment.amount_minor
        if instalment.paid_at is None:
            return instalment, max(0, owed - paid)
    return None, 0


def _owed(instalments: list[PaymentInstalment]) -> list[PaymentInstalment]:
    return [instalment for instalment in instalments if instalment.cancelled_at is None]


def owed_minor(booking: Booking) -> int:
    """What the tenant pays in all: the total, less the months of a lease ended early."""
    instalments = scheduled_payments(booking.id)
    if not instalments:
        return booking.total_minor
    return sum(instalment.amount_minor for instalment in _owed(instalments))


def amount_to_pay(booking: Booking) -> Money:
    """What the tenant pays next: the rest of the first instalment not yet paid (all that is
    outstanding, when the booking is paid up front)."""
    paid = paid_minor(booking.id)
    instalments = scheduled_payments(booking.id)
    if instalments:
        _instalment, due = next_payment(instalments, paid)
    else:
        due = max(0, booking.total_minor - paid)
    return Money(due, booking.currency)


def payment_instalments(booking: Booking) -> list[PaymentInstalment]:
    """The booking's payment schedule, in order; made at acceptance (or on first use, for a
    booking accepted before payment plans existed). An upfront booking has one instalment."""
    made = scheduled_payments(booking.id)
    if made or booking.total_minor == 0:  # a transferred lease whose rent was all released
        return made
    parts = payment_parts(
        booking.subtotal_minor,
        booking.commission_minor,
        booking.guarantee_fee_minor,
        booking.start_date,
        booking.end_date,
        monthly=booking.payment_plan == "monthly",
    )
    first_due = booking.expires_at.date() if booking.expires_at else booking.start_date
    due = payment_due_dates(parts, first_due, current_app.config["PAYMENT_DUE_DAYS_BEFORE"])
    made = [
        PaymentInstalment(
            booking=booking,
            sequence=part.sequence,
            due_on=due_on,
            amount_minor=part.amount_minor,
            rent_minor=part.rent_minor,
            commission_minor=part.commission_minor,
            guarantee_fee_minor=part.guarantee_fee_minor,
            currency=booking.currency,
        )
        for part, due_on in zip(parts, due, strict=True)
    ]
    db.session.add_all(made)
    db.session.flush()
    return made


@booking_moved.connect
def schedule_payments(booking: Booking, *, to_state: str, **_kw) -> None:
    """An accepted booking gets its payment schedule, due from its payment deadline on."""
    if to_state == "accepted":
        if booking.id is None:
            db.session.flush()
        payment_instalments(booking)


def apply_payment(booking: Booking, actor: User | None, now: datetime) -> None:
    """Money just paid into the booking's escrow (by bank or by card) pays its instalments
    in order. Each instalment paid in full has its share of the commission and guarantee fee
    split off (and, if the guarantee reserve had covered it, pays the reserve back); the
    first one confirms the booking and schedules the releases; anything paid beyond the
    whole total is owed back."""
    paid = paid_minor(booking.id)
    owed = 0
    instalments = payment_instalments(booking)
    for instalment in _owed(instalments):
        owed += instalment.amount_minor
        if instalment.paid_at is None and paid >= owed:
            instalment.paid_at = now
            _split_fees(booking, instalment)
            if instalment.covered_at is not None:
                _repay_reserve(booking, instalment)
    if booking.state == "accepted" and instalments[0].paid_at is not None:
        _confirm(booking, actor, now)
    excess = paid - owed  # the loop summed every instalment still owed
    if excess > 0:
        currency = booking.currency
        owe_refund(booking, excess, f"Paid {Money(excess, currency)} more than the total", now)


def fee_legs(booking: Booking, commission: int, fee: int) -> list[Leg]:
    """The legs that move a commission and a guarantee fee out of the tenant's escrow into the
    platform's fees and the reserve (negative amounts move them back); none when both are 0."""
    currency = booking.currency
    legs = [
        Leg(ledger.fees(currency), commission, booking.id),
        Leg(ledger.reserve(currency), fee, booking.id),
        Leg(ledger.escrow(booking.tenant_id, currency), -(commission + fee), booking.id),
    ]
    legs = [leg for leg in legs if leg.amount_minor]
    return legs if len(legs) > 1 else []


def _split_fees(booking: Booking, instalment: PaymentInstalment) -> None:
    legs = fee_legs(booking, instalment.commission_minor, instalment.guarantee_fee_minor)
    if legs:
        ledger.post(
            f"fees:{booking.id}:{instalment.sequence}",
            "fees",
            legs,
            booking_id=booking.id,
            memo=f"Commission and guarantee fee of instalment {instalment.sequence}",
        )


def _repay_reserve(booking: Booking, instalment: PaymentInstalment) -> None:
    """The tenant paid late an instalment the reserve had covered: the rent goes back."""
    if instalment.rent_minor:
        ledger.post(
            f"cover-repaid:{instalment.id}",
            "cover_repaid",
            [
                Leg(ledger.escrow(booking.tenant_id, booking.currency), -instalment.rent_minor,
                    booking.id),
                Leg(ledger.reserve(booking.currency), instalment.rent_minor, booking.id),
            ],
            booking_id=booking.id,
            memo=f"Instalment {instalment.sequence} paid late: the guarantee reserve is repaid",
        )  # fmt: skip


def _confirm(booking: Booking, actor: User | None, now: datetime) -> None:
    confirm_payment(booking, actor, now)
    schedule = release_schedule(booking.subtotal_minor, booking.start_date, booking.end_date)
    for instalment in schedule:
        db.session.add(
            ReleaseInstalment(
                booking=booking,
                sequence=instalment.sequence,
                due_on=instalment.due_on,
                amount_minor=instalment.amount_minor,
                currency=booking.currency,
            )
        )
    if booking.listing.first_release == "check_in":
        wait_for_check_in(booking)


def wait_for_check_in(booking: Booking) -> None:
    """The first release waits for the goods, up to RELEASE_CHECK_IN_WAIT_DAYS after the
    first day (never after the instalment that follows it)."""
    db.session.flush()
    first, *rest = booking_releases(booking.id)
    latest = booking.start_date + timedelta(days=current_app.config["RELEASE_CHECK_IN_WAIT_DAYS"])
    first.due_on = min([latest, *(following.due_on for following in rest[:1])])
    first.awaits_check_in = True


@goods_checked_in.connect
def release_at_check_in(booking: Booking, *, at: datetime, **_kw) -> None:
    """The goods are in: the first release waiting for them is due (not before day one)."""
    first = db.session.scalar(
        select(ReleaseInstalment).where(
            ReleaseInstalment.booking_id == booking.id,
            ReleaseInstalment.awaits_check_in.is_(True),
            ReleaseInstalment.released_at.is_(None),
        )
    )
    if first is not None:
        first.due_on = min(first.due_on, max(booking.start_date, at.date()))
        first.awaits_check_in = False


def booking_releases(booking_id: int) -> list[ReleaseInstalment]:
    return list(
        db.session.scalars(
            select(ReleaseInstalment)
            .where(ReleaseInstalment.booking_id == booking_id)
            .order_by(ReleaseInstalment.sequence)
        )
    )


def fees_split(booking: Booking) -> tuple[int, int]:
    """The commission and guarantee fee split off so far: those of the paid instalments."""
    instalments = scheduled_payments(booking.id)
    if not instalments and ledger.posted(f"fees:{booking.id}") is not None:
        # paid before payment plans existed: all of them at once, under the old key
        return booking.commission_minor, booking.guarantee_fee_minor
    paid = [i for i in instalments if i.paid_at is not None]
    return sum(i.commission_minor for i in paid), sum(i.guarantee_fee_minor for i in paid)


def _return_fees(booking: Booking) -> None:
    commission, fee = fees_split(booking)
    legs = fee_legs(booking, -commission, -fee)
    if legs:
        ledger.post(
            f"fees-returned:{booking.id}",
            "fee_return",
            legs,
            booking_id=booking.id,
            memo="The owner cancelled: commission and guarantee fee go back to the tenant",
        )


@booking_cancelled.connect
@booking_expired.connect
def refund_cancelled_booking(booking: Booking, *, now: datetime, by_owner: bool = False, **_kw):
    """What escrow holds for a cancelled or lapsed booking is owed back to the tenant, except
    that a tenant cancelling a paid lease leaves the owner the rent its listing's policy keeps.
    An owner cancelling a paid lease returns the fees too, and owes the guarantee reserve a
    penalty, taken from the owner's next releases."""
    instalments = scheduled_payments(booking.id)
    paid_rent = sum(i.rent_minor for i in instalments if i.paid_at is not None)
    if not instalments:  # paid before payment plans existed, if at all: up front
        paid_rent = booking.subtotal_minor
    confirmed = any(event.to_state == "confirmed" for event in booking.events)
    if confirmed and by_owner:
        _return_fees(booking)
        _charge_owner_penalty(booking)
    elif confirmed and booking.state == "cancelled":
        # a dispute decided before the cancellation already split the rent escrow held
        rent_held = min(paid_rent, unowed_escrow_minor(booking))
        _leave_owner_the_kept_rent(booking, rent_held, now.date())
    remaining = unowed_escrow_minor(booking)
    if remaining > 0:
        owe_refund(booking, remaining, _refund_reason(booking, by_owner), now)


def _leave_owner_the_kept_rent(booking: Booking, rent_held: int, cancelled_on: date) -> None:
    """The policy's share of the rent paid so far and still held in escrow (all of it up
    front; the instalments paid of a monthly lease) stays with the owner."""
    policy = CANCELLATION_POLICIES[booking.listing.cancellation_policy]
    refund_bp = policy.refund_bp(cancelled_on, booking.start_date)
    _refunded, kept = allocate(rent_held, [refund_bp, 10_000 - refund_bp])
    if kept:
        ledger.post(
            f"cancellation-kept:{booking.id}",
            "compensation",
            to_owner(booking, kept),
            booking_id=booking.id,
            memo=f"Rent kept under the {booking.listing.cancellation_policy} policy",
        )


def _charge_owner_penalty(booking: Booking) -> None:
    rate_bp = current_app.config["OWNER_CANCELLATION_PENALTY_BP"]
    penalty, _rest = allocate(booking.subtotal_minor, [rate_bp, 10_000 - rate_bp])
    if penalty:
        ledger.post(
            f"owner-penalty:{booking.id}",
            "penalty",
            [
                Leg(ledger.payable(booking.owner_id, booking.currency), -penalty, booking.id),
                Leg(ledger.reserve(booking.currency), penalty, booking.id),
            ],
            booking_id=booking.id,
            memo="The owner cancelled a paid lease: penalty into the guarantee reserve",
        )


def owe_refund(
    booking: Booking,
    amount_minor: int,
    reason: str,
    now: datetime,
    taker_of=None,
    card_payment: CardPayment | None = None,
) -> Refund:
    """Money escrow holds is owed back to the tenant (or, `taker_of` a transfer, to the taker
    who paid its price; to the `card_payment` it came by, when it is exactly that money); an
    operator sends it."""
    refund = Refund(
        booking=booking,
        payee_id=taker_of.taker_id if taker_of is not None else booking.tenant_id,
        transfer_id=taker_of.id if taker_of is not None else None,
        card_payment=card_payment,
        amount_minor=amount_minor,
        currency=booking.currency,
        reason=reason,
    )
    db.session.add(refund)
    db.session.flush()
    refund_due.send(refund, now=now)
    return refund


def refunds_owed_minor(booking: Booking) -> int:
    """What the booking's tenant is owed back and not yet sent: money its escrow holds that
    is no longer the booking's."""
    owed = db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.booking_id == booking.id,
            Refund.payee_id == booking.tenant_id,
            Refund.state == "due",
        )
    )
    return int(owed)


def unowed_escrow_minor(booking: Booking) -> int:
    """What escrow holds for the booking less the refunds already owed from it: the most
    that any other movement may take out of it."""
    held = ledger.balance(ledger.escrow(booking.tenant_id, booking.currency), booking.id)
    return held.amount_minor - refunds_owed_minor(booking)


def _refund_reason(booking: Booking, by_owner: bool) -> str:
    if booking.state == "expired":
        return "Booking not paid in full in time"
    return f"Booking cancelled by {'the owner' if by_owner else 'the tenant'}"


@use_case
def send_refund(actor: User, refund_id: int, bank_reference: str, now: datetime) -> Refund:
    """An operator sent a refund that was due: the money leaves escrow for the tenant."""
    require_operator(actor)
    refund = due_refund(refund_id)
    reference = require_text(bank_reference, "bank_reference", 80)
    if db.session.scalar(select(Refund.id).where(Refund.bank_reference == reference)):
        raise Conflict(f"Bank transfer {reference} is already recorded for another refund.")
    before = {
        "state": refund.state,
        "amount_minor": refund.amount_minor,
        "currency": refund.currency,
    }
    mark_refund_sent(refund, GATEWAY, reference, actor, now)
    after = {**before, "state": refund.state, "bank_reference": reference}
    record(actor, "refund.sent", "refund", refund.id, before, after, now)
    db.session.commit()
    return refund


def due_refund(refund_id: int) -> Refund:
    """The refund, locked, as long as it is still to be sent."""
    refund = locked_row(select(Refund).where(Refund.id == refund_id))
    if refund is None:
        raise NotFound("There is no such refund.")
    if refund.state != "due":
        raise Conflict(f"Refund {refund.id} was already sent on {refund.sent_at:%Y-%m-%d}.")
    return refund


def mark_refund_sent(refund: Refund, gateway: str, reference: str, actor: User, now) -> None:
    """The refund left escrow for the tenant through `gateway`, as `reference` says."""
    booking = refund.booking
    posting = ledger.post(
        f"refund:{refund.id}",
        "refund",
        [
            Leg(ledger.escrow(refund.payee_id, refund.currency), -refund.amount_minor, booking.id),
            Leg(ledger.clearing(gateway, refund.currency), refund.amount_minor),
        ],
        booking_id=booking.id,
        memo=f"Refund {refund.id} ({gateway}): {refund.reason}",
        actor_id=actor.id,
    )
    refund.state, refund.sent_at, refund.gateway = "sent", now, gateway
    refund.bank_reference, refund.transaction_id = reference, posting.id


def _claim_instalment(instalment_id: int) -> ReleaseInstalment | None:
    """The instalment, locked, if it is still unreleased and no other runner holds it."""
    statement = select(ReleaseInstalment).where(
        ReleaseInstalment.id == instalment_id, ReleaseInstalment.released_at.is_(None)
    )
    return locked_row(statement, skip_locked=True)


def to_owner(booking: Booking, amount_minor: int) -> list[Leg]:
    """The legs that move `amount_minor` of the booking's escrow to its owner's balance."""
    currency = booking.currency
    return [
        Leg(ledger.escrow(booking.tenant_id, currency), -amount_minor, booking.id),
        Leg(ledger.payable(booking.owner_id, currency), amount_minor, booking.id),
    ]


def _release(instalment: ReleaseInstalment, now: datetime) -> None:
    booking = instalment.booking
    posting = ledger.post(
        f"release:{instalment.id}",
        "release",
        to_owner(booking, instalment.amount_minor),
        booking_id=booking.id,
        memo=f"Instalment {instalment.sequence} of booking {booking.id}",
    )
    instalment.released_at, instalment.transaction_id = now, posting.id
    instalment_released.send(instalment, now=now)


def _transfer_to_owner(instalment: ReleaseInstalment, gateway: PaymentGateway) -> None:
    """Send a released instalment of a card-paid lease on to the owner's connected account,
    less what the owner owes (a cancellation penalty leaves the payable balance negative).
    Without an account, for a lease paid by bank, or when the gateway refuses, the money
    stays in the owner's released balance for a payout, and the release stands."""
    booking = instalment.booking
    owner = booking.owner_id
    account = db.session.get(ConnectedAccount, (owner, CARD_GATEWAY))
    payment = db.session.scalar(
        select(CardPayment).where(
            CardPayment.booking_id == booking.id,
            CardPayment.status == "succeeded",
            CardPayment.charge_id.is_not(None),
        )
    )
    payable = ledger.payable(owner, instalment.currency)
    amount = min(instalment.amount_minor, ledger.balance(payable).amount_minor)
    if account is None or payment is None or amount <= 0:
        return
    try:
        transfer_id = gateway.release_to_owner(
            account.account_id,
            amount,
            instalment.currency,
            booking.id,
            payment.charge_id,
            idempotency_key=f"release-{instalment.id}",
        )
    except GatewayError:
        item_failed(f"Transfer of instalment {instalment.id}")
        return
    ledger.post(
        f"transfer:{instalment.id}",
        "payout",
        [Leg(payable, -amount), Leg(ledger.paid_out(owner, instalment.currency), amount)],
        booking_id=booking.id,
        memo=f"Transfer {transfer_id} of instalment {instalment.sequence} to the owner",
    )
    instalment.transfer_id, instalment.transferred_minor = transfer_id, amount


def run_due_releases(now: datetime, gateway: PaymentGateway | None = None) -> int:
    """Release every instalment that is due on a running or completed lease and whose month
    is paid (or covered by the guarantee reserve), each in its own transaction and exactly
    once, and with a card gateway send it on to the owner. Returns how many this runner
    released; one waiting for its month's payment, or frozen by an open dispute, is tried
    again on the next run."""
    unsettled_month = (
        select(PaymentInstalment.id)
        .where(
            PaymentInstalment.booking_id == ReleaseInstalment.booking_id,
            PaymentInstalment.sequence <= ReleaseInstalment.sequence,
            PaymentInstalment.outstanding(),
        )
        .exists()
    )
    disputed = (
        select(Dispute.id)
        .where(
            Dispute.booking_id == ReleaseInstalment.booking_id,
            Dispute.state.in_(UNRESOLVED_STATES),
        )
        .exists()
    )
    due = db.session.scalars(
        select(ReleaseInstalment.id)
        .join(Booking, Booking.id == ReleaseInstalment.booking_id)
        .where(
            ReleaseInstalment.released_at.is_(None),
            ReleaseInstalment.due_on <= now.date(),
            Booking.state.in_(RELEASING_STATES),
            ~unsettled_month,  # a month is released once it is paid, or covered
            ~disputed,  # an open dispute freezes the booking's escrow
        )
        .order_by(ReleaseInstalment.due_on, ReleaseInstalment.id)
    ).all()
    db.session.rollback()
    released = 0
    for instalment_id in due:
        try:
            instalment = _claim_instalment(instalment_id)
            if instalment is not None:
                _release(instalment, now)
                if gateway is not None:
                    _transfer_to_owner(instalment, gateway)
                released += 1
            db.session.commit()
        except Exception:  # one bad item must not stop the run; it is retried next time
            db.session.rollback()
            item_failed(f"Instalment {instalment_id}")
    return released


def _claim_missed(instalment_id: int) -> PaymentInstalment | None:
    """The payment instalment, locked, if it is still neither paid nor covered and no other
    runner holds it."""
    statement = select(PaymentInstalment).where(
        PaymentInstalment.id == instalment_id,
        PaymentInstalment.outstanding(),
    )
    return locked_row(statement, skip_locked=True)


class ReserveTooLow(Conflict):
    """The guarantee reserve holds less than a cover needs; it never goes below zero."""


def _cover(booking: Booking, instalment: PaymentInstalment, now: datetime) -> None:
    """The guarantee reserve pays the month's rent into the booking's escrow, so that the
    owner's release can go ahead; the tenant is in default and still owes the instalment.
    A reserve too low to pay it leaves the instalment for a later run (ReserveTooLow)."""
    if instalment.rent_minor:
        held = ledger.locked_balance(ledger.reserve(booking.currency))
        if held.amount_minor < instalment.rent_minor:
            raise ReserveTooLow(
                f"The guarantee reserve holds {held}; instalment {instalment.sequence} of"
                f" booking {booking.id} needs {instalment.rent}: it waits for more money."
            )
        posting = ledger.post(
            f"cover:{instalment.id}",
            "cover",
            [
                Leg(ledger.reserve(booking.currency), -instalment.rent_minor, booking.id),
                Leg(ledger.escrow(booking.tenant_id, booking.currency), instalment.rent_minor,
                    booking.id),
            ],
            booking_id=booking.id,
            memo=f"Instalment {instalment.sequence} missed: the guarantee reserve pays the rent",
        )  # fmt: skip
    else:  # nothing for the owner in it: only the record of the default
        posting = None
    instalment.covered_at = now
    instalment.cover_transaction_id = posting.id if posting else None
    if booking.defaulted_at is None:
        booking.defaulted_at = now
    instalment_covered.send(instalment, now=now)


def cover_missed_instalments(now: datetime) -> int:
    """Each instalment of a paid lease still unpaid PAYMENT_GRACE_DAYS after its due date is
    covered by the guarantee reserve, once, in its own transaction (several runners may run
    at once: each locks the booking, then claims the instalment with SKIP LOCKED if it is
    still neither paid nor covered). Returns how many this runner covered."""
    grace = timedelta(days=current_app.config["PAYMENT_GRACE_DAYS"])
    missed = db.session.execute(
        select(PaymentInstalment.id, PaymentInstalment.booking_id)
        .join(Booking, Booking.id == PaymentInstalment.booking_id)
        .where(
            PaymentInstalment.outstanding(),
            PaymentInstalment.due_on <= (now - grace).date(),
            Booking.state.in_(COVERED_STATES),
        )
        .order_by(PaymentInstalment.due_on, PaymentInstalment.id)
    ).all()
    db.session.rollback()
    covered = 0
    for instalment_id, booking_id in missed:
        try:
            # the booking first, as payments lock it: a payment and a cover of one booking
            # wait for each other, and the second sees what the first did
            booking = lock_booking(booking_id)
            claimable = booking is not None and booking.state in COVERED_STATES
            instalment = _claim_missed(instalment_id) if claimable else None
            if instalment is not None:
                _cover(booking, instalment, now)
                covered += 1
            db.session.commit()
        except ReserveTooLow as short:
            db.session.rollback()
            item_failed(short.message)
        except Exception:  # one bad item must not stop the run; it is retried next time
            db.session.rollback()
            item_failed(f"Payment instalment {instalment_id}")
    return covered


@dataclass(frozen=True)
class EscrowSummary:
    booking_id: int
    reference: str
    total: Money
    paid: Money
    outstanding: Money
    in_escrow: Money
    released: Money
    refunded: Money
    instalments: list[ReleaseInstalment]
    refunds: list[Refund]
    receipts: list[BankReceipt]
    card_payments: list[CardPayment]
    payment_plan: str = "upfront"
    #: what the tenant pays, by when: one instalment up front, or one per month
    payments: list[PaymentInstalment] = ()
    #: the first instalment not yet paid, and what pays it
    next_instalment: PaymentInstalment | None = None
    next_amount: Money | None = None
    #: the day the payment statuses are judged on
    as_of: date | None = None
    #: the decided dispute that settled what escrow still held, if any
    settled_by: Dispute | None = None

    @property
    def decline_message(self) -> str:
        """Why the newest card payment failed, while no later one is under way."""
        latest = self.card_payments[-1] if self.card_payments else None
        return latest.decline_message if latest and latest.status == "failed" else ""


def escrow_summary(actor: User, booking_id: int, today: date | None = None) -> EscrowSummary:
    """What was paid for a booking, what escrow still holds, and what went where."""
    booking = get_booking(actor, booking_id)
    currency = booking.currency
    balances = ledger.booking_balances(booking.id)
    paid = paid_minor(booking.id)
    refunds = list(
        db.session.scalars(
            select(Refund).where(
                Refund.booking_id == booking.id, Refund.payee_id == booking.tenant_id
            )
        )
    )
    payments = scheduled_payments(booking.id)
    upcoming, next_amount = next_payment(payments, paid)
    return EscrowSummary(
        settled_by=_settling_dispute(booking.id),
        payment_plan=booking.payment_plan,
        payments=payments,
        next_instalment=upcoming,
        next_amount=Money(next_amount, currency),
        as_of=today,
        booking_id=booking.id,
        reference=payment_reference(booking.id),
        total=booking.money(booking.total_minor),
        paid=Money(paid, currency),
        outstanding=Money(max(0, owed_minor(booking) - paid), currency),
        in_escrow=ledger.balance(ledger.escrow(booking.tenant_id, currency), booking.id),
        released=Money(
            balances.get("owner_payable", 0) + balances.get("owner_paid_out", 0), currency
        ),
        refunded=Money(sum(r.amount_minor for r in refunds if r.state == "sent"), currency),
        instalments=booking_releases(booking.id),
        refunds=refunds,
        receipts=list(
            db.session.scalars(
                select(BankReceipt)
                .where(BankReceipt.booking_id == booking.id)
                .order_by(BankReceipt.id)
            )
        ),
        card_payments=list(
            db.session.scalars(
                select(CardPayment)
                .where(CardPayment.booking_id == booking.id)
                .order_by(CardPayment.id)
            )
        ),
    )


def _settling_dispute(booking_id: int) -> Dispute | None:
    """The latest decided dispute on the booking: its decision split what escrow held."""
    return db.session.scalar(
        select(Dispute)
        .where(Dispute.booking_id == booking_id, Dispute.decided_at.is_not(None))
        .order_by(Dispute.decided_at.desc())
        .limit(1)
    )


def refunds_due(actor: User) -> list[Refund]:
    require_operator(actor)
    return list(db.session.scalars(select(Refund).where(Refund.state == "due").order_by(Refund.id)))


def recent_receipts(actor: User, limit: int = 20) -> list[BankReceipt]:
    require_operator(actor)
    return list(
        db.session.scalars(select(BankReceipt).order_by(BankReceipt.id.desc()).limit(limit))
    )


def platform_totals(actor: User) -> list[tuple[str, str, Money]]:
    """Every account kind summed per currency (gateway clearing per gateway)."""
    require_operator(actor)
    return ledger.platform_balances()


@dataclass(frozen=True)
class Earnings:
    currency: str
    pending: Money
    released: Money
    paid_out: Money


def _owned_bookings(organization_id: int):
    return (
        select(Booking.id)
        .join(Listing, Listing.id == Booking.listing_id)
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .where(Warehouse.organization_id == organization_id)
    )


def owner_earnings(actor: User) -> list[Earnings]:
    """Per currency: the owner's share still in escrow for paid leases, what was released to
    the owner, and what was paid out."""
    organization_id = require_user(actor).organization_id
    pending = dict(
        db.session.execute(
            select(ReleaseInstalment.currency, func.sum(ReleaseInstalment.amount_minor))
            .join(Booking, Booking.id == ReleaseInstalment.booking_id)
            .where(
                ReleaseInstalment.released_at.is_(None),
                ReleaseInstalment.booking_id.in_(_owned_bookings(organization_id)),
                Booking.state.in_(("confirmed", "active", "completed")),
            )
            .group_by(ReleaseInstalment.currency)
        ).all()
    )
    balances = {
        (kind, money.currency): money
        for kind, money in ledger.organization_balances(organization_id)
    }
    currencies = sorted(set(pending) | {currency for _, currency in balances})
    return [
        Earnings(
            currency,
            Money(int(pending.get(currency, 0)), currency),
            balances.get(("owner_payable", currency), Money(0, currency)),
            balances.get(("owner_paid_out", currency), Money(0, currency)),
        )
        for currency in currencies
        if pending.get(currency) or ("owner_payable", currency) in balances
    ]


def owner_instalments(actor: User, page: int, per_page: int) -> Page[ReleaseInstalment]:
    """The release schedule of every paid lease of the owner: what was released, then what
    is still to come, each by date."""
    organization_id = require_user(actor).organization_id
    query = (
        select(ReleaseInstalment)
        .where(ReleaseInstalment.booking_id.in_(_owned_bookings(organization_id)))
        .order_by(
            ReleaseInstalment.released_at.is_(None),
            ReleaseInstalment.due_on,
            ReleaseInstalment.id,
        )
    )
    return paginate(query, page, per_page)


@dataclass(frozen=True)
class PayoutDue:
    organization_id: int
    organization_name: str
    amount: Money


def payouts_due(actor: User) -> list[PayoutDue]:
    """Owners whose released earnings wait to be sent to them, per currency."""
    require_operator(actor)
    owed = db.session.execute(
        select(LedgerAccount.organization_id, Organization.name, LedgerAccount.currency,
               func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(Organization, Organization.id == LedgerAccount.organization_id)
        .where(LedgerAccount.kind == "owner_payable")
        .group_by(LedgerAccount.organization_id, Organization.name, LedgerAccount.currency)
        .having(func.sum(LedgerEntry.amount_minor) > 0)
        .order_by(Organization.name, LedgerAccount.currency)
    )  # fmt: skip
    return [
        PayoutDue(org, name, Money(int(total), currency)) for org, name, currency, total in owed
    ]


@use_case
def record_payout(
    actor: User, organization_id: int, currency: str, amount_minor: int, bank_reference: str
):
    """An operator sent an owner (part of) its released earnings by bank transfer."""
    require_operator(actor)
    currency = require_currency(currency)
    amount = require_int(amount_minor, "amount", minimum=1, maximum=MAX_AMOUNT_MINOR)
    reference = require_text(bank_reference, "bank_reference", 80)
    if db.session.get(Organization, organization_id) is None:
        raise NotFound("There is no such organization.")
    if ledger.posted(f"payout:{reference}") is not None:
        raise Conflict(f"Bank transfer {reference} is already recorded as a payout.")
    payable = ledger.payable(organization_id, currency)
    available = ledger.locked_balance(payable).amount_minor
    if amount > available:
        raise Conflict(
            f"Only {Money(max(available, 0), currency)} has been released to this owner."
        )
    posting = ledger.post(
        f"payout:{reference}",
        "payout",
        [Leg(payable, -amount), Leg(ledger.paid_out(organization_id, currency), amount)],
        memo=f"Bank transfer {reference} to the owner",
        actor_id=actor.id,
    )
    after = {"currency": currency, "amount_minor": amount, "bank_reference": reference}
    record(actor, "payout.record", "organization", organization_id, None, after, None)
    db.session.commit()
    return posting


def organization_statement(actor: User) -> list[ledger.StatementLine]:
    return ledger.statement(require_user(actor).organization_id)


def organization_balances(actor: User) -> list[tuple[str, Money]]:
    return ledger.organization_balances(require_user(actor).organization_id)


def payable_balance(organization_id: int, currency: str) -> Money:
    return ledger.balance(ledger.payable(organization_id, require_currency(currency)))


def unmatched_gateway_events(actor: User, limit: int = 50) -> list[GatewayEvent]:
    """Webhook events about payments the platform has no record of: for an operator to
    look into at the gateway."""
    require_operator(actor)
    return list(
        db.session.scalars(
            select(GatewayEvent)
            .where(GatewayEvent.outcome.like("ignored: no such payment%"))
            .order_by(GatewayEvent.received_at.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class ReconciliationLine:
    gateway: str
    movement: str
    recorded: Money
    ledger: Money

    @property
    def difference(self) -> Money:
        return self.recorded - self.ledger


def _clearing_flows(kind: str) -> dict[tuple[str, str], int]:
    """Per gateway and currency, what the ledger moved through gateway clearing in postings
    of `kind`, counted positive (money in for payments, money out for refunds)."""
    rows = db.session.execute(
        select(LedgerAccount.gateway, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.kind == "gateway_clearing", LedgerTransaction.kind == kind)
        .group_by(LedgerAccount.gateway, LedgerEntry.currency)
    )
    sign = -1 if kind in ("payment", "transfer_payment") else 1
    return {(gateway, currency): sign * int(total) for gateway, currency, total in rows}


def _transfers_booked() -> dict[tuple[str, str], int]:
    """Per currency, what the ledger paid out to owners by gateway transfer."""
    rows = db.session.execute(
        select(LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerAccount.kind == "owner_paid_out",
            LedgerTransaction.kind == "payout",
            LedgerTransaction.idempotency_key.startswith("transfer:"),
        )
        .group_by(LedgerEntry.currency)
    )
    return {(CARD_GATEWAY, currency): int(total) for currency, total in rows}


def _recorded(query) -> dict[tuple[str, str], int]:
    return {
        (gateway, currency): int(total) for gateway, currency, total in db.session.execute(query)
    }


def reconciliation(actor: User) -> list[ReconciliationLine]:
    """The gateways' own records (transfers entered from bank statements, card payments and
    refunds the gateway confirmed, transfers it made to owners) against what the ledger moved
    through each gateway. Any difference is money the books and the gateway disagree about."""
    require_operator(actor)
    lines = []
    for movement, recorded, booked in _movements():
        for gateway, currency in sorted(set(recorded) | set(booked)):
            lines.append(
                ReconciliationLine(
                    gateway,
                    movement,
                    Money(recorded.get((gateway, currency), 0), currency),
                    Money(booked.get((gateway, currency), 0), currency),
                )
            )
    return lines


def _movements():
    def summed(gateway, model, amount, *where):
        query = select(gateway, model.currency, func.sum(amount)).where(*where)
        return _recorded(query.group_by(model.currency))

    payments_in = summed(
        literal(GATEWAY), BankReceipt, BankReceipt.amount_minor, BankReceipt.booking_id.is_not(None)
    )
    payments_in |= summed(
        literal(CARD_GATEWAY), CardPayment, CardPayment.amount_minor,
        CardPayment.status == "succeeded", CardPayment.booking_id.is_not(None),
    )  # fmt: skip
    refunds_out = _recorded(
        select(Refund.gateway, Refund.currency, func.sum(Refund.amount_minor))
        .where(Refund.state == "sent")
        .group_by(Refund.gateway, Refund.currency)
    )
    to_owners = summed(
        literal(CARD_GATEWAY), ReleaseInstalment, ReleaseInstalment.transferred_minor,
        ReleaseInstalment.transfer_id.is_not(None),
    )  # fmt: skip
    prices_in = summed(
        literal(GATEWAY),
        BankReceipt,
        BankReceipt.amount_minor,
        BankReceipt.transfer_id.is_not(None),
    )
    prices_in |= summed(
        literal(CARD_GATEWAY), CardPayment, CardPayment.amount_minor,
        CardPayment.status == "succeeded", CardPayment.transfer_id.is_not(None),
    )  # fmt: skip
    return (
        ("payments in", payments_in, _clearing_flows("payment")),
        ("refunds out", refunds_out, _clearing_flows("refund")),
        ("transfers to owners", to_owners, _transfers_booked()),
        ("lease transfer prices in", prices_in, _clearing_flows("transfer_payment")),
    )
