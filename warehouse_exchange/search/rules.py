"""Pure rules of search: bounding boxes, price thresholds, and what to loosen when empty."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..money import round_half_even

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
}
