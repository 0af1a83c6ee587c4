"""Property test: random sequences of booking actions never reach an undeclared state and never
leak or double-count capacity."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, select

from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import booking_terms, goods
from tests.test_concurrency import check_ledger
from warehouse_exchange.bookings.models import Booking, BookingEvent, CapacityDay
from warehouse_exchange.bookings.rules import TRANSITIONS
from warehouse_exchange.bookings.services import (
    BookingRequest,
    accept_booking,
    advance_leases,
    cancel_booking,
    decline_booking,
    expire_stale_requests,
    mark_paid,
    request_booking,
)
from warehouse_exchange.errors import DomainError
from warehouse_exchange.extensions import db

NOW = datetime(2031, 3, 2, 12, tzinfo=UTC)
TODAY = NOW.date()


def test_booking_state_machine(app, owner, exporter, operator):
    listings = [
        ListingFactory(
            warehouse=WarehouseFactory(organization=owner.organization),
            quantity=10,
            instant_book=instant,
            min_quantity=1,
            min_term_days=1,
            available_from=TODAY,
            available_to=TODAY + timedelta(days=30),
        )
        for instant in (False, True)
    ]

    class Bookings(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.clock = NOW

        @rule(
            listing=st.sampled_from(listings),
            quantity=st.integers(1, 12),
            offset=st.integers(0, 20),
            days=st.integers(1, 8),
        )
        def ask(self, listing, quantity, offset, days):
            start = TODAY + timedelta(days=offset)
            request = BookingRequest(
                listing.id, quantity, start, start + timedelta(days=days - 1), goods()
            )
            self._try(request_booking, exporter, request, booking_terms(), self.clock, TODAY)

        @rule(data=st.data())
        def act(self, data):
            ids = db.session.scalars(select(Booking.id)).all()
            if not ids:
                return
            booking_id = data.draw(st.sampled_from(ids))
            action = data.draw(st.sampled_from(["accept", "decline", "cancel", "pay"]))
            calls = {
                "accept": (accept_booking, owner, booking_id, self.clock),
                "decline": (decline_booking, owner, booking_id, "No room", self.clock),
                "cancel": (
                    cancel_booking,
                    exporter,
                    booking_id,
                    "Changed plans",
                    self.clock,
                    self.clock.date(),
                ),
                "pay": (mark_paid, operator, booking_id, self.clock),
            }
            self._try(*calls[action])

        @rule(hours=st.integers(1, 24 * 12))
        def time_passes(self, hours):
            self.clock += timedelta(hours=hours)
            expire_stale_requests(self.clock)
            advance_leases(self.clock)

        def _try(self, function, *args):
            # refusals are fine; what they leave behind is checked by the invariant
            with contextlib.suppress(DomainError):
                function(*args)

        @invariant()
        def states_are_declared_and_capacity_balances(self):
            db.session.expire_all()
            for booking in db.session.scalars(select(Booking)):
                assert booking.state in TRANSITIONS
                for event in booking.events:
                    assert (
                        event.from_state is None or event.to_state in TRANSITIONS[event.from_state]
                    )
            check_ledger()

        def teardown(self):
            for model in (BookingEvent, Booking, CapacityDay):
                db.session.execute(delete(model))
            db.session.commit()

    run_state_machine_as_test(
        Bookings,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
