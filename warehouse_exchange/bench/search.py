"""Search shapes, each timed through the real service ("app") and as raw SQL ("raw")."""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from time import perf_counter

from flask import current_app
from sqlalchemy import Connection, event

from ..adapters.geocoding import OfflineGazetteer, locate
from ..bookings.rules import BookingTerms
from ..extensions import db
from ..fx.services import latest_rates
from ..money import Money
from ..search.query import SearchLimits, SearchQuery
from ..search.services import search_listings
from . import raw
from .data import BASE, Dataset

PER_PAGE = 20
#: Container ports, spelled as the offline gazetteer resolves them.
PORTS = (
    "Rotterdam, NL", "Hamburg, DE", "Antwerp, BE", "Singapore", "Los Angeles, US",
    "Long Beach, US", "Dubai, AE", "Shanghai, CN", "Ningbo, CN", "Shenzhen, CN", "Busan, KR",
    "Hong Kong", "Valencia, ES", "Felixstowe, GB", "Le Havre, FR", "Genoa, IT", "Santos, BR",
    "Houston, US", "Savannah, US", "Mumbai, IN", "Durban, ZA", "Piraeus, GR", "Yokohama, JP",
    "Jeddah, SA", "Klang, MY",
)  # fmt: skip
#: Currencies a buyer states a ceiling in: never the same set as the listings' own mix.
CEILING_CURRENCIES = ("USD", "GBP", "JPY", "SGD", "AED")
#: The two ways of computing distance (geodesic vs haversine) differ by < 0.6 %; ids this close
#: to the edge of a radius or page may legitimately be in one result and not the other.
EDGE_TOLERANCE = 0.01
MAX_WARNINGS = 5


@dataclass(frozen=True)
class Context:
    dataset: Dataset
    geocoder: OfflineGazetteer
    ports: dict[str, tuple[float, float]]


@dataclass(frozen=True)
class Case:
    #: SearchQuery keyword arguments
    fields: dict
    #: the centre resolved beforehand, for the raw baseline (the app geocodes `near` itself)
    centre: tuple[float, float] | None = None


@dataclass(frozen=True)
class Outcome:
    seconds: float
    ids: list[int]
    distances: list[float | None]
    total: int


@dataclass(frozen=True)
class Shape:
    key: str
    label: str
    make: Callable[[random.Random, Context], Case]


def _radius_of_port(rng: random.Random, context: Context) -> Case:
    port = rng.choice(PORTS)
    return Case({"near": port, "radius_km": 150.0, "sort": "price"}, context.ports[port])


def _country_chilled_hazmat(rng: random.Random, context: Context) -> Case:
    country = rng.choice(context.dataset.top_countries[:5])
    fields = {"countries": [country], "temperature_min": 0, "temperature_max": 10}
    return Case({**fields, "hazmat_class": rng.choice((3, 9))})


def _dates_quantity(rng: random.Random, context: Context) -> Case:
    start = context.dataset.today + timedelta(days=rng.randint(7, 120))
    end = start + timedelta(days=rng.randint(14, 180))
    return Case({"start": start, "end": end, "quantity": rng.randint(10, 200)})


def _price_ceiling(rng: random.Random, context: Context) -> Case:
    currency = rng.choice(CEILING_CURRENCIES)
    ceiling = context.dataset.rates.convert(Money(rng.randint(300, 900), BASE), currency)
    return Case({"max_price_minor": ceiling.amount_minor, "currency": currency})


def _nearest_to_city(rng: random.Random, context: Context) -> Case:
    city = rng.choice(context.dataset.centres)
    fields = {"latitude": city.latitude, "longitude": city.longitude, "radius_km": 300.0}
    return Case({**fields, "sort": "distance"}, (city.latitude, city.longitude))


def _trusted_owners(rng: random.Random, context: Context) -> Case:
    return Case({"min_tier": rng.choice(("AA", "A", "BBB")), "verified_only": True})


SHAPES = (
    Shape("a", "radius 150 km of a port, by price", _radius_of_port),
    Shape("b", "country + chilled + hazmat class", _country_chilled_hazmat),
    Shape("c", "dates + quantity, anywhere", _dates_quantity),
    Shape("d", "price ceiling in another currency", _price_ceiling),
    Shape("e", "radius 300 km of a city, by distance", _nearest_to_city),
    Shape("f", "verified owners, min tier AA, A or BBB", _trusted_owners),
)


def make_context(dataset: Dataset) -> Context:
    """Resolving every port once also builds the gazetteer's index before anything is timed."""
    geocoder = OfflineGazetteer()
    ports = {}
    for port in PORTS:
        place = locate(geocoder, port)
        ports[port] = (place.latitude, place.longitude)
    return Context(dataset, geocoder, ports)


def run_app(case: Case, context: Context) -> Outcome:
    """What the search view does per request: latest rates, limits, then the service."""
    query = SearchQuery(**case.fields, per_page=PER_PAGE)
    started = perf_counter()
    result = search_listings(
        query,
        geocoder=context.geocoder,
        rates=latest_rates(BASE),
        today=context.dataset.today,
        limits=SearchLimits.from_config(current_app.config),
        terms=BookingTerms.from_config(current_app.config),
    )
    seconds = perf_counter() - started
    hits = result.page.items
    outcome = Outcome(
        seconds, [h.listing.id for h in hits], [h.distance_km for h in hits], result.page.total
    )
    db.session.remove()  # as at the end of a request: the next query starts with no identity map
    return outcome


def run_raw(case: Case, context: Context, connection: Connection) -> Outcome:
    started = perf_counter()
    page, count, params = raw.page_query(case.fields, case.centre, context.dataset.rates, PER_PAGE)
    rows = connection.execute(page, params).all()
    total = len(rows)
    if len(rows) == PER_PAGE or case.centre is not None:
        limit = current_app.config["SEARCH_COUNT_LIMIT"]
        counted = connection.execute(count, {**params, "count_limit": limit}).scalar_one()
        total = counted if case.centre is not None else min(counted, limit)  # "more than"
    seconds = perf_counter() - started
    connection.rollback()
    distances = [row[1] if case.centre else None for row in rows]
    return Outcome(seconds, [row[0] for row in rows], distances, total)


def _near(distance: float, edge: float) -> bool:
    return abs(distance - edge) <= EDGE_TOLERANCE * edge + 0.05


def _same_by_price(app: Outcome, baseline: Outcome, radius: float) -> bool:
    """Both pages follow one price order; only ids near the radius may be in one alone."""
    kept_app = [i for i, d in zip(app.ids, app.distances, strict=True) if not _near(d, radius)]
    kept_raw = [
        i for i, d in zip(baseline.ids, baseline.distances, strict=True) if not _near(d, radius)
    ]
    if len(app.ids) < PER_PAGE and len(baseline.ids) < PER_PAGE:
        return kept_app == kept_raw
    shortest = min(len(kept_app), len(kept_raw))
    return kept_app[:shortest] == kept_raw[:shortest]


def _same_nearest(app: Outcome, baseline: Outcome, radius: float) -> bool:
    """The same set, except ids about as far as the page's farthest (they may swap places)."""
    for outcome, other in ((app, baseline), (baseline, app)):
        edge = radius if len(outcome.ids) < PER_PAGE else max(outcome.distances)
        for listing_id, distance in zip(outcome.ids, outcome.distances, strict=True):
            if listing_id not in other.ids and not _near(distance, edge):
                return False
    return True


def difference(case: Case, app: Outcome, baseline: Outcome) -> str | None:
    """None when both ways found the same page and total; else a description for a warning."""
    if case.centre is None and app.total != baseline.total:
        return f"totals differ: app {app.total}, raw {baseline.total}, fields {case.fields}"
    if app.ids == baseline.ids:
        return None
    if case.centre is not None:
        radius = case.fields["radius_km"]
        by_distance = case.fields.get("sort") == "distance"
        if by_distance and _same_nearest(app, baseline, radius):
            return None
        if not by_distance and _same_by_price(app, baseline, radius):
            return None
    only_app = [i for i in app.ids if i not in baseline.ids]
    only_raw = [i for i in baseline.ids if i not in app.ids]
    return f"app-only {only_app[:5]}, raw-only {only_raw[:5]}, fields {case.fields}"


@dataclass
class ShapeRun:
    shape: Shape
    app: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    mismatches: int = 0


def _cases(shape: Shape, context: Context, count: int, seed: int) -> list[Case]:
    # One generator per shape and seed: both databases get the same queries at a given scale.
    rng = random.Random(f"{seed}-{shape.key}")
    return [shape.make(rng, context) for _ in range(count)]


def measure(
    shape: Shape, context: Context, connection: Connection, queries: int, warmup: int, seed: int
) -> ShapeRun:
    cases = _cases(shape, context, warmup + queries, seed)
    for case in cases[:warmup]:
        run_app(case, context)
        run_raw(case, context, connection)
    run = ShapeRun(shape)
    for number, case in enumerate(cases[warmup:]):
        # Alternate who goes first, so that neither always finds the caches the other warmed.
        if number % 2:
            baseline, app = run_raw(case, context, connection), run_app(case, context)
        else:
            app, baseline = run_app(case, context), run_raw(case, context, connection)
        run.app.append(app.seconds)
        run.raw.append(baseline.seconds)
        run.totals.append(app.total)
        problem = difference(case, app, baseline)
        if problem:
            run.mismatches += 1
            if run.mismatches <= MAX_WARNINGS:
                print(f"WARNING shape {shape.key} query {number}: app and raw differ: {problem}")
    return run


#: How to tell the app path's statements apart, first match wins.
STATEMENT_KINDS = (
    ("exchange_rates", "latest_rates"),
    ("SELECT count(*)", "count of all matches"),
    ("WHERE listings.id IN", "ORM load of the page"),
    ("GROUP BY capacity_days.listing_id", "held quantities of the page"),
    ("LIMIT", "page of ids (filter + sort)"),
    ("warehouses.latitude BETWEEN", "bounding-box candidates"),
)


def _statement_kind(statement: str) -> str:
    flat = " ".join(statement.split())
    return next((kind for needle, kind in STATEMENT_KINDS if needle in flat), flat[:40])


def _sql_breakdown(cases: list[Case], context: Context) -> str:
    """Time per kind of statement, without the profiler (which would inflate Python code)."""
    spent: dict[str, list[float]] = {}

    def before(connection, _cursor, _statement, _parameters, _context, _many):
        connection.info["bench_started"] = perf_counter()

    def after(connection, _cursor, statement, _parameters, _context, _many):
        elapsed = perf_counter() - connection.info.pop("bench_started")
        spent.setdefault(_statement_kind(statement), []).append(elapsed)

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        total = sum(run_app(case, context).seconds for case in cases)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    lines = [
        f"app path: {len(cases)} queries, mean {total / len(cases) * 1000:.2f} ms;"
        " SQL by kind (time in cursor.execute; SQLite computes unsorted rows while fetching):",
        f"  {'statement':<30} {'calls':>6} {'mean ms':>9} {'share':>7}",
    ]
    for kind, times in sorted(spent.items(), key=lambda item: -sum(item[1])):
        share = sum(times) / total
        lines.append(
            f"  {kind:<30} {len(times):>6} {statistics.fmean(times) * 1000:>9.2f} {share:>7.1%}"
        )
    return "\n".join(lines)


def _cprofile(cases: list[Case], context: Context, lines: int) -> str:
    profiler = cProfile.Profile()
    for case in cases:
        profiler.enable()
        run_app(case, context)
        profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).strip_dirs()
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
    return stream.getvalue()


def profile(shape: Shape, context: Context, queries: int, seed: int, lines: int = 15) -> str:
    """Where the app path spends its time: SQL by statement, then cProfile of everything."""
    cases = _cases(shape, context, queries, seed + 1)
    return _sql_breakdown(cases, context) + "\n" + _cprofile(cases, context, lines)
