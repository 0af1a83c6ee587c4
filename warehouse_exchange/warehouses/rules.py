"""What a warehouse's description may say: the bounds its page form, its API schema and its
service check alike."""

from __future__ import annotations

#: the heaviest pallet a warehouse may say it takes, in kg
MAX_PALLET_WEIGHT_KG = 10_000
#: the strongest floor a warehouse may say it has, in kg/m²
MAX_FLOOR_LOAD_KG_M2 = 100_000
