"""The owner's share leaves escrow month by month: the release schedule, the daily run that
releases what is due (and sends it on to the owner's card-gateway account), and the guarantee
reserve's cover of a month its tenant did not pay, so that the owner's release goes ahead."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..adapters.payments import GatewayError, PaymentGateway
from ..bookings.commands import lock_booking
from ..bookings.models import Booking
from ..errors import Conflict
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.services import Leg
from ..unit_of_work import locked_row
from ..work_items import item_failed
from .hooks import escrow_frozen
from .models import CardPayment, ConnectedAccount, PaymentInstalment, ReleaseInstalment
from .rules import CARD_GATEWAY, release_schedule
from .signals import instalment_covered, instalment_released

#: states in which a booking's escrow is released to its owner
RELEASING_STATES = ("active", "completed")
#: states of a paid lease whose missed instalments the guarantee reserve covers
COVERED_STATES = ("confirmed", "active", "completed")


def schedule_releases(booking: Booking) -> None:
    """A booking just confirmed: the owner's share is released month by month from its first
    day (see release_schedule), the first release waiting for the goods where the listing
    says so."""
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


def end_check_in_wait(booking: Booking, at: datetime) -> None:
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


def to_owner(booking: Booking, amount_minor: int) -> list[Leg]:
    """The legs that move `amount_minor` of the booking's escrow to its owner's balance."""
    currency = booking.currency
    return [
        Leg(ledger.escrow(booking.tenant_id, currency), -amount_minor, booking.id),
        Leg(ledger.payable(booking.owner_id, currency), amount_minor, booking.id),
    ]


def _claim_instalment(instalment_id: int) -> ReleaseInstalment | None:
    """The instalment, locked, if it is still unreleased and no other runner holds it."""
    statement = select(ReleaseInstalment).where(
        ReleaseInstalment.id == instalment_id, ReleaseInstalment.released_at.is_(None)
    )
    return locked_row(statement, skip_locked=True)


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


def due_release_ids(today: date) -> list[int]:
    """The instalments due for release by `today` and not yet released: on a running or
    completed lease, with their month paid (or covered), and not frozen by an open dispute."""
    unsettled_month = (
        select(PaymentInstalment.id)
        .where(
            PaymentInstalment.booking_id == ReleaseInstalment.booking_id,
            PaymentInstalment.sequence <= ReleaseInstalment.sequence,
            PaymentInstalment.outstanding(),
        )
        .exists()
    )
    return db.session.scalars(
        select(ReleaseInstalment.id)
        .join(Booking, Booking.id == ReleaseInstalment.booking_id)
        .where(
            ReleaseInstalment.released_at.is_(None),
            ReleaseInstalment.due_on <= today,
            Booking.state.in_(RELEASING_STATES),
            ~unsettled_month,  # a month is released once it is paid, or covered
            ~escrow_frozen(ReleaseInstalment.booking_id),  # by an open dispute
        )
        .order_by(ReleaseInstalment.due_on, ReleaseInstalment.id)
    ).all()


def run_due_releases(now: datetime, gateway: PaymentGateway | None = None) -> int:
    """Release every instalment that is due on a running or completed lease and whose month
    is paid (or covered by the guarantee reserve), each in its own transaction and exactly
    once, and with a card gateway send it on to the owner. Returns how many this runner
    released; one waiting for its month's payment, or frozen by an open dispute, is tried
    again on the next run."""
    due = due_release_ids(now.date())
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
