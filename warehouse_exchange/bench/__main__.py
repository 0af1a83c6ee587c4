"""python -m warehouse_exchange.bench search --listings 100000 --database sqlite|postgresql
python -m warehouse_exchange.bench bookings --database postgresql"""

from __future__ import annotations

import argparse
import os
import sys
from time import perf_counter

from ..adapters.clock import utc_today
from ..extensions import db
from . import bookings, ledger, search
from .data import generate
from .database import DEFAULT_POSTGRES_URL, KINDS, bench_app, fresh_database, server_version
from .report import ScaleRun, print_scale, print_scale_ratios


def _counts(text: str) -> list[int]:
    values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("give positive counts, e.g. 10000,100000 or 1,4,16")
    return values


def _shape_keys(text: str) -> list[str]:
    keys = [part.strip() for part in text.split(",") if part.strip()]
    known = {shape.key for shape in search.SHAPES}
    if set(keys) - known:
        raise argparse.ArgumentTypeError(f"shapes are {', '.join(sorted(known))}")
    return keys


def _positive(text: str) -> int:
    value = int(text.replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("give a positive whole number")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("give a positive number of seconds")
    return value


def _parts(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or set(parts) - set(bookings.PARTS):
        raise argparse.ArgumentTypeError(f"parts are {', '.join(bookings.PARTS)}")
    return parts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m warehouse_exchange.bench")
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser("search", help="time search_listings against raw SQL")
    sizes = bench.add_mutually_exclusive_group()
    sizes.add_argument("--listings", type=int, default=100_000, help="listings to generate")
    sizes.add_argument("--scales", type=_counts, help="several sizes, e.g. 10000,100000")
    _add_common(bench)
    bench.add_argument("--queries", type=int, default=200, help="timed queries per shape")
    bench.add_argument("--warmup", type=int, default=5, help="untimed queries per shape")
    bench.add_argument("--profile", type=_shape_keys, default=[], help="e.g. a,e: cProfile")
    bench.add_argument("--profile-queries", type=int, default=30)
    _add_bookings(commands)
    _add_ledger(commands)
    return parser


def _add_common(bench: argparse.ArgumentParser) -> None:
    bench.add_argument("--database", choices=KINDS, required=True)
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument(
        "--postgres-url",
        default=os.environ.get("WX_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="server database to connect to for CREATE/DROP DATABASE",
    )


def _add_ledger(commands) -> None:
    bench = commands.add_parser("ledger", help="ledger postings per second; balances, statement")
    _add_common(bench)
    bench.add_argument("--postings", type=_positive, default=2000, help="per client count")
    bench.add_argument("--clients", type=_counts, default=[1, 4], help="threads per run")
    bench.add_argument("--entries", type=_positive, default=100_000, help="on one organization")
    bench.add_argument("--repeats", type=_positive, default=20, help="timed reads of each kind")


def _add_bookings(commands) -> None:
    bench = commands.add_parser(
        "bookings", help="booking throughput (service layer, HTTP) and search under bookings"
    )
    _add_common(bench)
    bench.add_argument("--parts", type=_parts, default=list(bookings.PARTS), help="e.g. service")
    bench.add_argument("--clients", type=_counts, default=[1, 4, 16], help="threads per run")
    budget = bench.add_mutually_exclusive_group()
    budget.add_argument("--duration", type=_seconds, default=15.0, help="seconds per run")
    budget.add_argument("--attempts", type=_positive, help="requests per client instead")
    bench.add_argument("--hot-listings", type=_positive, default=4, help="listings all book")
    bench.add_argument("--units", type=_positive, default=200, help="quantity of a hot listing")
    bench.add_argument("--gunicorn-workers", type=_positive, default=4)
    bench.add_argument("--gunicorn-threads", type=_positive, default=1, help="> 1: gthread")
    bench.add_argument("--search-listings", type=_positive, default=10_000)
    bench.add_argument("--search-bookings", type=_positive, default=20_000)
    bench.add_argument("--search-queries", type=_positive, default=30, help="timed, per shape")
    bench.add_argument("--warmup", type=int, default=3, help="untimed search queries per shape")
    bench.add_argument("--search-shapes", type=_shape_keys, default=["c", "a"])


def _run_scale(args: argparse.Namespace, listings: int) -> ScaleRun:
    with fresh_database(args.database, args.postgres_url) as url:
        app = bench_app(url)
        with app.app_context():
            try:
                return _load_and_measure(args, listings)
            finally:
                db.session.remove()
                db.engine.dispose()  # so that the database can be dropped


def _load_and_measure(args: argparse.Namespace, listings: int) -> ScaleRun:
    db.create_all()  # a benchmark, not a deployment: no need to replay the migrations
    started = perf_counter()
    dataset = generate(db.engine, listings, args.seed, utc_today())
    print(
        f"loaded {listings:,} listings in {dataset.warehouses:,} warehouses and"
        f" {dataset.capacity_days:,} capacity days ({args.database})"
        f" in {perf_counter() - started:.1f} s, ANALYZE included",
        flush=True,
    )
    context = search.make_context(dataset)
    runs = []
    with db.engine.connect() as connection:
        for shape in search.SHAPES:
            runs.append(
                search.measure(shape, context, connection, args.queries, args.warmup, args.seed)
            )
    scale = ScaleRun(listings, args.database, server_version(db.engine), args.queries, runs)
    print_scale(scale)
    for shape in search.SHAPES:
        if shape.key in args.profile:
            print(f"\n== cProfile of app path, shape {shape.key}, {listings:,} listings ==")
            print(search.profile(shape, context, args.profile_queries, args.seed))
    return scale


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "bookings":
        return bookings.run(args)
    if args.command == "ledger":
        return ledger.run(args)
    scales = [_run_scale(args, listings) for listings in (args.scales or [args.listings])]
    if len(scales) > 1:
        print_scale_ratios(scales)
    return 0


if __name__ == "__main__":
    sys.exit(main())
