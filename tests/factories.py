"""factory_boy factories for test data: rows as the services would have made them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from warehouse_exchange.catalog import CATEGORY_BITS
from warehouse_exchange.extensions import db
from warehouse_exchange.fx.services import latest_rates, price_rank
from warehouse_exchange.listings.services import refresh_price_ranks
from warehouse_exchange.models import (
    ExchangeRate,
    Listing,
    Organization,
    TemperatureZone,
    User,
    Warehouse,
)

PASSWORD = "correct-horse-battery"
BASE_CURRENCY = "EUR"
#: hashing is slow on purpose; one hash serves every factory-made user
PASSWORD_HASH = generate_password_hash(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganizationFactory(Base):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = "owner"
    country = "NL"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    password_hash = PASSWORD_HASH
    organization = factory.SubFactory(OrganizationFactory)
    role = "admin"


class OperatorFactory(UserFactory):
    organization = None
    role = "operator"


class WarehouseFactory(Base):
    class Meta:
        model = Warehouse

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    address = "Europaweg 1"
    city = "Rotterdam"
    country = "NL"
    latitude = 51.9225
    longitude = 4.47917
    timezone = "Europe/Amsterdam"
    bonded = False
    hazmat_mask = 0
    max_pallet_height_cm = 180
    max_pallet_weight_kg = 1000
    floor_load_kg_m2 = 3000
    services_mask = 0
    certifications = ""
    status = "active"
    temperature_zones = factory.LazyFunction(
        lambda: [TemperatureZone(kind="ambient", min_c=15, max_c=25)]
    )


class ListingFactory(Base):
    class Meta:
        model = Listing

    warehouse = factory.SubFactory(WarehouseFactory)
    title = factory.Sequence(lambda n: f"Pallet space {n}")
    description = ""
    unit = "pallet"
    quantity = 100
    available_from = factory.LazyFunction(date.today)
    available_to = factory.LazyFunction(lambda: date.today() + timedelta(days=365))
    price_minor = 250
    currency = "EUR"
    min_quantity = 1
    min_term_days = 7
    max_unit_length_cm = 120
    max_unit_width_cm = 100
    max_unit_height_cm = 180
    max_unit_weight_kg = 1000
    temperature_min_c = 15
    temperature_max_c = 25
    hazmat_mask = 0
    categories_mask = CATEGORY_BITS["general"] | CATEGORY_BITS["electronics"]
    instant_book = False
    status = "active"
    price_rank = factory.LazyAttribute(
        lambda o: price_rank(o.price_minor, o.currency, latest_rates(BASE_CURRENCY))
    )


class ExchangeRateFactory(Base):
    class Meta:
        model = ExchangeRate

    currency = "USD"
    rate = Decimal("1.08")
    rate_date = factory.LazyFunction(lambda: date.today() - timedelta(days=1))

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # as record_rate does: listings in this currency are re-ranked at once
        if create:
            db.session.flush()
            refresh_price_ranks(instance.currency, latest_rates(BASE_CURRENCY))
