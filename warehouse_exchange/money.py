"""Money as integer minor units plus an ISO 4217 code; rounding happens in one place."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pycountry
from babel.numbers import format_currency, get_currency_precision

from .errors import InvalidInput


@functools.lru_cache(maxsize=1024)
def _known_currency(code: str) -> bool:
    return pycountry.currencies.get(alpha_3=code) is not None


def is_currency(code: str) -> bool:
    return isinstance(code, str) and len(code) == 3 and code.isupper() and _known_currency(code)


#: ISO 4217 codes that are not money a warehouse is paid in: precious metals, bond-market
#: and settlement units, special drawing rights, funds and index units, and the testing codes
NOT_MONEY = frozenset({
    "XAU", "XAG", "XPT", "XPD", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XTS", "XXX",
    "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW",
})  # fmt: skip


#: the largest sum, in minor units, that the platform takes in or quotes (ten billion euros):
#: far beyond any lease, and millions of such sums still add up within a BIGINT column
MAX_AMOUNT_MINOR = 10**12


def require_currency(code: str, field: str = "currency") -> str:
    normalized = (code or "").strip().upper()
    if not is_currency(normalized):
        raise InvalidInput(f"Unknown currency {code!r}.", {field: "Not an ISO 4217 currency code."})
    if normalized in NOT_MONEY:
        raise InvalidInput(
            f"{normalized} is not a currency money is paid in here.",
            {field: "Not a currency for payments (a metal, fund or testing code)."},
        )
    return normalized


def exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit (JPY 0, EUR 2, BHD 3)."""
    return get_currency_precision(currency)


def round_half_even(value: Fraction) -> int:
    """The one place where a fractional amount of minor units becomes an integer."""
    floor, remainder = divmod(value.numerator, value.denominator)
    twice = 2 * remainder
    if twice > value.denominator or (twice == value.denominator and floor % 2):
        floor += 1
    return floor


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` minor units in proportion to `weights`; the shares always add up to `total`.

    Largest-remainder method: floor every share, then give the leftover units one by one to the
    shares with the largest remainders (earliest first on ties, so the result is deterministic).
    """
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    weight_sum = sum(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for index in order[:leftover]:
        shares[index] += 1
    return shares


@dataclass(frozen=True, order=False)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("amount_minor must be an int")
        if not is_currency(self.currency):
            raise ValueError(f"unknown currency {self.currency!r}")

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor <= other.amount_minor

    def times(self, factor: Fraction | int) -> Money:
        return Money(round_half_even(Fraction(self.amount_minor) * factor), self.currency)

    @property
    def decimal(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-exponent(self.currency))

    @classmethod
    def from_decimal(cls, value: Decimal | str, currency: str, field: str = "price") -> Money:
        """Parse a major-unit amount; more decimals than the currency has, or a sum beyond
        MAX_AMOUNT_MINOR, is an error."""
        currency = require_currency(currency)
        try:
            amount = Decimal(str(value)).scaleb(exponent(currency))
        except ArithmeticError as error:  # not a number, or an exponent beyond Decimal's range
            raise InvalidInput("The amount must be a number.", {field: "Not a number."}) from error
        if not amount.is_finite():
            raise InvalidInput("The amount must be a number.", {field: "Not a number."})
        if abs(amount) > MAX_AMOUNT_MINOR:
            largest = cls(MAX_AMOUNT_MINOR, currency).format()
            raise InvalidInput(f"Amounts are at most {largest}.", {field: f"At most {largest}."})
        if amount != amount.to_integral_value():
            raise InvalidInput(
                f"{currency} has {exponent(currency)} decimals.",
                {field: f"{currency} amounts have at most {exponent(currency)} decimals."},
            )
        return cls(int(amount), currency)

    def format(self, locale: str = "en") -> str:
        return format_currency(self.decimal, self.currency, locale=locale)

    def as_json(self) -> dict:
        return {"amount_minor": self.amount_minor, "currency": self.currency}

    def __str__(self) -> str:
        return self.format()
