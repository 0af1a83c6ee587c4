"""Places to offer while a place field is typed in, from the offline gazetteer."""

from __future__ import annotations

from ..adapters.geocoding import suggest_places
from ..adapters.place_names import PlaceSuggestion
from ..errors import InvalidInput

#: as long as a search's `near` may be
MAX_TYPED = 200
#: at most this many places are offered at once
MAX_SUGGESTIONS = 8


def places_starting_like(typed: str) -> list[PlaceSuggestion]:
    """Up to eight places for what has been typed so far, best first: names starting with it,
    then names whose beginning resembles it (a typo already made). Fewer than two letters
    suggest nothing: too many places would fit."""
    typed = (typed or "").strip()
    if not typed:
        raise InvalidInput("Type the start of a place name.", {"q": "Empty."})
    if len(typed) > MAX_TYPED:
        raise InvalidInput("The place name is too long.", {"q": f"At most {MAX_TYPED} characters."})
    return suggest_places(typed, MAX_SUGGESTIONS)
