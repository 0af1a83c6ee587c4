"""Money: integer minor units, one rounding function, shares that add up."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warehouse_exchange.errors import InvalidInput
from warehouse_exchange.listings.rules import lease_days, lease_price
from warehouse_exchange.money import Money, allocate, exponent, round_half_even


def test_exponents_follow_iso_4217():
    assert (exponent("EUR"), exponent("JPY"), exponent("BHD")) == (2, 0, 3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(5, 2), 2),
        (Fraction(7, 2), 4),
        (Fraction(-5, 2), -2),
        (Fraction(10, 3), 3),
        (Fraction(11, 3), 4),
        (Fraction(0), 0),
    ],
)
def test_round_half_even(value, expected):
    assert round_half_even(value) == expected


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12),
)
def test_allocate_always_adds_up(total, weights):
    if sum(weights) == 0:
        weights = [*weights[:-1], 1]
    shares = allocate(total, weights)
    assert sum(shares) == total and len(shares) == len(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - Fraction(total * weight, sum(weights))) < 1


def test_allocate_refuses_nonsense_weights():
    for weights in ([], [0, 0], [1, -1]):
        with pytest.raises(ValueError):
            allocate(100, weights)


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")
    with pytest.raises(ValueError):
        Money(1, "EURO")
    with pytest.raises(ValueError):
        Money(100, "EUR") + Money(100, "USD")
    assert Money(100, "EUR") + Money(250, "EUR") == Money(350, "EUR")


def test_from_decimal_respects_the_currency_exponent():
    assert Money.from_decimal(Decimal("12.34"), "EUR").amount_minor == 1234
    assert Money.from_decimal("450", "JPY").amount_minor == 450
    assert Money.from_decimal("1.125", "BHD").amount_minor == 1125
    with pytest.raises(InvalidInput):
        Money.from_decimal("4.5", "JPY")
    with pytest.raises(InvalidInput):
        Money.from_decimal("1", "ZZZ")


def test_formatting_shows_the_currency():
    assert Money(123456, "EUR").format() == "€1,234.56"
    assert Money(450, "JPY").format() == "¥450"


def test_lease_price_is_weekly_price_times_quantity_times_days_over_seven():
    from datetime import date

    start, end = date(2027, 1, 1), date(2027, 1, 10)
    assert lease_days(start, end) == 10
    # 3.33 EUR x 7 units x 10 days / 7 = 33.30 EUR
    assert lease_price(Money(333, "EUR"), 7, start, end) == Money(3330, "EUR")
    # 1 JPY x 1 unit x 10/7 days = 1.43 -> 1
    assert lease_price(Money(1, "JPY"), 1, start, end) == Money(1, "JPY")


@pytest.mark.parametrize("code", ["XAU", "xts", "XDR", "CHE"])
def test_metals_funds_and_testing_codes_are_not_accepted_as_currencies(code):
    from warehouse_exchange.errors import InvalidInput
    from warehouse_exchange.money import require_currency
    from warehouse_exchange.web.forms import currency_choices

    with pytest.raises(InvalidInput, match="not a currency money is paid in"):
        require_currency(code)
    assert code.upper() not in {choice for choice, _ in currency_choices()}
    assert require_currency(" xof ") == "XOF"  # the West African CFA franc is money
