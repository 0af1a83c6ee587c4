"""Fixtures and helpers shared by the tests: users of each kind, log-in, API tokens."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest

from tests.factories import PASSWORD, OperatorFactory, OrganizationFactory, UserFactory
from warehouse_exchange import create_app
from warehouse_exchange.extensions import db


@contextmanager
def app_with(database_url: str, environment: str = "testing", **overrides):
    """An app with other settings than the shared test app; its engine is closed afterwards."""
    app = create_app(environment, {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def login(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data
    return response


def api_token(client, user, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": password})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.fixture
def owner(app):
    return UserFactory(organization=OrganizationFactory(kind="owner"))


@pytest.fixture
def other_owner(app):
    return UserFactory(organization=OrganizationFactory(kind="owner"))


@pytest.fixture
def exporter(app):
    return UserFactory(organization=OrganizationFactory(kind="exporter", country="CN"))


@pytest.fixture
def operator(app):
    return OperatorFactory()


def booking_terms():
    from warehouse_exchange.bookings.rules import BookingTerms

    return BookingTerms(commission_bp=800, guarantee_bp=200, request_ttl=timedelta(hours=48))


def goods(**changes):
    from warehouse_exchange.bookings.rules import SkuProfile

    profile = {
        "unit_length_cm": 120,
        "unit_width_cm": 80,
        "unit_height_cm": 150,
        "unit_weight_kg": 400,
        "temperature_min_c": 10,
        "temperature_max_c": 30,
        "category": "general",
        "sku_count": 3,
    }
    return SkuProfile(**{**profile, **changes})


def pay_in_full(operator, booking, bank_reference: str | None = None):
    """An operator records a bank transfer of the booking's whole total into escrow."""
    from warehouse_exchange.adapters.clock import utc_now
    from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
    from warehouse_exchange.escrow.rules import payment_reference

    now = utc_now()
    data = ReceiptData(
        payment_reference(booking.id),
        booking.total_minor,
        booking.currency,
        now.date(),
        bank_reference or f"TRANSFER-{booking.id}",
    )
    return record_bank_receipt(operator, data, now, now.date())


def fund_reserve(amount_minor: int, currency: str = "EUR", reference: str | None = None):
    """The platform tops up its guarantee reserve, so that it can cover missed instalments."""
    from warehouse_exchange.adapters.clock import utc_now
    from warehouse_exchange.escrow.reserve import FundingData
    from warehouse_exchange.escrow.reserve import fund_reserve as fund

    reference = reference or f"RESERVE-{currency}-{amount_minor}-{utc_now().timestamp()}"
    return fund(OperatorFactory(), FundingData(amount_minor, currency, reference), utc_now())
