"""The smoke run's marketplace: the demo data loaded as if it had started weeks ago, so that
leases are due to start and escrow is due for release; a few hot
listings that the bookers fight over; fresh organizations that upload documents; and a bearer
token for every user the traffic acts as."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import flask_migrate
from flask import Flask, current_app
from sqlalchemy import select

from .. import PROJECT_ROOT, create_app
from ..accounts.models import User
from ..accounts.services import Registration, issue_api_token, register_organization
from ..adapters.clock import utc_now, utc_today
from ..blacklist.guards import blacklisting
from ..bookings.commands import BookingRequest, accept_booking, request_booking
from ..bookings.rules import BookingState, BookingTerms, SkuProfile
from ..demo import OPERATOR, PASSWORD, load_demo_data
from ..escrow.bank_receipts import ReceiptData, record_bank_receipt
from ..escrow.rules import payment_reference
from ..extensions import db
from ..listings.models import Listing
from ..listings.rules import ListingStatus

#: how long ago the demo marketplace "opened": its paid leases have started since
DAYS_AGO = 45
HOT_LISTINGS = 3
UPLOADERS = 4
#: leases paid when the marketplace opened, due to start and release during the run
PAST_LEASES = 30
SMOKE_SECRET = "smoke-run-only-secret"


@dataclass(frozen=True)
class HotListing:
    id: int
    owner_organization_id: int
    owner_token: str
    first_day: date
    last_day: date
    min_days: int
    min_units: int
    max_units: int
    temperature: tuple[int, int]
    max_weight_kg: int


@dataclass(frozen=True)
class Scenario:
    operator_token: str
    operator_email: str
    password: str
    #: (organization id, token) of every exporter that books
    bookers: list[tuple[int, str]]
    hot_listings: list[HotListing]
    uploader_tokens: list[str]


def smoke_app(database_url: str, overrides: dict | None = None) -> Flask:
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SMOKE_SECRET}
    return create_app("production", {**settings, **(overrides or {})})


def build(database_url: str, storage: dict) -> Scenario:
    """Migrate the empty database to head and load the marketplace into it, its files into
    the given file store."""
    app = smoke_app(database_url, storage)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise here
    with app.app_context():
        flask_migrate.upgrade(directory=str(PROJECT_ROOT / "migrations"))
        opened = utc_today() - timedelta(days=DAYS_AGO)
        load_demo_data(current_app.extensions["geocoder"], opened)
        now = utc_now()
        hot_listings = _hot_listings(now)
        _past_leases(opened, {hot.id for hot in hot_listings}, _exporters(opened))
        scenario = Scenario(
            operator_token=_token(_user(OPERATOR[0]), now),
            operator_email=OPERATOR[0],
            password=PASSWORD,
            bookers=[(u.organization_id, _token(u, now)) for u in _exporters(now.date())],
            hot_listings=hot_listings,
            uploader_tokens=[_token(_uploader(number), now) for number in range(UPLOADERS)],
        )
    with app.app_context():
        db.engine.dispose()
    return scenario


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _token(user: User, now: datetime) -> str:
    return issue_api_token(user, "smoke run", now, 1)[1]


def _exporters(today: date) -> list[User]:
    """Every user whose organization rents space and is not on the blacklist."""
    users = db.session.scalars(select(User).where(User.role != "operator")).all()
    return [
        user
        for user in users
        if user.organization.rents_space and blacklisting(user.organization_id, today) is None
    ]


def _hot_listings(now: datetime) -> list[HotListing]:
    """General-goods listings open from today for a few months, the first of each owner."""
    today = now.date()
    chosen, owners = [], set()
    for listing in reversed(_general_listings(today)):
        owner = listing.warehouse.organization_id
        if owner in owners or listing.available_to < today + timedelta(days=120):
            continue
        owners.add(owner)
        chosen.append(_hot(listing, today, now))
        if len(chosen) == HOT_LISTINGS:
            break
    return chosen


def _hot(listing: Listing, today: date, now: datetime) -> HotListing:
    owner = listing.warehouse.organization.members[0]
    return HotListing(
        id=listing.id,
        owner_organization_id=listing.warehouse.organization_id,
        owner_token=_token(owner, now),
        first_day=max(today + timedelta(days=1), listing.available_from),
        last_day=min(listing.available_to, today + timedelta(days=120)),
        min_days=max(listing.min_term_days, 7),
        min_units=listing.min_quantity,
        max_units=max(listing.min_quantity, listing.quantity // 6),
        temperature=(listing.temperature_min_c, listing.temperature_max_c),
        max_weight_kg=min(300, listing.max_unit_weight_kg),
    )


def _past_leases(opened: date, hot: set[int], tenants: list[User]) -> None:
    """Leases booked and paid when the marketplace opened, started since: the lease and
    release jobs find them due to begin and their first months due for release."""
    rng = random.Random(PAST_LEASES)
    terms = BookingTerms.from_config(current_app.config)
    when = datetime.combine(opened, time(9), UTC)
    operator = _user(OPERATOR[0])
    for listing in _general_listings(opened)[:PAST_LEASES]:
        if listing.id in hot:
            continue
        start = max(listing.available_from, opened + timedelta(days=1))
        start += timedelta(days=rng.randint(0, 10))
        end = start + timedelta(days=max(listing.min_term_days, 60) - 1)
        tenant = rng.choice(
            [t for t in tenants if t.organization_id != listing.warehouse.organization_id]
        )
        if end <= listing.available_to:
            _book_and_pay(tenant, operator, listing, start, end, terms, when)


def _book_and_pay(tenant, operator, listing, start, end, terms, when: datetime) -> None:
    low, high = listing.temperature_min_c, listing.temperature_max_c
    goods = SkuProfile(80, 60, 100, min(300, listing.max_unit_weight_kg), low, high, "general", 5)
    request = BookingRequest(listing.id, listing.min_quantity, start, end, goods,
                             f"smoke-past-{listing.id}")  # fmt: skip
    booking = request_booking(tenant, request, terms, when, when.date())
    if booking.state == BookingState.REQUESTED:
        booking = accept_booking(listing.warehouse.organization.members[0], booking.id, when)
    receipt = ReceiptData(payment_reference(booking.id), booking.total_minor, booking.currency,
                          when.date(), f"SMOKE-PAST-{booking.id}")  # fmt: skip
    record_bank_receipt(operator, receipt, when, when.date())


def _general_listings(today: date) -> list[Listing]:
    return [
        listing
        for listing in db.session.scalars(
            select(Listing)
            .where(Listing.status == ListingStatus.ACTIVE, Listing.hazmat_mask == 0)
            .order_by(Listing.id)
        )
        if "general" in listing.categories
    ]


def _uploader(number: int) -> User:
    """An exporter that has not asked for verification, so that it may send documents."""
    return register_organization(
        Registration(
            organization_name=f"Smoke Uploader {number}",
            kind="exporter",
            country="NL",
            name=f"Uploader {number}",
            email=f"uploader{number}@smoke.example",
            password="tidal-basin-ledger-42",
        )
    )
