"""The credit score is a pure function of recorded facts: each factor moves it the right way,
the same history gives the same score, and the stored rating follows the facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from tests.factories import ListingFactory, OrganizationFactory, UserFactory, WarehouseFactory
from tests.helpers import booking_terms, goods, pay_in_full
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.extensions import db
from warehouse_exchange.trust.credit import gather_facts, rate, rate_everyone
from warehouse_exchange.trust.models import CreditRating
from warehouse_exchange.trust.rules import CreditFacts, assess, tier_of

HISTORY = CreditFacts(
    days_on_platform=200,
    leases_completed=3,
    leases_value=20_000,
    instalments_on_time=4,
    reviews=2,
    review_stars=24,
)


@pytest.mark.parametrize(
    ("change", "direction"),
    [
        ({"verified": True}, +1),
        ({"leases_completed": 5}, +1),
        ({"leases_value": 2_000_000}, +1),
        ({"instalments_on_time": 10}, +1),
        ({"instalments_late": 1}, -1),
        ({"instalments_covered": 1}, -1),
        ({"defaults": 1}, -1),
        ({"cancellations": 2}, -1),
        ({"disputes_against": 1}, -1),
        ({"disputes_lost": 1}, -1),
        ({"reviews": 4, "review_stars": 57}, +1),  # a better average, more reviews
        ({"review_stars": 12}, -1),  # two 2-star reviews instead of 4-star ones
        ({"days_on_platform": 800}, +1),
    ],
)
def test_each_factor_moves_the_score_the_right_way(change, direction):
    before = assess(HISTORY).score
    after = assess(replace(HISTORY, **change)).score
    assert (after - before) * direction > 0, (before, after)


def test_the_same_facts_give_the_same_score_and_reasons():
    assert assess(HISTORY) == assess(CreditFacts(**HISTORY.as_dict()))


def test_below_the_minimum_history_the_tier_is_unrated_but_the_score_is_kept():
    fresh = assess(CreditFacts(verified=True))
    assert fresh.tier == "unrated" and fresh.score == 600
    assert fresh.raised_by == [("Verified enterprise", 100)]


def test_the_score_stays_between_0_and_1000():
    awful = CreditFacts(leases_completed=1, defaults=20)
    assert assess(awful).score == 0 and assess(awful).tier == "C"
    best = CreditFacts(
        verified=True, days_on_platform=5000, leases_completed=50, leases_value=10**8,
        instalments_on_time=100, reviews=10, review_stars=150,
    )  # fmt: skip
    assert assess(best).score == 1000 and assess(best).tier == "AAA"


def test_tiers_follow_the_floors():
    assert [tier_of(s) for s in (1000, 850, 849, 750, 650, 550, 450, 350, 349, 0)] == [
        "AAA", "AAA", "AA", "AA", "A", "BBB", "BB", "B", "C", "C",
    ]  # fmt: skip


def test_the_explanation_lists_what_raised_and_lowered_it():
    assessment = assess(replace(HISTORY, instalments_late=1))
    assert ("1 payment made late", -25) in assessment.lowered_by
    assert ("3 completed leases", 60) in assessment.raised_by


NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()


def complete_a_lease(owner, tenant, operator, days=13):
    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    start = TODAY + timedelta(days=1)
    request = BookingRequest(listing.id, 4, start, start + timedelta(days=days), goods())
    booking = accept_booking(
        owner, request_booking(tenant, request, booking_terms(), NOW, TODAY).id, NOW
    )
    pay_in_full(operator, booking)
    after = datetime.combine(start + timedelta(days=days + 2), time(12), tzinfo=UTC)
    advance_leases(after)
    assert booking.state == "completed"
    return booking


def test_completing_a_lease_rates_both_parties_from_their_recorded_facts(owner, exporter, operator):
    booking = complete_a_lease(owner, exporter, operator)
    tenant = exporter.organization
    facts = gather_facts(tenant, NOW)
    assert (facts.leases_completed, facts.instalments_on_time) == (1, 1)
    assert facts.leases_value == booking.total_minor // 100
    assert tenant.rating_tier != "unrated" and tenant.credit_score == assess(facts).score
    assert owner.organization.rating_tier != "unrated"
    stored = db.session.get(CreditRating, tenant.id)
    assert (stored.score, stored.tier) == (tenant.credit_score, tenant.rating_tier)
    assert stored.facts["leases_completed"] == 1  # as counted when the lease completed


def test_two_organizations_with_the_same_history_get_the_same_score(owner, operator):
    created = NOW - timedelta(days=100)
    twins = [
        UserFactory(organization=OrganizationFactory(kind="exporter", created_at=created))
        for _ in range(2)
    ]
    for tenant in twins:
        complete_a_lease(owner, tenant, operator)
    first, second = (rate(t.organization, NOW) for t in twins)
    assert first == second and first.tier != "unrated"


def test_the_nightly_job_rates_everyone(owner, exporter):
    assert rate_everyone(NOW) >= 2
    assert exporter.organization.credit_score == 500
    assert exporter.organization.rating_tier == "unrated"


def test_the_credit_api_reads_unrated_and_unknown_organizations(client, exporter):
    fresh = client.get(f"/api/v1/organizations/{exporter.organization_id}/credit")
    assert fresh.status_code == 200
    assert fresh.json["tier"] == "unrated"
    assert fresh.json["score"] is None or 0 <= fresh.json["score"] <= 1000
    assert client.get("/api/v1/organizations/987654/credit").status_code == 404
