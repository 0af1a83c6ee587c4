"""The clients of the booking throughput runs, and what they measure.

Each client is a thread that makes instant-book requests on the hot listings until its Budget is
spent, either through the service layer (service_client: its own app context, session and
connection, as a request has) or through HTTP (http_client: its own connection and API token).
A Tally keeps each attempt's outcome and latency; run_clients starts them all at one moment and
measure() turns the tallies into a Run.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from time import perf_counter

from flask import Flask
from sqlalchemy import func, select

from ..accounts.models import User
from ..adapters.clock import utc_now, utc_today
from ..bookings.capacity import InsufficientCapacity
from ..bookings.commands import BookingRequest, request_booking
from ..bookings.models import CapacityDay
from ..bookings.rules import BookingTerms, SkuProfile
from ..errors import DomainError
from ..extensions import db
from .capacity_check import ledger_line

BOOKED, REFUSED = "booked", "refused"
#: exporter organizations that book; clients take turns among them
TENANTS = 8
HOT_WINDOW_DAYS = 365
HOT_LEASE_DAYS = (7, 28)
HOT_REQUEST_UNITS = (1, 10)
#: The first PEAK_DAYS of every hot listing are sold before the run but for PEAK_FREE_UNITS,
#: and PEAK_SHARE of the requests start in them: the peak sells out in the first attempts and
#: its requests are refused from then on, while the rest of the year still takes bookings. So
#: refusals are a steady share of a run, not one that grows with the run's length.
PEAK_DAYS = 14
PEAK_FREE_UNITS = 10
PEAK_SHARE = 0.3
#: goods every hot listing (and every generated booking) accepts
GOODS = SkuProfile(120, 80, 150, 400, 10, 30, "general", 3)

BARRIER_TIMEOUT = 120
HTTP_TIMEOUT = 60
BOOKINGS_PATH = "/api/v1/bookings"


@dataclass(frozen=True)
class Budget:
    """How long each client goes on: a number of seconds or a number of attempts."""

    seconds: float | None
    attempts: int | None = None

    def spent(self, started: float, attempts: int) -> bool:
        if self.attempts is not None:
            return attempts >= self.attempts
        return perf_counter() - started >= self.seconds

    def describe(self) -> str:
        if self.attempts is not None:
            return f"{self.attempts} attempts per client"
        return f"{self.seconds:g} s per run"


@dataclass
class Tally:
    """What one or more clients saw: outcome per attempt and how long each took."""

    seconds: list[float] = field(default_factory=list)
    booked_seconds: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    #: the first message of each kind of error, to say what went wrong
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, outcome: str, seconds: float, message: str = "") -> None:
        self.seconds.append(seconds)
        if outcome == BOOKED:
            self.booked_seconds.append(seconds)
        self.outcomes[outcome] += 1
        if message:
            self.examples.setdefault(outcome, message)

    def merge(self, other: Tally) -> None:
        self.seconds += other.seconds
        self.booked_seconds += other.booked_seconds
        self.outcomes.update(other.outcomes)
        for outcome, message in other.examples.items():
            self.examples.setdefault(outcome, message)

    @property
    def errors(self) -> int:
        return len(self.seconds) - self.outcomes[BOOKED] - self.outcomes[REFUSED]


@dataclass(frozen=True)
class Run:
    clients: int
    wall_seconds: float
    tally: Tally
    #: share of the hot listings' unit-days held at the end
    fill: float


@dataclass(frozen=True)
class HotListings:
    """The few listings that all clients of one run book, so that they queue on its locks."""

    ids: list[int]
    units: int
    first_day: date

    def draw(self, rng: random.Random) -> tuple[int, int, date, date]:
        """A random request: listing, units, first and last day."""
        length = rng.randint(*HOT_LEASE_DAYS)
        latest = PEAK_DAYS - 1 if rng.random() < PEAK_SHARE else HOT_WINDOW_DAYS - length
        start = self.first_day + timedelta(days=rng.randint(0, latest))
        units = rng.randint(*HOT_REQUEST_UNITS)
        return rng.choice(self.ids), units, start, start + timedelta(days=length - 1)


Client = Callable[[int, threading.Barrier], Tally]


def run_clients(clients: int, client: Client) -> tuple[float, Tally]:
    """Start all clients at one moment; the wall time runs until the last one is done."""
    starts: list[float] = []
    barrier = threading.Barrier(clients, action=lambda: starts.append(perf_counter()))
    with ThreadPoolExecutor(clients) as pool:
        tallies = list(pool.map(lambda number: client(number, barrier), range(clients)))
    wall = perf_counter() - starts[0]
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return wall, total


def _error_kind(error: Exception) -> str:
    return error.code if isinstance(error, DomainError) else type(error).__name__


def _first_line(error: Exception) -> str:
    return next(iter(str(error).splitlines()), "")


def _book(tenant_id: int, request: BookingRequest, terms: BookingTerms) -> tuple[str, str]:
    """One request as a view makes it: load the actor, call the service. (outcome, message)"""
    try:
        request_booking(db.session.get(User, tenant_id), request, terms, utc_now(), utc_today())
    except InsufficientCapacity:
        return REFUSED, ""
    except Exception as error:  # counted and reported; the run goes on as a server would
        return _error_kind(error), _first_line(error)
    finally:
        db.session.remove()  # as at the end of a request
    return BOOKED, ""


def service_client(
    app: Flask, hot: HotListings, tenants: list[int], budget: Budget, seed: int
) -> Client:
    def client(number: int, barrier: threading.Barrier) -> Tally:
        rng = random.Random(f"{seed}-service-{number}")
        tenant_id = tenants[number % len(tenants)]
        terms = BookingTerms.from_config(app.config)
        tally = Tally()
        with app.app_context():
            barrier.wait(BARRIER_TIMEOUT)
            started = perf_counter()
            while not budget.spent(started, len(tally.seconds)):
                request = BookingRequest(*hot.draw(rng), GOODS)
                began = perf_counter()
                outcome, message = _book(tenant_id, request, terms)
                tally.add(outcome, perf_counter() - began, message)
        return tally

    return client


def _booking_body(listing_id: int, units: int, start: date, end: date) -> bytes:
    body = {
        "listing_id": listing_id,
        "quantity": units,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "sku_profile": asdict(GOODS),
    }
    return json.dumps(body).encode()


def _post(connection: http.client.HTTPConnection, body: bytes, headers: dict) -> tuple[str, str]:
    try:
        connection.request("POST", BOOKINGS_PATH, body, headers)
        response = connection.getresponse()
        payload = response.read()
    except (OSError, http.client.HTTPException) as error:
        connection.close()  # the next attempt opens a new connection
        return type(error).__name__, str(error)
    if response.status == 201:
        return BOOKED, ""
    try:
        problem = json.loads(payload)["error"]
    except (ValueError, KeyError, TypeError):
        problem = {"code": "?", "message": payload[:200].decode(errors="replace")}
    if response.status == 409 and problem["code"] == InsufficientCapacity.code:
        return REFUSED, ""
    return f"HTTP {response.status} {problem['code']}", problem["message"]


def http_client(
    address: tuple[str, int], tokens: list[str], hot: HotListings, budget: Budget, seed: int
) -> Client:
    def client(number: int, barrier: threading.Barrier) -> Tally:
        rng = random.Random(f"{seed}-http-{number}")
        headers = {
            "Authorization": f"Bearer {tokens[number % len(tokens)]}",
            "Content-Type": "application/json",
        }
        connection = http.client.HTTPConnection(*address, timeout=HTTP_TIMEOUT)
        tally = Tally()
        try:
            barrier.wait(BARRIER_TIMEOUT)
            started = perf_counter()
            while not budget.spent(started, len(tally.seconds)):
                body = _booking_body(*hot.draw(rng))
                began = perf_counter()
                outcome, message = _post(connection, body, headers)
                tally.add(outcome, perf_counter() - began, message)
        finally:
            connection.close()
        return tally

    return client


# --- measuring ---------------------------------------------------------------------------------


def _fill(hot: HotListings) -> float:
    held = db.session.scalar(
        select(func.coalesce(func.sum(CapacityDay.held), 0)).where(
            CapacityDay.listing_id.in_(hot.ids)
        )
    )
    db.session.rollback()
    return held / (len(hot.ids) * hot.units * HOT_WINDOW_DAYS)


def measure(label: str, clients: int, hot: HotListings, client: Client) -> Run:
    """A timed run of `clients` clients on `hot`; prints a line with the ledger check."""
    wall, tally = run_clients(clients, client)
    run = Run(clients, wall, tally, _fill(hot))
    print(
        f"{label}, {clients} clients: {len(tally.seconds):,} attempts in {wall:.1f} s;"
        f" {ledger_line(db.engine)}",
        flush=True,
    )
    return run
