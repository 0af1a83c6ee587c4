"""Use cases of exchange rates: operators record them; search converts prices with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from sqlalchemy import func, select

from ..accounts.models import User
from ..audit.services import record as audit
from ..errors import InvalidInput
from ..extensions import db
from ..money import Money, exponent, require_currency, round_half_even
from ..pagination import Page, paginate
from ..permissions import require_operator
from ..unit_of_work import use_case
from .models import ExchangeRate
from .signals import rate_recorded


@dataclass(frozen=True)
class RateTable:
    """Latest rate per currency, as units of that currency per one unit of `base`."""

    base: str
    rates: dict[str, Decimal]
    dates: dict[str, date]

    def knows(self, currency: str) -> bool:
        return currency == self.base or currency in self.rates

    def _rate(self, currency: str) -> Fraction:
        return Fraction(1) if currency == self.base else Fraction(self.rates[currency])

    def factor(self, source: str, target: str) -> Fraction:
        """Multiply minor units of `source` by this to get minor units of `target`."""
        scale = Fraction(10) ** (exponent(target) - exponent(source))
        return self._rate(target) / self._rate(source) * scale

    def convert(self, amount: Money, target: str) -> Money:
        if amount.currency == target:
            return amount
        return Money(
            round_half_even(amount.amount_minor * self.factor(amount.currency, target)), target
        )

    def rate_date(self, source: str, target: str) -> date | None:
        """The older of the two rates' dates: how fresh a conversion between them is."""
        known = [self.dates[c] for c in (source, target) if c in self.dates]
        return min(known) if known else None


def latest_rates(base: str) -> RateTable:
    newest = (
        select(ExchangeRate.currency, func.max(ExchangeRate.rate_date).label("rate_date"))
        .group_by(ExchangeRate.currency)
        .subquery()
    )
    rows = db.session.execute(
        select(ExchangeRate.currency, ExchangeRate.rate, ExchangeRate.rate_date).join(
            newest,
            (newest.c.currency == ExchangeRate.currency)
            & (newest.c.rate_date == ExchangeRate.rate_date),
        )
    )
    rates, dates = {}, {}
    for currency, rate, rate_date in rows:
        rates[currency] = Decimal(rate)
        dates[currency] = rate_date
    return RateTable(base, rates, dates)


def price_rank(price_minor: int, currency: str, rates: RateTable) -> float:
    """A listing's sort key: its price in the base currency (see Listing.price_rank)."""
    if not rates.knows(currency):
        return float("inf")
    return float(price_minor * rates.factor(currency, rates.base))


def _parse_rate(value) -> Decimal:
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise InvalidInput("The rate must be a number.", {"rate": "Not a number."}) from error
    if not rate.is_finite() or rate <= 0 or rate >= Decimal(10) ** 9:
        raise InvalidInput("The rate must be positive and sensible.", {"rate": "Out of range."})
    if rate.as_tuple().exponent < -10:
        raise InvalidInput("At most 10 decimals.", {"rate": "Too many decimals."})
    return rate


@use_case
def record_rate(
    actor: User, currency: str, rate, rate_date: date, base: str, today: date
) -> ExchangeRate:
    """Record (or correct) the rate of `currency` on `rate_date`."""
    require_operator(actor)
    currency = require_currency(currency)
    if currency == base:
        raise InvalidInput(f"{base} is the base currency; its rate is 1.", {"currency": "Base."})
    if not isinstance(rate_date, date) or rate_date > today:
        raise InvalidInput("A rate cannot be dated in the future.", {"rate_date": "Future date."})
    parsed = _parse_rate(rate)
    record = db.session.scalar(
        select(ExchangeRate).where(
            ExchangeRate.currency == currency, ExchangeRate.rate_date == rate_date
        )
    )
    before = None if record is None else {"rate": str(record.rate)}
    if record is None:
        record = ExchangeRate(currency=currency, rate_date=rate_date)
        db.session.add(record)
    record.rate = parsed
    record.recorded_by_id = actor.id
    db.session.flush()
    rate_recorded.send(currency, rates=latest_rates(base))
    after = {"currency": currency, "rate_date": rate_date.isoformat(), "rate": str(parsed)}
    audit(actor, "rate.record", "exchange_rate", record.id, before, after, None)
    db.session.commit()
    return record


def rate_history(page: int, per_page: int) -> Page[ExchangeRate]:
    query = select(ExchangeRate).order_by(ExchangeRate.rate_date.desc(), ExchangeRate.currency)
    return paginate(query, page, per_page)
