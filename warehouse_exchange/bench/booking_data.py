"""Bookings for the search-under-bookings runs, bulk-loaded with Core inserts.

After data.generate() has made the marketplace, load_bookings() gives a share of its listings
bookings in every state, and the capacity_days rows that the holding ones leave, so that date
searches read a ledger that the bookings explain. A lease that does not fit the free units is
declined, as the service would have refused it; no booking_events rows are written.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select

from ..accounts.models import Organization, User
from ..bookings.models import Booking, CapacityDay
from ..bookings.rules import HOLDING_STATES, BookingTerms, quote
from ..listings.models import Listing
from ..money import Money
from .booking_clients import GOODS, TENANTS
from .bulk import batches, insert_rows
from .data import HOLD_DAYS, ORGANIZATIONS

#: share of bookable listings with bookings; how far into a window a lease may start
BOOKED_LISTING_SHARE = 0.3
START_SPREAD_DAYS = 150
#: share of generated bookings that never held units (declined, cancelled, expired)
NOT_HOLDING_SHARE = 0.15
LISTINGS_PER_CHUNK = 1000


@dataclass(frozen=True)
class Bookable:
    """A listing as the bulk loader needs it; `first` is the first day a lease may take."""

    id: int
    quantity: int
    min_quantity: int
    min_term_days: int
    first: date
    last: date
    price: Money

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _bookable_listings(connection: Connection, today: date) -> list[Bookable]:
    columns = (
        Listing.id, Listing.quantity, Listing.min_quantity, Listing.min_term_days,
        Listing.available_from, Listing.available_to, Listing.price_minor, Listing.currency,
    )  # fmt: skip
    found = []
    for row in connection.execute(select(*columns).order_by(Listing.id)):
        first = max(row.available_from, today - timedelta(days=30))
        listing = Bookable(
            row.id, row.quantity, row.min_quantity, row.min_term_days, first,
            row.available_to, Money(row.price_minor, row.currency),
        )  # fmt: skip
        if listing.days >= listing.min_term_days:
            found.append(listing)
    return found


def _tenant_rows(now: datetime) -> tuple[list[dict], list[dict]]:
    # Ids after generate()'s organizations, which it inserts with explicit ids.
    organizations = [
        {
            "id": ORGANIZATIONS + number,
            "name": f"Bench Exporter {number}",
            "kind": "exporter",
            "country": "CN",
            "created_at": now,
        }
        for number in range(1, TENANTS + 1)
    ]
    users = [
        {
            "id": number,
            "email": f"tenant{number}@bench.invalid",
            "name": f"Bench Tenant {number}",
            "password_hash": "!",
            "organization_id": ORGANIZATIONS + number,
            "role": "admin",
            "active": True,
            "created_at": now,
        }
        for number in range(1, TENANTS + 1)
    ]
    return organizations, users


def _state(rng: random.Random, holds: bool, start: date, end: date, today: date) -> str:
    if not holds:
        return rng.choice(("declined", "cancelled", "expired"))
    if end < today:
        return "completed"
    if start <= today:
        return "active"
    return rng.choice(("accepted", "confirmed"))


@dataclass(frozen=True)
class BulkContext:
    today: date
    now: datetime
    terms: BookingTerms


def _booking_row(
    listing: Bookable,
    units: int,
    start: date,
    end: date,
    state: str,
    rng: random.Random,
    bulk: BulkContext,
) -> dict:
    price = quote(
        listing.price, units, start, end, bulk.terms.commission_bp, bulk.terms.guarantee_bp
    )
    tenant = rng.randint(1, TENANTS)
    return {
        "listing_id": listing.id,
        "tenant_id": ORGANIZATIONS + tenant,
        "requested_by_id": tenant,
        "quantity": units,
        "start_date": start,
        "end_date": end,
        "state": state,
        "holds_capacity": state in HOLDING_STATES,
        **asdict(GOODS),
        "currency": listing.price.currency,
        "subtotal_minor": price.subtotal.amount_minor,
        "commission_minor": price.commission.amount_minor,
        "guarantee_fee_minor": price.guarantee_fee.amount_minor,
        "total_minor": price.total.amount_minor,
        "idempotency_key": None,
        "expires_at": None,
        "created_at": bulk.now,
    }


def _span(rng: random.Random, listing: Bookable) -> tuple[int, int]:
    """(offset of the first day from listing.first, number of days) of one lease."""
    length = min(listing.days, max(listing.min_term_days, rng.randint(*HOLD_DAYS)))
    return rng.randint(0, min(START_SPREAD_DAYS, listing.days - length)), length


def _listing_bookings(
    rng: random.Random, listing: Bookable, count: int, bulk: BulkContext
) -> tuple[list[dict], list[dict]]:
    """`count` bookings of one listing and the ledger rows they leave. A lease that does not
    fit the free units is declined, as the service would have refused it."""
    held = [0] * listing.days
    bookings = []
    for _ in range(count):
        offset, length = _span(rng, listing)
        room = listing.quantity - max(held[offset : offset + length])
        holds = room >= listing.min_quantity and rng.random() >= NOT_HOLDING_SHARE
        low = listing.min_quantity
        units = rng.randint(low, max(low, room // 2)) if holds else low
        if holds:
            for day in range(offset, offset + length):
                held[day] += units
        start = listing.first + timedelta(days=offset)
        end = start + timedelta(days=length - 1)
        state = _state(rng, holds, start, end, bulk.today)
        bookings.append(_booking_row(listing, units, start, end, state, rng, bulk))
    ledger = [
        {
            "listing_id": listing.id,
            "day": listing.first + timedelta(days=offset),
            "capacity": listing.quantity,
            "held": units,
        }
        for offset, units in enumerate(held)
        if units
    ]
    return bookings, ledger


def _spread(rng: random.Random, listings: list[Bookable], count: int) -> list[tuple[Bookable, int]]:
    """Which listings get how many bookings: a share of them, drawn evenly, in id order."""
    booked = rng.sample(listings, max(1, round(len(listings) * BOOKED_LISTING_SHARE)))
    per_listing = Counter(rng.choices(range(len(booked)), k=count))
    return sorted(((booked[n], k) for n, k in per_listing.items()), key=lambda p: p[0].id)


def load_bookings(engine: Engine, count: int, seed: int, bulk: BulkContext) -> tuple[int, int]:
    """Insert `count` bookings and the capacity_days rows they hold. Returns (bookings, days)."""
    rng = random.Random(f"{seed}-bookings")
    loaded = [0, 0]
    with engine.begin() as connection:
        # generate() wrote holds that no booking explains; the ledger is rebuilt from bookings.
        connection.execute(delete(CapacityDay))
        organizations, users = _tenant_rows(bulk.now)
        insert_rows(connection, Organization.__table__, organizations)
        insert_rows(connection, User.__table__, users)
        listings = _bookable_listings(connection, bulk.today)
        if not listings:
            raise RuntimeError("no generated listing has a window long enough to book")
        for chunk in batches(_spread(rng, listings, count), LISTINGS_PER_CHUNK):
            bookings, ledger = [], []
            for listing, number in chunk:
                made, days = _listing_bookings(rng, listing, number, bulk)
                bookings += made
                ledger += days
            loaded[0] += insert_rows(connection, Booking.__table__, bookings)
            loaded[1] += insert_rows(connection, CapacityDay.__table__, ledger)
    return loaded[0], loaded[1]
