"""The space goods take in a listing's unit: pure arithmetic, checked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from warehouse_exchange.shipments.rules import (
    StorageLimits,
    UnitSize,
    line_discrepancy,
    space_used,
    units_per_pallet,
)

LIMITS = StorageLimits(max_height_cm=180, max_pallet_weight_kg=1000, floor_load_kg_m2=3000)
CARTON = UnitSize(30, 20, 15, 2)  # 5 rows of 4 per layer on 120 x 80, 11 layers in 165 cm


def test_cartons_fill_a_pallet_in_layers_up_to_the_usable_height():
    assert units_per_pallet(CARTON, LIMITS) == 4 * 4 * 11 == 176
    assert space_used("pallet", CARTON, 176, LIMITS) == 1
    assert space_used("pallet", CARTON, 177, LIMITS) == 2
    assert space_used("pallet", CARTON, 0, LIMITS) == 0


def test_the_better_of_two_turns_is_used():
    # 70 x 40 as given: 1 along 120 and 2 along 80 = 2; turned: 3 along 120, 1 along 80 = 3
    assert units_per_pallet(UnitSize(70, 40, 165, 1), LIMITS) == 3
    assert units_per_pallet(UnitSize(40, 70, 165, 1), LIMITS) == 3


def test_weight_caps_a_pallet_before_space_does():
    heavy = UnitSize(30, 20, 15, 25)  # 176 fit, but 1000 kg / 25 kg = 40
    assert units_per_pallet(heavy, LIMITS) == 40
    assert space_used("pallet", heavy, 81, LIMITS) == 3


def test_a_unit_too_big_or_heavy_for_one_pallet_takes_what_it_needs():
    wide = UnitSize(200, 100, 100, 300)  # 2 m² is 2.08 pallet footprints: 3 positions each
    assert space_used("pallet", wide, 2, LIMITS) == 6
    tall = UnitSize(100, 80, 200, 100)  # fits the footprint, too tall to stack: one each
    assert space_used("pallet", tall, 3, LIMITS) == 3
    anvil = UnitSize(50, 50, 50, 2500)  # 2.5 pallets' weight
    assert space_used("pallet", anvil, 1, LIMITS) == 3


def test_cubic_metres_are_the_units_volume_rounded_up_to_the_hundredth():
    assert space_used("cbm", CARTON, 240, LIMITS) == Decimal("2.16")
    assert space_used("cbm", UnitSize(10, 10, 10, 1), 1, LIMITS) == Decimal("0.01")


def test_floor_space_is_the_footprint_of_stacks_limited_by_height_and_floor_load():
    # 12 cartons a stack (180 / 15); 240 cartons: 20 stacks of 0.06 m²
    assert space_used("sqm", CARTON, 240, LIMITS) == Decimal("1.20")
    # 0.06 m² carries 180 kg at 3000 kg/m²: 90 cartons of 2 kg, so height rules; at 20 kg, 9
    assert space_used("sqm", UnitSize(30, 20, 15, 20), 18, LIMITS) == Decimal("0.12")
    # one unit over the floor load still stands on its own footprint
    assert space_used("sqm", UnitSize(100, 100, 100, 5000), 2, LIMITS) == Decimal("2.00")


def test_an_unknown_unit_is_a_bug():
    with pytest.raises(ValueError):
        space_used("acre", CARTON, 1, LIMITS)


@pytest.mark.parametrize(
    ("announced", "good", "damaged", "expected"),
    [(10, 10, 0, (0, 0)), (10, 6, 1, (3, 0)), (10, 9, 3, (0, 2)), (10, 0, 0, (10, 0))],
)
def test_missing_and_over_delivered_units(announced, good, damaged, expected):
    assert line_discrepancy(announced, good, damaged) == expected
