"""Many clients at once, each with its own connection: capacity is never overbooked, never
leaked, and every request either holds its units or is refused with insufficient_capacity."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.concurrency_support import isolated_app
from tests.factories import ListingFactory, OrganizationFactory, UserFactory, WarehouseFactory
from tests.helpers import booking_terms, goods
from warehouse_exchange.accounts.models import User
from warehouse_exchange.bookings import capacity
from warehouse_exchange.bookings.commands import (
    BookingRequest,
    accept_booking,
    cancel_booking,
    request_booking,
)
from warehouse_exchange.bookings.models import Booking, CapacityDay
from warehouse_exchange.bookings.rules import HOLDING_STATES
from warehouse_exchange.extensions import db

THREADS = 16
ACTIONS_PER_THREAD = 20


def seed() -> dict:
    owner = UserFactory(organization=OrganizationFactory(kind="owner"))
    tenants = [UserFactory(organization=OrganizationFactory(kind="exporter")) for _ in range(4)]
    today = datetime.now(UTC).date()
    listings = [
        ListingFactory(
            warehouse=WarehouseFactory(organization=owner.organization),
            quantity=quantity,
            instant_book=instant,
            min_quantity=1,
            min_term_days=1,
            available_from=today,
            available_to=today + timedelta(days=60),
        )
        for quantity, instant in ((30, True), (25, False), (40, True))
    ]
    db.session.commit()
    return {
        "owner": owner.id,
        "tenants": [t.id for t in tenants],
        "listings": [(x.id, x.instant_book) for x in listings],
        "today": today,
    }


def client_session(app, ids: dict, seed_value: int) -> Counter:
    """One client: its own app context, session and connection, doing random bookings."""
    rng = random.Random(seed_value)
    outcomes = Counter()
    with app.app_context():
        for _ in range(ACTIONS_PER_THREAD):
            owner = db.session.get(User, ids["owner"])
            tenant = db.session.get(User, rng.choice(ids["tenants"]))
            listing_id, instant = rng.choice(ids["listings"])
            start = ids["today"] + timedelta(days=rng.randint(1, 40))
            request = BookingRequest(
                listing_id,
                rng.randint(1, 12),
                start,
                start + timedelta(days=rng.randint(0, 14)),
                goods(),
            )
            now = datetime.now(UTC)
            try:
                booking = request_booking(tenant, request, booking_terms(), now, ids["today"])
                if not instant:
                    booking = accept_booking(owner, booking.id, now)
                outcomes["held"] += 1
                if rng.random() < 0.2:
                    cancel_booking(tenant, booking.id, "Plans changed", now, ids["today"])
                    outcomes["cancelled"] += 1
            except capacity.InsufficientCapacity:
                outcomes["insufficient_capacity"] += 1
            finally:
                db.session.remove()
    return outcomes


def check_ledger() -> None:
    """Every day row equals the sum of the live bookings over it, and never exceeds capacity."""
    expected = Counter()
    for booking in db.session.scalars(select(Booking)):
        assert booking.holds_capacity == (booking.state in HOLDING_STATES), booking.state
        if not booking.holds_capacity:
            continue
        for day in capacity.days(booking.start_date, booking.end_date):
            expected[(booking.listing_id, day)] += booking.quantity
    rows = db.session.scalars(select(CapacityDay)).all()
    for row in rows:
        assert row.held <= row.capacity
        assert row.held == expected[(row.listing_id, row.day)], (row.listing_id, row.day)
    assert {(r.listing_id, r.day) for r in rows if r.held} == set(expected)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_bookings_never_overbook(backend, tmp_path):
    with isolated_app(backend, tmp_path, pool_size=THREADS + 2) as app:
        with app.app_context():
            ids = seed()
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(lambda n: client_session(app, ids, n), range(THREADS)))
        totals = sum(results, Counter())
        attempts = THREADS * ACTIONS_PER_THREAD
        assert totals["held"] + totals["insufficient_capacity"] == attempts
        assert totals["held"] > 0 and totals["insufficient_capacity"] > 0, totals
        with app.app_context():
            check_ledger()
            live = db.session.scalars(select(Booking).where(Booking.state.in_(HOLDING_STATES)))
            assert len(live.all()) == totals["held"] - totals["cancelled"]
