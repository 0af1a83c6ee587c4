"""Money over months, for charts: an owner's earnings released and scheduled per month, and
the guarantee reserve per currency with its cover of the rent at risk. Every series is in
one currency; nothing here adds two currencies together. Reads only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, literal_column, select

from ..accounts.models import User
from ..bookings.models import Booking
from ..bookings.rules import add_months
from ..extensions import db
from ..ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from ..money import Money
from ..permissions import require_operator, require_user
from .models import PaymentInstalment, ReleaseInstalment
from .queries import owned_booking_ids
from .releases import COVERED_STATES

#: months shown before the current one, and from it on
EARNINGS_MONTHS_BACK = 6
EARNINGS_MONTHS_AHEAD = 6
RESERVE_MONTHS = 12


def _month_key(column, timestamp: bool = True):
    """SQL: the column's month as 'YYYY-MM' on either database (a timestamp's month in UTC)."""
    if db.session.get_bind().dialect.name == "postgresql":
        # literals, not bound parameters: PostgreSQL matches GROUP BY to SELECT by their text
        utc = func.timezone(literal_column("'UTC'"), column) if timestamp else column
        return func.to_char(utc, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


def _months(first: date, count: int) -> list[date]:
    return [add_months(first, n) for n in range(count)]


def _key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


class MonthLabels:
    """The labels of a chart's month (its `month`, the first day)."""

    month: date

    @property
    def label(self) -> str:
        return self.month.strftime("%b %Y")

    @property
    def short_label(self) -> str:
        return self.month.strftime("%b")


@dataclass(frozen=True)
class MonthBar(MonthLabels):
    month: date
    #: what the ledger released to the owner in the month
    released: Money
    #: what is still to be released, by the month it is due
    scheduled: Money
    is_past: bool


@dataclass(frozen=True)
class EarningsSeries:
    currency: str
    months: list[MonthBar]

    @property
    def largest_minor(self) -> int:
        """The tallest bar, for the scale (never zero)."""
        tallest = (max(m.released.amount_minor, m.scheduled.amount_minor) for m in self.months)
        return max(1, *tallest)

    @property
    def scale(self) -> Money:
        """The top of the chart's scale."""
        return Money(self.largest_minor, self.currency)

    @property
    def released_total(self) -> Money:
        return Money(sum(m.released.amount_minor for m in self.months), self.currency)

    @property
    def scheduled_total(self) -> Money:
        return Money(sum(m.scheduled.amount_minor for m in self.months), self.currency)


def owner_monthly_earnings(actor: User, today: date) -> list[EarningsSeries]:
    """Per currency, month by month from six months before `today`'s month to five after it:
    what was released to the owner (every credit to its released balance in the ledger: monthly
    releases, and its shares of dispute decisions and cancellations), and what is still
    scheduled for release on its paid leases, by due month."""
    organization_id = require_user(actor).organization_id
    this_month = today.replace(day=1)
    months = _months(add_months(this_month, -EARNINGS_MONTHS_BACK),
                     EARNINGS_MONTHS_BACK + EARNINGS_MONTHS_AHEAD)  # fmt: skip
    window = (_key(months[0]), _key(months[-1]))
    amounts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for column, rows in enumerate(
        (_released_by_month(organization_id, window), _scheduled_by_month(organization_id, window))
    ):
        for currency, month, total in rows:
            amounts[currency][month][column] += int(total)
    return [
        EarningsSeries(
            currency,
            [
                MonthBar(
                    month,
                    Money(amounts[currency][_key(month)][0], currency),
                    Money(amounts[currency][_key(month)][1], currency),
                    month < this_month,
                )
                for month in months
            ],
        )
        for currency in sorted(amounts)
    ]


def _released_by_month(organization_id: int, window: tuple[str, str]):
    """(currency, 'YYYY-MM', amount) of every credit to the owner's released balance. A
    monthly release is dated by the release run's clock (which the demo clock moves), any
    other credit by its posting."""
    month = _month_key(func.coalesce(ReleaseInstalment.released_at, LedgerTransaction.created_at))
    return db.session.execute(
        select(LedgerEntry.currency, month, func.sum(LedgerEntry.amount_minor))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .outerjoin(ReleaseInstalment, ReleaseInstalment.transaction_id == LedgerTransaction.id)
        .where(
            LedgerAccount.organization_id == organization_id,
            LedgerAccount.kind == "owner_payable",
            LedgerEntry.amount_minor > 0,
            month.between(*window),
        )
        .group_by(LedgerEntry.currency, month)
    ).all()


def _scheduled_by_month(organization_id: int, window: tuple[str, str]):
    """(currency, 'YYYY-MM', amount) of the unreleased instalments of the owner's paid leases,
    by the month they are due."""
    month = _month_key(ReleaseInstalment.due_on, timestamp=False)
    return db.session.execute(
        select(ReleaseInstalment.currency, month, func.sum(ReleaseInstalment.amount_minor))
        .join(Booking, Booking.id == ReleaseInstalment.booking_id)
        .where(
            ReleaseInstalment.released_at.is_(None),
            ReleaseInstalment.booking_id.in_(owned_booking_ids(organization_id)),
            Booking.state.in_(COVERED_STATES),
            month.between(*window),
        )
        .group_by(ReleaseInstalment.currency, month)
    ).all()


@dataclass(frozen=True)
class ReserveMonth(MonthLabels):
    month: date
    #: the reserve's balance at the end of the month (or today, for the current one)
    balance: Money


@dataclass(frozen=True)
class ReserveCover:
    currency: str
    months: list[ReserveMonth]
    balance: Money
    #: the rent the reserve would pay into escrow if every paid lease's tenant stopped paying
    #: now: the instalments of confirmed, active or completed leases neither paid, covered
    #: nor cancelled (docs/product-rules.md, "cover ratio")
    at_risk: Money

    @property
    def cover_percent(self) -> int | None:
        """The reserve as a share of the rent at risk, in whole per cent (None: none at risk)."""
        if self.at_risk.amount_minor <= 0:
            return None
        return max(0, self.balance.amount_minor) * 100 // self.at_risk.amount_minor

    @property
    def largest_minor(self) -> int:
        return max(1, *(m.balance.amount_minor for m in self.months))

    @property
    def scale(self) -> Money:
        """The top of the chart's scale."""
        return Money(self.largest_minor, self.currency)


def reserve_history(actor: User, today: date) -> list[ReserveCover]:
    """Per currency: the guarantee reserve's balance at the end of each of the last twelve
    months (from one grouped query over its ledger entries), its balance now, the rent at
    risk, and how much of it the reserve covers."""
    require_operator(actor)
    month = _month_key(LedgerTransaction.created_at)
    moves = db.session.execute(
        select(LedgerEntry.currency, month, func.sum(LedgerEntry.amount_minor))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.kind == "guarantee_reserve")
        .group_by(LedgerEntry.currency, month)
    ).all()
    at_risk = dict(
        db.session.execute(
            select(PaymentInstalment.currency, func.sum(PaymentInstalment.rent_minor))
            .join(Booking, Booking.id == PaymentInstalment.booking_id)
            .where(PaymentInstalment.outstanding(), Booking.state.in_(COVERED_STATES))
            .group_by(PaymentInstalment.currency)
        ).all()
    )
    by_currency: dict[str, dict[str, int]] = defaultdict(dict)
    for currency, key, total in moves:
        by_currency[currency][key] = int(total)
    months = _months(add_months(today.replace(day=1), 1 - RESERVE_MONTHS), RESERVE_MONTHS)
    return [
        _cover(currency, by_currency.get(currency, {}), months, int(at_risk.get(currency) or 0))
        for currency in sorted(set(by_currency) | set(at_risk))
    ]


def _cover(currency: str, moves: dict[str, int], months: list[date], risk: int) -> ReserveCover:
    """Running balances at each month's end: what moved before the window, then month by
    month."""
    running = sum(total for key, total in moves.items() if key < _key(months[0]))
    balances = []
    for month in months:
        running += moves.get(_key(month), 0)
        balances.append(ReserveMonth(month, Money(running, currency)))
    after = sum(total for key, total in moves.items() if key > _key(months[-1]))
    return ReserveCover(currency, balances, Money(running + after, currency), Money(risk, currency))
