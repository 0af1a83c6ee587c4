"""Bookings under load, and search over a marketplace full of bookings: the `bookings` command.

Throughput: N client threads make instant-book requests on a few "hot" listings, first through
the service layer and then through HTTP against gunicorn (the clients are in booking_clients.py,
the server in servers.py). The listings are few on purpose, so that clients queue on the same
listing locks; their first days are sold before the run, so that refusals
(insufficient_capacity) are a steady part of the load. Every run gets new hot listings and so
starts from the same ledger. After each run capacity_check.py rebuilds the ledger from the
bookings and compares it with capacity_days.

Search: generate() makes the marketplace; booking_data.py bulk-loads bookings and the ledger they
leave; then search shapes are timed with bench/search.py.

This module seeds the parties and hot listings, runs the parts and prints their tables.
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from time import perf_counter

from flask import Flask, current_app

from ..accounts.models import Organization, User
from ..accounts.services import issue_api_token
from ..adapters.clock import utc_now, utc_today
from ..bookings.commands import BookingRequest, request_booking
from ..bookings.rules import BookingTerms
from ..catalog import CATEGORY_BITS
from ..extensions import db
from ..listings.models import Listing
from ..warehouses.models import Warehouse
from . import search
from .booking_clients import (
    BOOKED,
    GOODS,
    HOT_WINDOW_DAYS,
    PEAK_DAYS,
    PEAK_FREE_UNITS,
    PEAK_SHARE,
    REFUSED,
    TENANTS,
    Budget,
    Client,
    HotListings,
    Run,
    http_client,
    measure,
    run_clients,
    service_client,
)
from .booking_data import BulkContext, load_bookings
from .capacity_check import ledger_line
from .data import analyze, generate
from .database import bench_app, fresh_database, pooled_app, server_version
from .report import ScaleRun, print_scale, summarize
from .servers import gunicorn

PARTS = ("service", "http", "search")
#: untimed load before the runs: connections, statement caches and gunicorn workers warm up
WARM_UP_SECONDS = 3.0


@dataclass(frozen=True)
class Parties:
    warehouse_id: int
    #: user ids of the exporters' admins
    tenants: list[int]


# --- parties and hot listings -----------------------------------------------------------------


def _seed_parties() -> Parties:
    owner = Organization(name="Bench Owner", kind="owner", country="NL")
    warehouse = Warehouse(
        organization=owner, name="Bench DC", address="Europaweg 1", city="Rotterdam",
        country="NL", latitude=51.92, longitude=4.48, timezone="Europe/Amsterdam",
        bonded=False, hazmat_mask=0, max_pallet_height_cm=180, max_pallet_weight_kg=1000,
        floor_load_kg_m2=3000, services_mask=0, certifications="", status="active",
    )  # fmt: skip
    tenants = [
        User(
            email=f"tenant{number}@bench.invalid",
            name=f"Bench Tenant {number}",
            password_hash="!",  # no password logs in: the benchmark uses API tokens
            organization=Organization(
                name=f"Bench Exporter {number}", kind="exporter", country="CN"
            ),
            role="admin",
        )
        for number in range(TENANTS)
    ]
    db.session.add_all([warehouse, *tenants])
    db.session.commit()
    return Parties(warehouse.id, [tenant.id for tenant in tenants])


def _hot_listings(parties: Parties, count: int, units: int) -> HotListings:
    # From tomorrow: a run that crosses midnight UTC never asks for a day in the past.
    first_day = utc_today() + timedelta(days=1)
    listings = [
        Listing(
            warehouse_id=parties.warehouse_id,
            title=f"Hot pallet space {number}",
            unit="pallet",
            quantity=units,
            available_from=first_day,
            available_to=first_day + timedelta(days=HOT_WINDOW_DAYS - 1),
            price_minor=250,
            currency="EUR",
            min_quantity=1,
            min_term_days=1,
            max_unit_length_cm=120,
            max_unit_width_cm=100,
            max_unit_height_cm=180,
            max_unit_weight_kg=1000,
            temperature_min_c=15,
            temperature_max_c=25,
            hazmat_mask=0,
            categories_mask=CATEGORY_BITS["general"],
            instant_book=True,
            status="active",
        )
        for number in range(count)
    ]
    db.session.add_all(listings)
    db.session.commit()
    hot = HotListings([listing.id for listing in listings], units, first_day)
    _sell_peak(hot, parties.tenants[0])
    return hot


def _sell_peak(hot: HotListings, tenant_id: int) -> None:
    """Through the service, so that the ledger holds exactly what the bookings say."""
    terms = BookingTerms.from_config(current_app.config)
    last_day = hot.first_day + timedelta(days=PEAK_DAYS - 1)
    for listing_id in hot.ids:
        request = BookingRequest(
            listing_id, max(1, hot.units - PEAK_FREE_UNITS), hot.first_day, last_day, GOODS
        )
        actor = db.session.get(User, tenant_id)
        request_booking(actor, request, terms, utc_now(), utc_today())


# --- throughput runs --------------------------------------------------------------------------


def _service_runs(app: Flask, parties: Parties, args: argparse.Namespace) -> list[Run]:
    def client(hot: HotListings, budget: Budget) -> Client:
        return service_client(app, hot, parties.tenants, budget, args.seed)

    return _runs("service layer", parties, args, client)


def _http_runs(url: str, parties: Parties, args: argparse.Namespace) -> list[Run]:
    tenants = [parties.tenants[number % TENANTS] for number in range(max(args.clients))]
    tokens = [
        issue_api_token(db.session.get(User, tenant), f"bench client {number}", utc_now())[1]
        for number, tenant in enumerate(tenants)
    ]
    with gunicorn(url, args.gunicorn_workers, args.gunicorn_threads) as address:

        def client(hot: HotListings, budget: Budget) -> Client:
            return http_client(address, tokens, hot, budget, args.seed)

        return _runs("HTTP", parties, args, client)


def _runs(
    label: str, parties: Parties, args: argparse.Namespace, client: Callable[..., Client]
) -> list[Run]:
    warm_up = _hot_listings(parties, args.hot_listings, args.units)
    run_clients(max(args.clients), client(warm_up, Budget(WARM_UP_SECONDS)))
    runs = []
    for clients in args.clients:
        hot = _hot_listings(parties, args.hot_listings, args.units)
        runs.append(measure(label, clients, hot, client(hot, args.budget)))
    return runs


def print_runs(heading: str, workload: str, runs: list[Run]) -> None:
    print()
    print(f"== {heading} ==")
    print(workload)
    print(
        f"{'clients':>7} {'attempts':>8} {'booked':>7} {'refused':>7} {'errors':>6}"
        f" {'booked/s':>8} {'tries/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        f" {'booked p50':>10} {'booked p95':>10} {'fill':>5}"
    )
    for run in runs:
        tally, latency = run.tally, summarize(run.tally.seconds)
        booked = summarize(tally.booked_seconds) if tally.booked_seconds else None
        print(
            f"{run.clients:>7} {len(tally.seconds):>8} {tally.outcomes[BOOKED]:>7}"
            f" {tally.outcomes[REFUSED]:>7} {tally.errors:>6}"
            f" {tally.outcomes[BOOKED] / run.wall_seconds:>8.1f}"
            f" {len(tally.seconds) / run.wall_seconds:>8.1f} {latency.p50:>8.2f}"
            f" {latency.p95:>8.2f} {latency.max:>8.2f}"
            f" {booked.p50 if booked else 0:>10.2f} {booked.p95 if booked else 0:>10.2f}"
            f" {run.fill:>5.0%}"
        )
    for run in runs:
        for outcome, count in run.tally.outcomes.items():
            if outcome not in (BOOKED, REFUSED):
                example = run.tally.examples.get(outcome, "")
                print(f"  {run.clients} clients: {count} x {outcome}: {example}")


def _heading(way: str, args: argparse.Namespace, version: str) -> str:
    return f"bookings through {way}, {args.database} ({version}), {args.budget.describe()}"


def _workload(args: argparse.Namespace) -> str:
    return (
        f"{args.hot_listings} hot instant-book listings of {args.units} units x"
        f" {HOT_WINDOW_DAYS} days; {PEAK_SHARE:.0%} of requests start in the first {PEAK_DAYS}"
        f" days, sold before the run but for {PEAK_FREE_UNITS} units"
    )


def _server(args: argparse.Namespace) -> str:
    kind = f"gthread x {args.gunicorn_threads}" if args.gunicorn_threads > 1 else "sync"
    return f"HTTP (gunicorn, {args.gunicorn_workers} {kind} workers)"


def throughput(args: argparse.Namespace) -> None:
    with fresh_database(args.database, args.postgres_url) as url:
        app = pooled_app(url, max(args.clients) + 2)
        with app.app_context():
            try:
                db.create_all()
                _throughput_parts(app, url, args)
            finally:
                db.session.remove()
                db.engine.dispose()  # so that the database can be dropped


def _throughput_parts(app: Flask, url: str, args: argparse.Namespace) -> None:
    parties = _seed_parties()
    version = server_version(db.engine)
    if "service" in args.parts:
        runs = _service_runs(app, parties, args)
        print_runs(_heading("the service layer", args, version), _workload(args), runs)
    if "http" in args.parts and args.database != "postgresql":
        print("\nHTTP part skipped: it runs on PostgreSQL only (--database postgresql).")
    elif "http" in args.parts:
        runs = _http_runs(url, parties, args)
        print_runs(_heading(_server(args), args, version), _workload(args), runs)


# --- search under bookings --------------------------------------------------------------------


def _load(args: argparse.Namespace, terms: BookingTerms) -> search.Context:
    started = perf_counter()
    dataset = generate(db.engine, args.search_listings, args.seed, utc_today())
    bulk = BulkContext(dataset.today, datetime.now(UTC), terms)
    bookings, days = load_bookings(db.engine, args.search_bookings, args.seed, bulk)
    analyze(db.engine)
    print(
        f"loaded {args.search_listings:,} listings, {bookings:,} bookings and {days:,}"
        f" capacity days ({args.database}) in {perf_counter() - started:.1f} s,"
        f" ANALYZE included",
        flush=True,
    )
    started = perf_counter()
    line = ledger_line(db.engine)
    print(f"{line} (checked in {perf_counter() - started:.1f} s)", flush=True)
    return search.make_context(dataset)


def search_under_bookings(args: argparse.Namespace) -> None:
    shapes = [shape for shape in search.SHAPES if shape.key in args.search_shapes]
    with fresh_database(args.database, args.postgres_url) as url:
        app = bench_app(url)
        with app.app_context():
            try:
                db.create_all()
                context = _load(args, BookingTerms.from_config(app.config))
                with db.engine.connect() as connection:
                    runs = [
                        search.measure(
                            shape,
                            context,
                            connection,
                            args.search_queries,
                            args.warmup,
                            args.seed,
                        )
                        for shape in shapes
                    ]
                version = server_version(db.engine)
                queries = args.search_queries
                print_scale(ScaleRun(args.search_listings, args.database, version, queries, runs))
            finally:
                db.session.remove()
                db.engine.dispose()


def _exit_on_sigterm(signum: int, _frame) -> None:
    # Unwinds through the finally blocks: gunicorn is stopped and the database dropped.
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args.budget = Budget(args.duration, args.attempts)
    if {"service", "http"} & set(args.parts):
        throughput(args)
    if "search" in args.parts:
        search_under_bookings(args)
    return 0
