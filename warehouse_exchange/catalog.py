"""The marketplace's fixed vocabularies, and the bit sets that store a choice of them."""

from __future__ import annotations

from collections.abc import Iterable

UNITS = {
    "pallet": "Pallet position",
    "cbm": "Cubic metre",
    "sqm": "Square metre of floor",
}

#: what a number of units is called: (one, many)
UNIT_NOUNS = {
    "pallet": ("pallet position", "pallet positions"),
    "cbm": ("cubic metre", "cubic metres"),
    "sqm": ("square metre", "square metres"),
}

ORGANIZATION_KINDS = {
    "owner": "Warehouse owner",
    "exporter": "Exporter",
    "both": "Owner and exporter",
}

#: Temperature zones a warehouse may run, with the usual °C range of each.
TEMPERATURE_ZONES = {
    "ambient": ("Ambient", 15, 25),
    "chilled": ("Chilled", 2, 8),
    "frozen": ("Frozen", -25, -18),
}

#: UN dangerous-goods classes.
HAZMAT_CLASSES = {
    1: "Explosives",
    2: "Gases",
    3: "Flammable liquids",
    4: "Flammable solids",
    5: "Oxidizers and organic peroxides",
    6: "Toxic and infectious substances",
    7: "Radioactive material",
    8: "Corrosives",
    9: "Miscellaneous dangerous goods",
}

SERVICES = {
    "pick_pack": "Pick & pack",
    "labelling": "Labelling",
    "returns": "Returns handling",
    "kitting": "Kitting",
    "cross_dock": "Cross-docking",
}

CATEGORIES = {
    "general": "General merchandise",
    "apparel": "Apparel and footwear",
    "electronics": "Electronics",
    "food": "Food and beverages",
    "pharma": "Pharmaceuticals",
    "cosmetics": "Cosmetics and personal care",
    "furniture": "Furniture and home",
    "auto_parts": "Automotive parts",
    "chemicals": "Chemicals",
    "toys": "Toys and games",
    "machinery": "Machinery and tools",
    "books": "Books and media",
}

# Bounds of the numbers that describe goods and capacity. Listings, bookings, transfers,
# search and shipments each check them in a page form, an API schema and a service: declared
# once here, so that the three never disagree.
#: units of capacity (pallet positions, m³, m²) one listing offers or one lease takes
MAX_QUANTITY = 1_000_000
#: a side of one unit of goods, in cm
MAX_UNIT_SIDE_CM = 5000
#: one unit of goods, in kg
MAX_UNIT_WEIGHT_KG = 50_000
#: SKUs one lease stores
MAX_SKU_COUNT = 100_000
#: what goods may be said to tolerate, and a warehouse's zone to keep
MIN_TEMPERATURE_C, MAX_TEMPERATURE_C = -60, 60

SERVICE_BITS = {key: 1 << index for index, key in enumerate(SERVICES)}
CATEGORY_BITS = {key: 1 << index for index, key in enumerate(CATEGORIES)}
HAZMAT_BITS = {cls: 1 << cls for cls in HAZMAT_CLASSES}


def to_mask(choices: Iterable, bits: dict) -> int:
    mask = 0
    for choice in choices:
        mask |= bits[choice]
    return mask


def from_mask(mask: int, bits: dict) -> list:
    return [key for key, bit in bits.items() if mask & bit]


#: public rating tiers, best first; "unrated" until an organization has enough history
RATING_TIERS = ("AAA", "AA", "A", "BBB", "BB", "B", "C")
UNRATED = "unrated"
