"""Place search that forgives: the gazetteer suggests the place a misspelt name meant, the
search says so instead of answering "not found" after seconds, and a place field gets
suggestions while it is typed in (GET /api/v1/places)."""

from __future__ import annotations

import time

import pytest

from warehouse_exchange.adapters.geocoding import (
    OfflineGazetteer,
    PlaceNotFound,
    locate,
    place_names,
    resembling_places,
    suggest_places,
)


@pytest.mark.parametrize(
    ("misspelt", "meant"),
    [
        ("Singapure", "Singapore, SG"),
        ("Felixstow", "Felixstowe, GB"),
        ("Frankfrut", "Frankfurt am Main, DE"),
    ],
)
def test_a_misspelt_place_suggests_the_place_meant_first(misspelt, meant):
    with pytest.raises(PlaceNotFound) as raised:
        locate(OfflineGazetteer(), misspelt)
    assert raised.value.suggestions[0].query == meant
    assert f"“{meant}”" in raised.value.fields["near"]
    assert raised.value.suggestions[0].label.split(",")[0] in raised.value.message


def test_roterdam_is_a_name_rotterdam_goes_by_and_finds_it():
    place = locate(OfflineGazetteer(), "Roterdam")
    assert place.label == "Rotterdam, Netherlands" and place.country == "NL"
    assert resembling_places("Rotterdm")[0].query == "Rotterdam, NL"


@pytest.mark.parametrize("nonsense", ["Xqzvkpw", "Atlantisville", "Lagos, Japan", "zzzzzzzz"])
def test_nonsense_suggests_nothing(nonsense):
    with pytest.raises(PlaceNotFound) as raised:
        locate(OfflineGazetteer(), nonsense)
    assert raised.value.suggestions == []
    assert raised.value.fields == {"near": "Place not found."}


def test_a_country_given_keeps_suggestions_in_it():
    assert [s.query for s in resembling_places("Hamburgg, DE")] == ["Hamburg, DE"]
    assert all(s.country == "US" for s in resembling_places("Los Angelos, US"))


def test_suggestions_while_typing_start_with_the_largest_place():
    assert suggest_places("rott")[0].query == "Rotterdam, NL"
    assert suggest_places("felixs")[0].query == "Felixstowe, GB"
    assert suggest_places("Singap")[0].label == "Singapore, Singapore"
    assert suggest_places("roterd")[0].query == "Rotterdam, NL"  # a typo already made
    assert suggest_places("bomba")[0].query == "Mumbai, IN"  # by another of its names
    assert [s.country for s in suggest_places("ham, DE")] == ["DE"] * 8
    assert suggest_places("r") == [] and suggest_places("") == []
    assert len(suggest_places("sa")) == 8


def test_misspelt_places_and_suggestions_answer_in_milliseconds():
    place_names()  # the index, built once per process (and in the background at start-up)
    started = time.perf_counter()
    for misspelt in ("Singapure", "Felixstow", "Atlantisville"):
        with pytest.raises(PlaceNotFound):
            locate(OfflineGazetteer(), misspelt)
    misspelt_ms = (time.perf_counter() - started) * 1000 / 3
    typed = ["ro", "rot", "rott", "sa", "sin", "singap", "felixs", "new y", "hamb, DE"]
    started = time.perf_counter()
    for text in typed:
        suggest_places(text)
    typing_ms = (time.perf_counter() - started) * 1000 / len(typed)
    print(f"misspelt place: {misspelt_ms:.2f} ms; suggestions while typing: {typing_ms:.2f} ms")


def test_the_places_api_offers_up_to_eight_places(client):
    response = client.get("/api/v1/places", query_string={"q": "rott"})
    assert response.status_code == 200
    first = response.json["places"][0]
    assert first["query"] == "Rotterdam, NL" and first["label"] == "Rotterdam, Netherlands"
    assert first["country"] == "NL" and round(first["lat"], 1) == 51.9
    assert len(client.get("/api/v1/places?q=sa").json["places"]) == 8
    assert client.get("/api/v1/places?q=s").json == {"places": []}
    assert client.get("/api/v1/places?q=xqzvkpw").json == {"places": []}


@pytest.mark.parametrize(
    "query",
    [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}],
)
def test_the_places_api_refuses_bad_input_clearly(client, query):
    response = client.get("/api/v1/places", query_string=query)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] in ("invalid_input", "unprocessable_entity") and error["fields"]


def test_searching_near_a_misspelt_place_answers_422_with_suggestions(client):
    response = client.get("/api/v1/search", query_string={"near": "Singapure"})
    assert response.status_code == 422
    assert "“Singapore, SG”" in response.json["error"]["fields"]["near"]
    assert "Did you mean Singapore, Singapore" in response.json["error"]["message"]


def test_the_search_page_asks_did_you_mean_with_links_that_search_again(client):
    page = client.get("/?near=Felixstow&quantity=5")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    link = '<a href="/?near=Felixstowe,+GB&amp;quantity=5">Felixstowe, United Kingdom</a>'
    assert f"Did you mean {link}?" in html
    assert '<option value="Felixstowe, GB">Felixstowe, United Kingdom</option>' in html
    assert client.get("/?near=Felixstowe%2C+GB&quantity=5").status_code == 200


def test_the_search_page_says_plainly_when_nothing_resembles_the_place(client):
    html = client.get("/?near=Xqzvkpw").get_data(as_text=True)
    assert "Place not found." in html and "Did you mean" not in html


def test_the_place_field_asks_for_suggestions_from_the_api(client):
    html = client.get("/").get_data(as_text=True)
    assert 'list="place-suggestions"' in html and 'data-place-suggest="/api/v1/places"' in html
    assert '<datalist id="place-suggestions"></datalist>' in html


def test_a_tiny_namesake_does_not_crowd_the_place_meant():
    assert [s.query for s in resembling_places("Singapure")] == ["Singapore, SG"]
    assert [s.query for s in resembling_places("Los Angelos")] == ["Los Angeles, US"]
    # a city's own name is not taken for another that some call so; namesakes fold into one
    assert [s.query for s in resembling_places("Manchestr")] == ["Manchester, GB", "Manchester, US"]
