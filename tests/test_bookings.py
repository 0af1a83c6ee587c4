"""Bookings through the service layer: quotes, the state machine, capacity and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import ListingFactory, OrganizationFactory, UserFactory, WarehouseFactory
from tests.helpers import booking_terms, goods, pay_in_full
from warehouse_exchange.bookings import capacity
from warehouse_exchange.bookings.commands import (
    BookingRequest,
    accept_booking,
    cancel_booking,
    decline_booking,
    request_booking,
)
from warehouse_exchange.bookings.jobs import advance_leases, expire_stale_requests
from warehouse_exchange.bookings.models import Booking, CapacityDay
from warehouse_exchange.bookings.rules import quote
from warehouse_exchange.errors import Conflict, Forbidden, InvalidInput
from warehouse_exchange.extensions import db
from warehouse_exchange.money import Money

NOW = datetime.now(UTC)
TODAY = NOW.date()
START = TODAY + timedelta(days=10)


@pytest.fixture
def listing(owner):
    return ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        quantity=100,
        price_minor=300,
        min_quantity=5,
        min_term_days=7,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=200),
    )


def ask(actor, listing, quantity=10, start=START, days=14, key=None, **goods_changes):
    request = BookingRequest(
        listing.id, quantity, start, start + timedelta(days=days - 1), goods(**goods_changes), key
    )
    return request_booking(actor, request, booking_terms(), NOW, TODAY)


def held(listing, day) -> int:
    return (
        db.session.scalar(
            select(CapacityDay.held).where(
                CapacityDay.listing_id == listing.id, CapacityDay.day == day
            )
        )
        or 0
    )


def test_quote_shares_add_up_exactly():
    q = quote(Money(333, "EUR"), 7, date(2027, 1, 1), date(2027, 1, 10), 800, 200)
    assert q.subtotal + q.commission + q.guarantee_fee == q.total
    assert q.total == Money(3663, "EUR")  # 33.30 x 1.10
    assert (q.subtotal, q.commission, q.guarantee_fee) == (
        Money(3330, "EUR"),
        Money(266, "EUR"),
        Money(67, "EUR"),
    )
    yen = quote(Money(1, "JPY"), 1, date(2027, 1, 1), date(2027, 1, 3), 800, 200)
    assert (
        yen.subtotal.amount_minor + yen.commission.amount_minor + yen.guarantee_fee.amount_minor
        == yen.total.amount_minor
    )


def test_request_accept_pay_start_complete(owner, exporter, operator, listing):
    booking = ask(exporter, listing)
    assert booking.state == "requested" and not booking.holds_capacity
    assert (booking.subtotal_minor, booking.total_minor) == (6000, 6600)  # 3.00 x 10 x 2 weeks
    assert held(listing, START) == 0
    accept_booking(owner, booking.id, NOW)
    assert booking.state == "accepted" and held(listing, START) == 10
    pay_in_full(operator, booking)
    assert booking.state == "confirmed"
    start_moment = datetime.combine(START, datetime.min.time(), UTC) + timedelta(hours=12)
    assert advance_leases(start_moment) == 1 and booking.state == "active"
    end_moment = start_moment + timedelta(days=15)
    assert advance_leases(end_moment) == 1 and booking.state == "completed"
    assert [e.to_state for e in booking.events] == [
        "requested",
        "accepted",
        "confirmed",
        "active",
        "completed",
    ]
    assert booking.events[1].actor_id == owner.id and booking.events[3].actor_id is None


def test_instant_book_holds_at_once(exporter, listing):
    listing.instant_book = True
    booking = ask(exporter, listing, quantity=30)
    assert booking.state == "accepted" and held(listing, START + timedelta(days=13)) == 30
    assert held(listing, START + timedelta(days=14)) == 0


def test_decline_and_cancel_give_capacity_back(owner, exporter, listing):
    first = ask(exporter, listing, quantity=40)
    accept_booking(owner, first.id, NOW)
    second = ask(exporter, listing, quantity=60)
    decline_booking(owner, second.id, "Reserved for a regular customer", NOW)
    assert second.state == "declined" and second.events[-1].reason.startswith("Reserved")
    cancel_booking(exporter, first.id, "Shipment delayed", NOW, TODAY)
    assert first.state == "cancelled" and held(listing, START) == 0


def test_capacity_can_never_be_overbooked(owner, exporter, listing):
    accept_booking(owner, ask(exporter, listing, quantity=70).id, NOW)
    waiting = ask(exporter, listing, quantity=30, start=START + timedelta(days=5))
    with pytest.raises(capacity.InsufficientCapacity) as refused:
        ask(exporter, listing, quantity=31, start=START + timedelta(days=13))
    assert "Only 30 of" in refused.value.message or "Only 30 units" in refused.value.message
    late = ask(exporter, listing, quantity=30, start=START + timedelta(days=13))
    accept_booking(owner, late.id, NOW)
    with pytest.raises(capacity.InsufficientCapacity):
        accept_booking(owner, waiting.id, NOW)  # the late one took the overlap meanwhile
    assert waiting.state == "requested" and held(listing, START + timedelta(days=13)) == 100


def test_database_check_refuses_overbooking_behind_the_services_back(listing):
    capacity.hold(listing, START, START, 100)
    with pytest.raises(capacity.InsufficientCapacity):
        capacity.hold(listing, START, START, 1)
    assert held(listing, START) == 100


def test_illegal_transitions_are_conflicts_naming_the_allowed_states(owner, exporter, listing):
    booking = ask(exporter, listing)
    accept_booking(owner, booking.id, NOW)
    with pytest.raises(Conflict, match="only requested bookings can"):
        accept_booking(owner, booking.id, NOW)
    with pytest.raises(Conflict, match="only requested bookings can"):
        decline_booking(owner, booking.id, "no", NOW)
    assert held(listing, START) == 10


def test_only_the_right_parties_act(owner, other_owner, exporter, operator, listing):
    booking = ask(exporter, listing)
    with pytest.raises(Forbidden):
        accept_booking(other_owner, booking.id, NOW)
    with pytest.raises(Forbidden):
        accept_booking(exporter, booking.id, NOW)
    with pytest.raises(Forbidden):
        cancel_booking(other_owner, booking.id, "x", NOW, TODAY)
    with pytest.raises(Forbidden):
        pay_in_full(owner, booking)
    with pytest.raises(Forbidden):
        ask(owner, listing)  # an owner-only organization does not rent space
    both = UserFactory(organization=owner.organization)
    owner.organization.kind = "both"
    with pytest.raises(Forbidden, match="your own listing"):
        ask(both, listing)
    assert booking.state == "requested"


BAD_REQUESTS = [
    ({"quantity": 101}, InvalidInput),  # more than the listing offers at all
    ({"quantity": 2}, InvalidInput),  # below the minimum of 5
    ({"quantity": 0}, InvalidInput),
    ({"days": 3}, InvalidInput),  # below the minimum term
    ({"start": TODAY - timedelta(days=1)}, InvalidInput),
    ({"start": TODAY + timedelta(days=195)}, InvalidInput),  # beyond the window
    ({"days": 0}, InvalidInput),  # ends before it starts
    ({"unit_weight_kg": 5000}, InvalidInput),
    ({"unit_length_cm": 200, "unit_width_cm": 200}, InvalidInput),
    ({"temperature_min_c": 18, "temperature_max_c": 22}, InvalidInput),  # kept at 15-25
    ({"hazmat_class": 3}, InvalidInput),
    ({"category": "food"}, InvalidInput),
    ({"temperature_min_c": 30, "temperature_max_c": 10}, InvalidInput),
]


@pytest.mark.parametrize(("change", "error"), BAD_REQUESTS)
def test_bad_requests_change_nothing(exporter, listing, change, error):
    with pytest.raises(error):
        ask(exporter, listing, **change)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert db.session.scalar(select(func.count()).select_from(CapacityDay)) == 0


def test_archived_or_paused_listings_cannot_be_booked(exporter, listing):
    listing.status = "paused"
    with pytest.raises(Conflict, match="paused"):
        ask(exporter, listing)


def test_a_replayed_request_returns_the_first_booking(exporter, listing):
    first = ask(exporter, listing, key="order-4711")
    again = ask(exporter, listing, key="order-4711")
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
    with pytest.raises(Conflict, match="idempotency key"):
        ask(exporter, listing, quantity=20, key="order-4711")
    other_tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
    assert ask(other_tenant, listing, key="order-4711").id != first.id


def test_unanswered_requests_expire(owner, exporter, listing):
    booking = ask(exporter, listing)
    assert expire_stale_requests(NOW + timedelta(hours=47)) == 0
    assert expire_stale_requests(NOW + timedelta(hours=49)) == 1
    assert booking.state == "expired"
    with pytest.raises(Conflict):
        accept_booking(owner, booking.id, NOW + timedelta(hours=50))


def test_started_leases_cannot_be_cancelled(owner, exporter, operator, listing):
    booking = ask(exporter, listing)
    accept_booking(owner, booking.id, NOW)
    pay_in_full(operator, booking)
    with pytest.raises(Conflict, match="started"):
        cancel_booking(exporter, booking.id, "changed my mind", NOW, START)


def test_shrinking_a_listing_below_what_is_held_names_the_bookings(owner, exporter, listing):
    booking = ask(exporter, listing, quantity=60)
    accept_booking(owner, booking.id, NOW)
    from warehouse_exchange.listings.services import ListingData, update_listing

    data = ListingData(
        title="Smaller",
        unit="pallet",
        quantity=50,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=200),
        price_minor=300,
        currency="EUR",
        max_unit_length_cm=120,
        max_unit_width_cm=100,
        max_unit_height_cm=180,
        max_unit_weight_kg=1000,
        temperature_min_c=15,
        temperature_max_c=25,
        categories=["general"],
        min_quantity=5,
    )
    with pytest.raises(Conflict, match=f"#{booking.id}"):
        update_listing(owner, listing.id, data, TODAY)
    db.session.expire_all()
    assert listing.quantity == 100 and listing.title != "Smaller"
    short = {**data.__dict__, "quantity": 100, "available_to": START + timedelta(days=5)}
    with pytest.raises(Conflict, match=f"#{booking.id}"):
        update_listing(owner, listing.id, ListingData(**short), TODAY)
    bigger = update_listing(
        owner,
        listing.id,
        ListingData(**{**short, "quantity": 60, "available_to": TODAY + timedelta(days=200)}),
        TODAY,
    )
    assert bigger.quantity == 60 and held(listing, START) == 60
