"""Search by trust: a minimum rating tier, verified owners only, rating order; blacklisted
owners' listings leave search. All read the owner's row, joined, not computed per listing."""

from __future__ import annotations

from tests.factories import ListingFactory, OrganizationFactory, WarehouseFactory


def listing_of(**owner):
    organization = OrganizationFactory(kind="owner", **owner)
    return ListingFactory(warehouse=WarehouseFactory(organization=organization))


def ids(client, query: str) -> list[int]:
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 200, response.json
    return [hit["listing_id"] for hit in response.json["results"]]


def test_minimum_tier_and_verified_only(client):
    aaa = listing_of(rating_tier="AAA", credit_score=900, verified=True)
    bbb = listing_of(rating_tier="BBB", credit_score=600)
    c = listing_of(rating_tier="C", credit_score=200, verified=True)
    unrated = listing_of()
    assert set(ids(client, "min_tier=BBB")) == {aaa.id, bbb.id}
    assert set(ids(client, "min_tier=C")) == {aaa.id, bbb.id, c.id}
    assert set(ids(client, "verified_only=true")) == {aaa.id, c.id}
    assert ids(client, "verified_only=true&min_tier=A") == [aaa.id]
    assert unrated.id in ids(client, "")


def test_sort_by_rating_puts_the_best_tier_first_then_the_score(client):
    unrated = listing_of(credit_score=990)  # a high score without enough history
    bb = listing_of(rating_tier="BB", credit_score=500)
    aa = listing_of(rating_tier="AA", credit_score=800)
    assert ids(client, "sort=rating") == [aa.id, bb.id, unrated.id]
    near = "sort=rating&near=Rotterdam, NL&radius_km=50"
    assert ids(client, near) == [aa.id, bb.id, unrated.id]


def test_a_blacklisted_owners_listings_leave_search(client):
    kept = listing_of()
    listing_of(blacklisted=True)
    assert ids(client, "") == [kept.id]


def test_an_unknown_tier_is_refused(client):
    response = client.get("/api/v1/search?min_tier=ZZZ")
    assert response.status_code == 422 and "min_tier" in response.json["error"]["fields"]
    page = client.get("/?min_tier=ZZZ")
    assert page.status_code == 422


def test_the_search_page_shows_badges_and_the_filters(client):
    listing_of(rating_tier="A", credit_score=700, verified=True)
    page = client.get("/?verified_only=y&min_tier=BBB")
    assert page.status_code == 200
    assert b"Verified" in page.data and b'class="badge tier tier-a"' in page.data
