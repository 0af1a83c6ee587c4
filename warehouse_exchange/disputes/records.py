"""What operators read: a case's full record, and the guarantee reserve per currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..accounts.models import User
from ..bookings.models import Booking, BookingEvent
from ..extensions import db
from ..ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from ..money import Money
from ..permissions import require_operator
from . import settlement
from .models import Dispute
from .queries import get_dispute


@dataclass(frozen=True)
class Posting:
    at: datetime
    kind: str
    memo: str
    account: str
    amount: Money
    transaction_id: int


@dataclass(frozen=True)
class CaseRecord:
    dispute: Dispute
    booking: Booking
    frozen: Money
    postings: list[Posting]
    history: list[BookingEvent]
    reserve: Money
    case_limit: Money
    #: the most the owner's share may be (None once decided)
    owner_limit: Money | None = None


def _postings(where) -> list[Posting]:
    rows = db.session.execute(
        select(
            LedgerTransaction.created_at, LedgerTransaction.kind, LedgerTransaction.memo,
            LedgerAccount.kind, LedgerEntry.amount_minor, LedgerEntry.currency,
            LedgerTransaction.id,
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(where)
        .order_by(LedgerEntry.id)
    )  # fmt: skip
    return [
        Posting(at, kind, memo, account, Money(int(amount), currency), transaction_id)
        for at, kind, memo, account, amount, currency, transaction_id in rows
    ]


def case_record(actor: User, dispute_id: int) -> CaseRecord:
    """Everything an operator reads before deciding: the booking, its postings, its history,
    what is frozen now, and what the reserve could pay."""
    require_operator(actor)
    dispute = get_dispute(actor, dispute_id)
    booking = dispute.booking
    bounds = settlement.decision_bounds(dispute)
    return CaseRecord(
        dispute=dispute,
        booking=booking,
        frozen=dispute.money(bounds.frozen_minor if bounds else dispute.frozen_minor),
        postings=_postings(LedgerTransaction.booking_id == booking.id),
        history=list(booking.events),
        reserve=settlement.reserve_balance(booking.currency),
        case_limit=dispute.money(settlement.case_limit_minor(booking.currency)),
        owner_limit=dispute.money(bounds.owner_share_limit_minor) if bounds else None,
    )


@dataclass(frozen=True)
class ReserveView:
    currency: str
    balance: Money
    movements: list[Posting]


def reserve_overview(actor: User, limit: int = 50) -> list[ReserveView]:
    """The guarantee reserve's balance per currency, with its latest movements."""
    require_operator(actor)
    currencies = db.session.scalars(
        select(LedgerAccount.currency)
        .where(LedgerAccount.kind == "guarantee_reserve")
        .order_by(LedgerAccount.currency)
    ).all()
    views = []
    for currency in currencies:
        movements = _postings(
            (LedgerAccount.kind == "guarantee_reserve") & (LedgerAccount.currency == currency)
        )
        views.append(
            ReserveView(currency, settlement.reserve_balance(currency), movements[::-1][:limit])
        )
    return views
