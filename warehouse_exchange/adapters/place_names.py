"""The offline gazetteer's names, indexed for the two questions a place field asks: which places
start with what the visitor has typed so far, and which place a misspelt name most resembles.

Both answer from memory in a few milliseconds: names are folded (lower case, no accents) once,
kept sorted for prefix look-ups, and grouped by first letter for fuzzy matching, since a typo
rarely hits a name's first letter and one letter's names are a twentieth of them all.
"""

from __future__ import annotations

import functools
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

import pycountry
from rapidfuzz import fuzz, process

#: among equally close names, a place this many times smaller than the largest is left out:
#: "Singapure" means Singapore, not Singāpur in India
OVERSHADOWED = 20
#: a name at least this similar (0-100, rapidfuzz's ratio) to a misspelt one is suggested
SIMILAR_ENOUGH = 80
#: suggestions scoring this far below the best one are not worth showing beside it
CLOSE_TO_BEST = 6
#: at most this many index keys are read for one prefix (a one-letter prefix matches thousands)
MAX_PREFIX_KEYS = 3000
#: typed text shorter than this gets no suggestion: too many places would fit
MIN_TYPED = 2
#: other names (IATA codes, other languages) and typos are considered from this many letters:
#: fewer bring in names nobody typing meant
MIN_TYPED_FOR_OTHER_NAMES = 3


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how names are compared."""
    if text.isascii():  # most names, and the quick way: NFKD is the slow part of indexing
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@functools.cache
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or (country.name if country else code)


@dataclass(frozen=True)
class PlaceSuggestion:
    """A place to offer: `query` is what to search for ("Felixstowe, GB": unambiguous and
    short), `label` what to show ("Felixstowe, United Kingdom")."""

    name: str
    country: str
    label: str
    query: str
    latitude: float
    longitude: float

    @classmethod
    def of(cls, city: dict) -> PlaceSuggestion:
        code = city["countrycode"]
        return cls(
            name=city["name"],
            country=code,
            label=f"{city['name']}, {country_name(code)}",
            query=f"{city['name']}, {code}",
            latitude=city["latitude"],
            longitude=city["longitude"],
        )


class PlaceNames:
    def __init__(self, cities: list[dict]) -> None:
        by_name: dict[str, list[dict]] = defaultdict(list)
        #: folded own name -> cities of that name
        self._own_cities: dict[str, list[dict]] = defaultdict(list)
        for city in cities:
            own = fold(city["name"])
            self._own_cities[own].append(city)
            names = {own}
            names.update(fold(alt) for alt in city["alternatenames"] if alt and alt.isascii())
            for name in names:
                by_name[name].append(city)
        for same_name in (*by_name.values(), *self._own_cities.values()):
            same_name.sort(key=lambda c: -c["population"])
        #: folded name (the city's own or an ASCII alternate) -> cities, largest first
        self.by_name = dict(by_name)
        self._own_cities = dict(self._own_cities)
        self._keys = sorted(self.by_name)
        self._own_keys = sorted(self._own_cities)
        #: first letter -> own names, and -> every name; fuzzy matching reads one letter's
        self._own_names: dict[str, list[str]] = defaultdict(list)
        for name in self._own_cities:
            self._own_names[name[:1]].append(name)
        self._all_names: dict[str, list[str]] = defaultdict(list)
        for name in self._keys:
            self._all_names[name[:1]].append(name)

    def starting_with(self, text: str, country: str | None = None, limit: int = 8) -> list[dict]:
        """Cities whose own name starts with `text` (folded), the largest first; then, if too
        few do, cities one of whose other names does ("bomb" finds Mumbai)."""
        found = self._largest_under(self._own_keys, self._own_cities, text, country, limit)
        if len(found) < limit and len(text) >= MIN_TYPED_FOR_OTHER_NAMES:
            seen = {city["geonameid"] for city in found}
            others = self._largest_under(self._keys, self.by_name, text, country, limit)
            found += [city for city in others if city["geonameid"] not in seen]
        return found[:limit]

    @staticmethod
    def _largest_under(keys, cities_named, text, country, limit) -> list[dict]:
        found = {}
        position = bisect_left(keys, text)
        for key in keys[position : position + MAX_PREFIX_KEYS]:
            if not key.startswith(text):
                break
            for city in cities_named[key]:
                if country is None or city["countrycode"] == country:
                    found[city["geonameid"]] = city
        return sorted(found.values(), key=lambda c: -c["population"])[:limit]

    def resembling(
        self, text: str, country: str | None = None, limit: int = 3, *, prefix: bool = False
    ) -> list[dict]:
        """Cities with a name most like `text` (folded), the largest first among the closest;
        with `prefix`, whose own name begins most like it (for text still being typed)."""
        if prefix:
            names, cities_named = self._own_names.get(text[:1], []), self._own_cities
            choices = [name[: len(text)] for name in names]
        else:
            names, cities_named = self._all_names.get(text[:1], []), self.by_name
            choices = names
        scored = process.extract(
            text, choices, scorer=fuzz.ratio, score_cutoff=SIMILAR_ENOUGH, limit=8 * limit
        )
        if not scored:
            return []
        best = scored[0][1]
        close = {}
        for _choice, score, index in scored:
            if score >= best - CLOSE_TO_BEST:
                # a name that is some city's own means that city, not others it is an alias of
                # ("Manchester" is not Richmond, which some call so)
                name = names[index]
                for city in self._own_cities.get(name) or cities_named[name]:
                    if country is None or city["countrycode"] == country:
                        close[city["geonameid"]] = city
        ranked = sorted(close.values(), key=lambda c: -c["population"])
        if prefix or not ranked:
            return ranked[:limit]
        largest = ranked[0]["population"]
        return [c for c in ranked if c["population"] * OVERSHADOWED >= largest][:limit]

    def suggest(self, name: str, country: str | None = None, limit: int = 8) -> list[dict]:
        """What to offer while `name` is typed: places starting with it, then, when too few
        do, places whose beginning resembles it (a typo already made)."""
        name = fold(name)
        if len(name) < MIN_TYPED:
            return []
        found = self.starting_with(name, country, limit)
        if len(found) < limit and len(name) >= MIN_TYPED_FOR_OTHER_NAMES:
            seen = {city["geonameid"] for city in found}
            for city in self.resembling(name, country, limit, prefix=True):
                if city["geonameid"] not in seen and len(found) < limit:
                    found.append(city)
        return found
