"""Reviews: each party reviews the other once after the lease is over, the reviewed party
answers once, an operator hides an abusive one; every refusal is a 4xx that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import ListingFactory, OrganizationFactory, UserFactory, WarehouseFactory
from tests.helpers import api_token, booking_terms, goods, login, pay_in_full
from tests.test_credit_score import NOW, TODAY, complete_a_lease
from warehouse_exchange.bookings.commands import (
    BookingRequest,
    accept_booking,
    cancel_booking,
    request_booking,
)
from warehouse_exchange.errors import Conflict, Forbidden, InvalidInput
from warehouse_exchange.extensions import db
from warehouse_exchange.trust import reviews
from warehouse_exchange.trust.models import Review
from warehouse_exchange.trust.reviews import ReviewData

GOOD = ReviewData(5, 4, 5, "Dry, clean and on time.")


@pytest.fixture
def lease(owner, exporter, operator):
    return complete_a_lease(owner, exporter, operator)


def test_each_party_reviews_the_other_once(owner, exporter, lease):
    about_owner = reviews.review_lease(exporter, lease.id, GOOD, NOW)
    about_tenant = reviews.review_lease(owner, lease.id, ReviewData(3, 3, 4), NOW)
    assert (about_owner.subject_id, about_owner.subject_role) == (owner.organization_id, "owner")
    assert (about_tenant.subject_id, about_tenant.subject_role) == (
        exporter.organization_id, "tenant",
    )  # fmt: skip
    summary = reviews.review_summary(owner.organization_id)
    assert summary.count == 1 and summary.average == pytest.approx(4.67)
    assert summary.aspects["owner"][0] == ("Space as described", 5.0)
    with pytest.raises(Conflict):
        reviews.review_lease(exporter, lease.id, GOOD, NOW)
    assert db.session.query(Review).count() == 2


def test_a_review_raises_or_lowers_the_subjects_score(owner, exporter, lease):
    before = owner.organization.credit_score
    reviews.review_lease(exporter, lease.id, ReviewData(1, 1, 1, "Wet floor"), NOW)
    assert owner.organization.credit_score < before


def test_outsiders_and_operators_cannot_review(lease, other_owner, operator):
    for someone in (other_owner, operator):
        with pytest.raises(Forbidden):
            reviews.review_lease(someone, lease.id, GOOD, NOW)
    assert db.session.query(Review).count() == 0


def test_a_lease_that_is_not_over_cannot_be_reviewed(owner, exporter, operator):
    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    start = TODAY + timedelta(days=3)
    request = BookingRequest(listing.id, 2, start, start + timedelta(days=13), goods())
    booking = request_booking(exporter, request, booking_terms(), NOW, TODAY)
    with pytest.raises(Conflict) as refused:
        reviews.review_lease(exporter, booking.id, GOOD, NOW)
    assert "not over" in refused.value.message
    accept_booking(owner, booking.id, NOW)
    pay_in_full(operator, booking)
    cancel_booking(exporter, booking.id, "Plans changed", NOW, TODAY)
    # a paid lease cancelled before it started ended early: it can be reviewed
    assert reviews.review_lease(owner, booking.id, ReviewData(2, 4, 3), NOW).subject_role == (
        "tenant"
    )


@pytest.mark.parametrize("stars", [0, 6, None, -1, True])
def test_stars_outside_1_to_5_are_refused(exporter, lease, stars):
    with pytest.raises(InvalidInput) as refused:
        reviews.review_lease(exporter, lease.id, ReviewData(stars, 4, 4), NOW)
    assert list(refused.value.fields) == ["aspect_1"]
    assert db.session.query(Review).count() == 0


def test_the_reviewed_party_answers_once(owner, exporter, lease):
    review = reviews.review_lease(exporter, lease.id, GOOD, NOW)
    with pytest.raises(Forbidden):
        reviews.reply_to_review(exporter, review.id, "Thanks to us", NOW)
    reviews.reply_to_review(owner, review.id, "Thank you, come again.", NOW)
    with pytest.raises(Conflict):
        reviews.reply_to_review(owner, review.id, "And again", NOW)
    assert review.reply == "Thank you, come again."


def test_an_operator_hides_an_abusive_review_with_a_reason(owner, exporter, operator, lease):
    review = reviews.review_lease(exporter, lease.id, ReviewData(1, 1, 1, "Insults"), NOW)
    with pytest.raises(Forbidden):
        reviews.hide_review(owner, review.id, "I do not like it", NOW)
    with pytest.raises(InvalidInput):
        reviews.hide_review(operator, review.id, "", NOW)
    reviews.hide_review(operator, review.id, "Abusive language", NOW)
    assert review.hidden_reason == "Abusive language"
    assert reviews.reviews_of(owner.organization_id, 1, 10).items == []
    assert reviews.review_summary(owner.organization_id).count == 0


# pages and API


def test_review_page_keeps_input_and_shows_errors_beside_fields(client, exporter, lease):
    login(client, exporter)
    page = client.get(f"/trust/bookings/{lease.id}/review")
    assert page.status_code == 200 and b"Space as described" in page.data
    refused = client.post(
        f"/trust/bookings/{lease.id}/review",
        data={"aspect_1": "7", "aspect_2": "4", "communication": "5", "comment": "Kept"},
    )
    assert refused.status_code == 422 and b"Kept" in refused.data
    done = client.post(
        f"/trust/bookings/{lease.id}/review",
        data={"aspect_1": "5", "aspect_2": "4", "communication": "5", "comment": "Great"},
    )
    assert done.status_code == 302
    again = client.post(
        f"/trust/bookings/{lease.id}/review",
        data={"aspect_1": "5", "aspect_2": "4", "communication": "5"},
    )
    assert again.status_code == 409
    profile = client.get(done.headers["Location"])
    assert b"Great" in profile.data


def test_api_reviews_with_the_same_rules(client, owner, exporter, lease):
    headers = api_token(client, exporter)
    body = {"aspect_1": 5, "aspect_2": 4, "communication": 5, "comment": "Fine"}
    bad = client.post(
        f"/api/v1/bookings/{lease.id}/reviews", json={**body, "aspect_1": 9}, headers=headers
    )
    assert bad.status_code == 422 and "aspect_1" in bad.json["error"]["fields"]
    made = client.post(f"/api/v1/bookings/{lease.id}/reviews", json=body, headers=headers)
    assert made.status_code == 201, made.json
    again = client.post(f"/api/v1/bookings/{lease.id}/reviews", json=body, headers=headers)
    assert again.status_code == 409
    outsider = UserFactory(organization=OrganizationFactory(kind="exporter"))
    forbidden = client.post(
        f"/api/v1/bookings/{lease.id}/reviews", json=body, headers=api_token(client, outsider)
    )
    assert forbidden.status_code == 403
    listed = client.get(f"/api/v1/organizations/{owner.organization_id}/reviews").json
    assert [r["comment"] for r in listed["results"]] == ["Fine"]
    profile = client.get(f"/api/v1/organizations/{owner.organization_id}").json
    assert profile["review_summary"]["count"] == 1
    assert {"verified", "credit_score", "rating_tier"} <= set(profile)


def test_api_reply_and_hide(client, owner, exporter, operator, lease):
    review = reviews.review_lease(exporter, lease.id, GOOD, NOW)
    reply = client.post(
        f"/api/v1/reviews/{review.id}/reply",
        json={"reply": "Thanks"},
        headers=api_token(client, owner),
    )
    assert reply.status_code == 200 and reply.json["reply"] == "Thanks"
    not_operator = client.post(
        f"/api/v1/reviews/{review.id}/hide",
        json={"reason": "No"},
        headers=api_token(client, owner),
    )
    assert not_operator.status_code == 403
    hidden = client.post(
        f"/api/v1/reviews/{review.id}/hide",
        json={"reason": "Abuse"},
        headers=api_token(client, operator),
    )
    assert hidden.status_code == 200 and hidden.json["hidden"] is True


def test_the_review_button_gives_way_to_the_review_once_written(client, owner, exporter, lease):
    login(client, exporter)
    button = f'href="/trust/bookings/{lease.id}/review"'
    assert button in client.get(f"/bookings/{lease.id}").get_data(as_text=True)
    reviews.review_lease(exporter, lease.id, GOOD, NOW)
    page = client.get(f"/bookings/{lease.id}").get_data(as_text=True)
    assert button not in page
    assert f"Your organization reviewed {owner.organization.name} on {NOW:%Y-%m-%d}" in page
    client.post("/logout")
    login(client, owner)  # the other party has not reviewed yet: its button stays
    assert button in client.get(f"/bookings/{lease.id}").get_data(as_text=True)
