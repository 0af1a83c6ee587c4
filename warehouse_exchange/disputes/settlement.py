"""The escrow effects of a dispute: what is frozen, and how a decision moves it. Every step is
a balanced ledger posting with an idempotency key of the dispute, so replaying moves nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..bookings.models import Booking
from ..errors import Conflict
from ..escrow.models import PaymentInstalment, ReleaseInstalment
from ..escrow.refunds import owe_refund, unowed_escrow_minor
from ..escrow.releases import to_owner
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.services import Leg
from ..money import Money
from .models import Dispute


class ReserveTooSmall(Conflict):
    """The reserve's balance in the currency does not cover the payout."""


def frozen_minor(booking: Booking) -> int:
    """What escrow holds for the booking now, less the refunds already owed from it."""
    return max(0, unowed_escrow_minor(booking))


def case_limit_minor(currency: str) -> int:
    """The most the guarantee reserve pays on one case in `currency` (0: never)."""
    return int(current_app.config["DISPUTE_RESERVE_CASE_LIMIT"].get(currency, 0))


def reserve_may_pay(dispute: Dispute) -> bool:
    """The guarantee reserve pays only a tenant whose owner failed to provide the space."""
    return dispute.category == "space_not_available" and (
        dispute.opened_by_org_id == dispute.booking.tenant_id
    )


def reserve_payout_limit_minor(dispute: Dispute) -> int:
    """The most the reserve may add for the tenant on this case now: the case limit, or the
    reserve's balance when that is less; nothing on a case the reserve does not pay."""
    if not reserve_may_pay(dispute):
        return 0
    balance = reserve_balance(dispute.currency).amount_minor
    return max(0, min(case_limit_minor(dispute.currency), balance))


@dataclass(frozen=True)
class DecisionBounds:
    """What a decision must respect, read before it is made."""

    #: the tenant's and the owner's shares add up to exactly this
    frozen_minor: int
    #: the owner's share is at most this
    owner_share_limit_minor: int
    #: the reserve's payout is at most this
    reserve_payout_limit_minor: int


def decision_bounds(dispute: Dispute) -> DecisionBounds | None:
    """The bounds of a case still to decide (None once decided or withdrawn)."""
    if not dispute.is_unresolved:
        return None
    booking = dispute.booking
    return DecisionBounds(
        frozen_minor(booking),
        owner_share_limit_minor(booking),
        reserve_payout_limit_minor(dispute),
    )


def reserve_balance(currency: str) -> Money:
    return ledger.balance(ledger.reserve(currency))


def reserve_available(currency: str) -> Money:
    """The reserve's balance, with its account row locked until the end of the transaction:
    two decisions paying out at once wait for each other and the second sees the first."""
    return ledger.locked_balance(ledger.reserve(currency))


def execute(dispute: Dispute, now: datetime) -> None:
    """Move the frozen escrow as decided: the tenant's share is owed back as a refund, the
    owner's share is released to the owner, and a reserve payout goes through the booking's
    escrow to the tenant as a refund too. Then the releases the split settled are dropped."""
    booking = dispute.booking
    _award_owner(dispute, booking)
    _pay_from_reserve(dispute, booking)
    refund = dispute.tenant_share_minor + dispute.reserve_payout_minor
    if refund:
        owe_refund(booking, refund, f"Dispute #{dispute.id} decided", now)
    _drop_settled_releases(booking)


def _award_owner(dispute: Dispute, booking: Booking) -> None:
    amount = dispute.owner_share_minor
    if amount:
        ledger.post(
            f"dispute-owner:{dispute.id}",
            "dispute_award",
            to_owner(booking, amount),
            booking_id=booking.id,
            memo=f"Dispute #{dispute.id}: the owner's share of the frozen escrow",
            actor_id=dispute.decided_by_id,
        )


def _pay_from_reserve(dispute: Dispute, booking: Booking) -> None:
    amount = dispute.reserve_payout_minor
    if not amount:
        return
    available = reserve_available(booking.currency)
    if amount > available.amount_minor:
        held = Money(max(0, available.amount_minor), booking.currency).format()
        raise ReserveTooSmall(
            f"The guarantee reserve holds only {held}; it cannot pay"
            f" {dispute.money(amount).format()}.",
            {"reserve_payout": f"At most {held}, the reserve's balance."},
        )
    ledger.post(
        f"dispute-reserve:{dispute.id}",
        "dispute_payout",
        [
            Leg(ledger.reserve(booking.currency), -amount, booking.id),
            Leg(ledger.escrow(booking.tenant_id, booking.currency), amount, booking.id),
        ],
        booking_id=booking.id,
        memo=f"Dispute #{dispute.id}: the guarantee reserve pays the tenant's loss",
        actor_id=dispute.decided_by_id,
    )


def _settled_releases(booking: Booking) -> list[ReleaseInstalment]:
    """Unreleased instalments whose months were paid or covered: the rent escrow holds for
    the owner. Months not yet paid keep their releases, released as usual once paid."""
    unsettled_month = (
        select(PaymentInstalment.id)
        .where(
            PaymentInstalment.booking_id == ReleaseInstalment.booking_id,
            PaymentInstalment.sequence <= ReleaseInstalment.sequence,
            PaymentInstalment.outstanding(),
        )
        .exists()
    )
    return list(
        db.session.scalars(
            select(ReleaseInstalment).where(
                ReleaseInstalment.booking_id == booking.id,
                ReleaseInstalment.released_at.is_(None),
                ~unsettled_month,
            )
        )
    )


def owner_share_limit_minor(booking: Booking) -> int:
    """The most a decision gives the owner: the rent of the months paid (or covered) and not
    yet released. The rest of the frozen escrow (a part payment, a month the owner was
    already paid for) is not the owner's to be given."""
    return sum(release.amount_minor for release in _settled_releases(booking))


def _drop_settled_releases(booking: Booking) -> None:
    """The settled releases' money was in the split: they are not released again."""
    for release in _settled_releases(booking):
        db.session.delete(release)
    db.session.flush()
