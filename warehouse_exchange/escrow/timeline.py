"""A booking's escrow as a timeline: each payment into escrow, each monthly release to the
owner and each refund, placed on the days of the lease, with what the ledger says was
released and is still held. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import literal, select

from ..accounts.models import User
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..extensions import db
from ..ledger import services as ledger
from ..money import Money
from .hooks import escrow_frozen
from .models import PaymentInstalment, Refund, ReleaseInstalment
from .payments import scheduled_payments
from .releases import booking_releases

#: states in which a booking's unreleased instalments will never be released
ENDED_UNPAID = ("cancelled", "declined", "expired")
#: the lanes of the timeline, top to bottom
LANES = ("payment", "release", "refund")

#: what each status of a release says, in words
RELEASE_WORDS = {
    "released": "released",
    "due": "due: released on the next run",
    "upcoming": "scheduled",
    "waiting_for_payment": "waiting for its month's payment",
    "frozen": "frozen by an open dispute",
    "awaiting_check_in": "waiting for the goods to check in",
    "cancelled": "not released: cancelled",
}
PAYMENT_WORDS = {
    "paid": "paid",
    "due": "due",
    "overdue": "overdue",
    "covered": "covered by the guarantee reserve",
    "cancelled": "not owed: the lease ended early",
}
REFUND_WORDS = {"sent": "sent", "due": "due"}


@dataclass(frozen=True)
class Marker:
    lane: str
    day: date
    amount: Money
    status: str
    #: what it is, in words: "Release 2", "Payment 1", "Refund"
    title: str
    #: the status, in words
    words: str
    #: where it sits on the timeline, 0 to 100 (per cent of its width)
    position: float


@dataclass(frozen=True)
class EscrowTimeline:
    booking_id: int
    start: date
    end: date
    #: the first and the last day the timeline shows (payments may come before the lease)
    first_day: date
    last_day: date
    today: date
    markers: list[Marker]
    #: the owner's share: what the ledger released to the owner (monthly, or by a dispute's
    #: decision) and what the release schedule still releases
    owner_share: Money
    #: the ledger's: what left escrow for the owner, and what escrow still holds
    released: Money
    held: Money
    frozen: bool

    @property
    def released_percent(self) -> int:
        """The released part of the owner's share, in whole per cent (0 to 100)."""
        share = self.owner_share.amount_minor
        if share <= 0:
            return 0
        return max(0, min(100, self.released.amount_minor * 100 // share))

    @property
    def today_position(self) -> float | None:
        if not self.first_day <= self.today <= self.last_day:
            return None
        return _position(self.today, self.first_day, self.last_day)

    @property
    def start_position(self) -> float:
        return _position(self.start, self.first_day, self.last_day)

    @property
    def end_position(self) -> float:
        return _position(self.end + timedelta(days=1), self.first_day, self.last_day)

    @property
    def legend(self) -> list[tuple[str, str, str]]:
        """The kinds of marker this timeline shows, once each: (lane, status, words)."""
        seen = dict.fromkeys((m.lane, m.status, m.words) for m in self.markers)
        return sorted(seen, key=lambda key: LANES.index(key[0]))

    def lane(self, name: str) -> list[Marker]:
        return [marker for marker in self.markers if marker.lane == name]


def _position(day: date, first: date, last: date) -> float:
    span = max(1, (last - first).days)
    return round(100 * (day - first).days / span, 2)


def escrow_timeline(actor: User, booking_id: int, today: date) -> EscrowTimeline:
    """The booking's escrow, from its first payment to its last release, as of `today`."""
    booking = get_booking(actor, booking_id)
    frozen = bool(db.session.scalar(select(escrow_frozen(literal(booking.id)))))
    payments = scheduled_payments(booking.id)
    releases = booking_releases(booking.id)
    refunds = _tenant_refunds(booking)
    dated = [
        *(("payment", p, _payment_day(p), p.status(today)) for p in payments),
        *(
            ("release", r, _release_day(r), _release_status(booking, r, payments, today, frozen))
            for r in releases
        ),
        *(("refund", r, (r.sent_at or r.created_at).date(), r.state) for r in refunds),
    ]  # fmt: skip
    days = [booking.start_date, booking.end_date + timedelta(days=1), *(d for _, _, d, _ in dated)]
    first, last = min(days), max(days)
    balances = ledger.booking_balances(booking.id)
    currency = booking.currency
    released = balances.get("owner_payable", 0) + balances.get("owner_paid_out", 0)
    to_release = sum(
        r.amount_minor
        for r in releases
        if r.released_at is None and booking.state not in ENDED_UNPAID
    )
    return EscrowTimeline(
        booking_id=booking.id,
        start=booking.start_date,
        end=booking.end_date,
        first_day=first,
        last_day=last,
        today=today,
        markers=[_marker(lane, row, day, status, first, last) for lane, row, day, status in dated],
        owner_share=Money(released + to_release, currency),
        released=Money(released, currency),
        held=ledger.balance(ledger.escrow(booking.tenant_id, currency), booking.id),
        frozen=frozen,
    )


def _tenant_refunds(booking: Booking) -> list[Refund]:
    return list(
        db.session.scalars(
            select(Refund)
            .where(Refund.booking_id == booking.id, Refund.payee_id == booking.tenant_id)
            .order_by(Refund.id)
        )
    )


def _payment_day(payment: PaymentInstalment) -> date:
    settled_at = payment.paid_at or payment.covered_at
    return settled_at.date() if settled_at is not None else payment.due_on


def _release_day(release: ReleaseInstalment) -> date:
    return release.released_at.date() if release.released_at is not None else release.due_on


def _release_status(
    booking: Booking,
    release: ReleaseInstalment,
    payments: list[PaymentInstalment],
    today: date,
    frozen: bool,
) -> str:
    """Where a release stands, in the order the release run decides it (releases.py)."""
    if release.released_at is not None:
        return "released"
    if booking.state in ENDED_UNPAID:
        return "cancelled"
    if frozen:
        return "frozen"
    if release.awaits_check_in:
        return "awaiting_check_in"
    unpaid_month = any(
        p.sequence <= release.sequence
        and p.paid_at is None
        and p.covered_at is None
        and p.cancelled_at is None
        for p in payments
    )
    if unpaid_month:
        return "waiting_for_payment"
    return "due" if release.due_on <= today else "upcoming"


def _marker(lane: str, row, day: date, status: str, first: date, last: date) -> Marker:
    if lane == "payment":
        title, words = f"Payment {row.sequence}", PAYMENT_WORDS[status]
    elif lane == "release":
        title, words = f"Release {row.sequence}", RELEASE_WORDS[status]
    else:
        title, words = "Refund", REFUND_WORDS[status]
    return Marker(lane, day, row.amount, status, title, words, _position(day, first, last))
