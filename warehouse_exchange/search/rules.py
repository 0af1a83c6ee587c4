"""Pure rules of search: bounding boxes, price thresholds, and what to loosen when empty."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from ..catalog import CATEGORIES, UNITS
from ..errors import InvalidInput
from ..money import round_half_even

#: a goods size or weight a search may filter by (looser than what a booking request takes)
MAX_SIZE_FILTER = 100_000
KM_PER_DEGREE_LATITUDE_MIN = 110.5


@dataclass(frozen=True)
class BoundingBox:
    south: float
    north: float
    #: None when every longitude is inside (near a pole or a huge radius)
    west: float | None
    east: float | None

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west is not None and self.west > self.east


def bounding_box(latitude: float, longitude: float, radius_km: float) -> BoundingBox:
    """A box that contains every point within `radius_km` of the centre (a little larger)."""
    delta_lat = radius_km / KM_PER_DEGREE_LATITUDE_MIN * 1.01
    south, north = max(-90.0, latitude - delta_lat), min(90.0, latitude + delta_lat)
    if south <= -89.9 or north >= 89.9:
        return BoundingBox(south, north, None, None)
    widest = max(abs(south), abs(north))
    delta_lon = delta_lat / math.cos(math.radians(widest))
    if delta_lon >= 180:
        return BoundingBox(south, north, None, None)
    west = (longitude - delta_lon + 540) % 360 - 180
    east = (longitude + delta_lon + 540) % 360 - 180
    return BoundingBox(south, north, west, east)


BBOX_FORMAT = "min_lon,min_lat,max_lon,max_lat"


def _bbox_error(message: str) -> InvalidInput:
    field_message = message[0].upper() + message[1:]
    return InvalidInput(f"The map area (bbox) {message}", {"bbox": field_message})


def map_area(text: str) -> BoundingBox:
    """The box a map's view covers, from "min_lon,min_lat,max_lon,max_lat" in degrees.

    As in GeoJSON (RFC 7946, 5.2), a min_lon greater than max_lon is a box that crosses the
    antimeridian (from 170 east to 170 west, say, is "170,-20,-170,20"); equal longitudes or
    latitudes make an empty box and are refused."""
    parts = text.split(",")
    if len(parts) != 4:
        raise _bbox_error(f"is four numbers, {BBOX_FORMAT}.")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise _bbox_error(f"is four numbers, {BBOX_FORMAT}.") from None
    if not all(math.isfinite(n) for n in (west, south, east, north)):
        raise _bbox_error(f"is four numbers, {BBOX_FORMAT}.")
    if not all(-180 <= lon <= 180 for lon in (west, east)):
        raise _bbox_error("has longitudes between -180 and 180.")
    if not all(-90 <= lat <= 90 for lat in (south, north)):
        raise _bbox_error("has latitudes between -90 and 90.")
    if south >= north:
        raise _bbox_error("has min_lat below max_lat.")
    if west == east:
        raise _bbox_error("has min_lon and max_lon apart.")
    return BoundingBox(south, north, west, east)


def price_threshold(max_minor: int, factor: Fraction) -> int:
    """The largest price p (in the listing's currency) whose converted, rounded value is at most
    `max_minor` (in the asked currency): the SQL filter then agrees with the displayed price."""
    guess = math.floor((Fraction(max_minor) + Fraction(1, 2)) / factor)
    while guess >= 0 and round_half_even(guess * factor) > max_minor:
        guess -= 1
    while round_half_even((guess + 1) * factor) <= max_minor:
        guess += 1
    return guess


LOOSEN_HINTS = {
    "countries": "search more countries",
    "radius": "widen the radius",
    "unit": "try another unit",
    "quantity": "ask for fewer units",
    "dates": "try shorter or later dates",
    "temperature": "widen the temperature range your goods tolerate",
    "hazmat_class": "check the hazard class",
    "category": "try a broader category",
    "dimensions": "check the unit dimensions and weight",
    "max_price": "raise the price ceiling",
    "min_tier": "accept a lower rating tier",
    "verified_only": "include organizations not yet verified",
    "transfers_on_offer": "include listings without a lease on offer for transfer",
    "bbox": "zoom the map out or move it",
}


@dataclass(frozen=True)
class Relaxable:
    """A filter an empty search may be retried without."""

    #: its name in the API's relaxations
    name: str
    #: the query-string arguments that set it, on the page and in the API
    params: tuple[str, ...]
    #: the search query's attributes and the values that leave the filter out
    cleared: dict
    #: what the filter asks for, said of a query ("the weight of 900 kg per unit")
    label: Callable[[object], str]

    def is_set(self, query) -> bool:
        return any(getattr(query, name) != off for name, off in self.cleared.items())


def _size(query) -> str:
    sides = (query.unit_length_cm, query.unit_width_cm, query.unit_height_cm)
    return "the unit size of " + " × ".join("any" if s is None else str(s) for s in sides) + " cm"


def _temperature(query) -> str:
    low, high = query.temperature_min, query.temperature_max
    return (
        f"the temperature range {'' if low is None else low} to {'' if high is None else high} °C"
    )


def _countries(query) -> str:
    return ("the country " if len(query.countries) == 1 else "the countries ") + ", ".join(
        query.countries
    )


#: what an empty search tries to drop, in this order: the goods' limits first, the place last
RELAXABLE = (
    Relaxable(
        "unit_weight_kg",
        ("unit_weight_kg",),
        {"unit_weight_kg": None},
        lambda q: f"the weight of {q.unit_weight_kg} kg per unit",
    ),
    Relaxable(
        "dimensions",
        ("unit_length_cm", "unit_width_cm", "unit_height_cm"),
        {"unit_length_cm": None, "unit_width_cm": None, "unit_height_cm": None},
        _size,
    ),
    Relaxable(
        "temperature",
        ("temperature_min", "temperature_max"),
        {"temperature_min": None, "temperature_max": None},
        _temperature,
    ),
    Relaxable(
        "hazmat_class",
        ("hazmat_class",),
        {"hazmat_class": None},
        lambda q: f"hazard class {q.hazmat_class}",
    ),
    Relaxable(
        "category",
        ("category",),
        {"category": None},
        lambda q: f"the category {CATEGORIES[q.category].lower()}",
    ),
    Relaxable(
        "max_price", ("max_price",), {"max_price_minor": None}, lambda q: "the price ceiling"
    ),
    Relaxable(
        "quantity", ("quantity",), {"quantity": None}, lambda q: f"the quantity of {q.quantity}"
    ),
    Relaxable(
        "dates",
        ("start", "end"),
        {"start": None, "end": None},
        lambda q: f"the dates {q.start} to {q.end}",
    ),
    Relaxable(
        "min_tier",
        ("min_tier",),
        {"min_tier": None},
        lambda q: f"the rating of {q.min_tier} or better",
    ),
    Relaxable(
        "verified_only",
        ("verified_only",),
        {"verified_only": False},
        lambda q: "“verified owners only”",
    ),
    Relaxable(
        "transfers_on_offer",
        ("transfers_on_offer",),
        {"transfers_on_offer": False},
        lambda q: "“leases on offer for transfer only”",
    ),
    Relaxable("unit", ("unit",), {"unit": None}, lambda q: f"the unit {UNITS[q.unit].lower()}"),
    Relaxable("countries", ("country",), {"countries": []}, _countries),
    Relaxable("bbox", ("bbox",), {"bbox": None}, lambda q: "the map's area"),
)
