"""The raw-SQL baseline: the service's first page of listing ids, as one hand-written query.

What the baseline does, and so what the app/raw ratio measures:

* the same WHERE clauses as the search service, written by hand, with the same joins to
  warehouses and their owner organizations (whose blacklisted, verified and tier columns it
  filters on);
* a price ceiling as one CASE giving the largest acceptable price per listing currency, from
  `search.rules.price_threshold`, so that rounding agrees with the service exactly;
* price order by the stored `listings.price_rank`, ties broken by id, as the service;
* for a radius, the service's bounding box, then the great-circle (haversine, mean Earth radius)
  distance computed in SQL, filtered, ordered and limited in SQL; the service instead computes
  the geodesic (ellipsoidal) distance of every candidate in Python, which differs by < 0.6 %;
* dates check free capacity with the same NOT EXISTS over capacity_days, written after the
  cheap filters;
* the total as the service gets it: no count when the first page is not full, else a count
  of at most `count_limit` + 1 matches (every match, for a radius); no ORM objects and no
  second query for the held quantities of the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import Date, TextClause, bindparam, text

from ..catalog import HAZMAT_BITS
from ..fx.services import RateTable
from ..listings.rules import lease_days
from ..search.rules import bounding_box, price_threshold
from ..trust.rules import tiers_at_least

EARTH_RADIUS_KM = 6371.0088
#: Haversine. No clamp of the asin argument: it exceeds 1 only for near-antipodal points,
#: far outside any radius the shapes use.
HAVERSINE = (
    f"{2 * EARTH_RADIUS_KM} * asin(sqrt("
    "power(sin((radians(w.latitude) - :centre_lat) / 2), 2)"
    " + :centre_cos * cos(radians(w.latitude))"
    " * power(sin((radians(w.longitude) - :centre_lon) / 2), 2)))"
)
SUPPORTED = {
    "countries", "near", "latitude", "longitude", "radius_km", "unit", "quantity", "start", "end",
    "temperature_min", "temperature_max", "hazmat_class", "max_price_minor", "currency", "sort",
    "min_tier", "verified_only",
}  # fmt: skip


#: Filters that are one comparison of a column with the field's value.
COMPARISONS = (
    ("unit", "l.unit = :unit"),
    ("quantity", "l.quantity >= :quantity AND l.min_quantity <= :quantity"),
    ("temperature_min", "l.temperature_min_c >= :temperature_min"),
    ("temperature_max", "l.temperature_max_c <= :temperature_max"),
)
#: No day of the lease with fewer than the wanted units free (capacity_days).
FREE_CAPACITY = (
    "NOT EXISTS (SELECT 1 FROM capacity_days AS cd WHERE cd.listing_id = l.id"
    " AND cd.day BETWEEN :start AND :end AND cd.held > l.quantity - :wanted)"
)
ALWAYS = ("l.status = 'active'", "w.status = 'active'", "o.blacklisted = false")


@dataclass
class _Sql:
    clauses: list[str] = field(default_factory=lambda: list(ALWAYS))
    params: dict = field(default_factory=dict)
    dates: list[str] = field(default_factory=list)

    def add(self, clause: str, **params) -> None:
        self.clauses.append(clause)
        self.params.update(params)


def _case(column: str, values: dict, prefix: str, sql: _Sql) -> str:
    """CASE column WHEN :prefix_0 THEN :prefix_value_0 ... END (NULL for unknown currencies)."""
    whens = []
    for number, (key, value) in enumerate(values.items()):
        sql.params[f"{prefix}_{number}"] = key
        sql.params[f"{prefix}_value_{number}"] = value
        whens.append(f"WHEN :{prefix}_{number} THEN :{prefix}_value_{number}")
    return f"CASE {column} {' '.join(whens)} END"


def _goods(fields: dict, sql: _Sql) -> None:
    if fields.get("countries"):
        names = [f"country_{n}" for n in range(len(fields["countries"]))]
        sql.add(f"w.country IN ({', '.join(':' + n for n in names)})")
        sql.params.update(zip(names, fields["countries"], strict=True))
    for name, clause in COMPARISONS:
        if fields.get(name) is not None:
            sql.add(clause, **{name: fields[name]})
    if fields.get("start") is not None:
        start, end = fields["start"], fields["end"]
        sql.add("l.available_from <= :start AND l.available_to >= :end", start=start, end=end)
        sql.add("l.min_term_days <= :days", days=lease_days(start, end))
        sql.add(FREE_CAPACITY, wanted=fields.get("quantity") or 1)
        sql.dates += ["start", "end"]
    if fields.get("hazmat_class") is not None:
        bit = HAZMAT_BITS[fields["hazmat_class"]]
        sql.add("(l.hazmat_mask & :hazmat_bit) <> 0", hazmat_bit=bit)
    _owner(fields, sql)


def _owner(fields: dict, sql: _Sql) -> None:
    if fields.get("verified_only"):
        sql.add("o.verified = true")
    if fields.get("min_tier"):
        tiers = tiers_at_least(fields["min_tier"])
        names = [f"tier_{n}" for n in range(len(tiers))]
        sql.add(f"o.rating_tier IN ({', '.join(':' + n for n in names)})")
        sql.params.update(zip(names, tiers, strict=True))


def _region(centre: tuple[float, float] | None, radius_km: float | None, sql: _Sql) -> None:
    if centre is None:
        return
    latitude, longitude = centre
    box = bounding_box(latitude, longitude, radius_km)
    sql.add("w.latitude BETWEEN :south AND :north", south=box.south, north=box.north)
    if box.crosses_antimeridian:
        sql.add("(w.longitude >= :west OR w.longitude <= :east)", west=box.west, east=box.east)
    elif box.west is not None:
        sql.add("w.longitude BETWEEN :west AND :east", west=box.west, east=box.east)
    sql.params.update(
        centre_lat=math.radians(latitude),
        centre_lon=math.radians(longitude),
        centre_cos=math.cos(math.radians(latitude)),
        radius=radius_km,
    )


def _price_ceiling(fields: dict, rates: RateTable, sql: _Sql) -> None:
    target = fields.get("currency") or rates.base
    known = list(dict.fromkeys([*rates.rates, rates.base]))
    if fields.get("max_price_minor") is not None:
        ceiling = fields["max_price_minor"]
        limits = {c: price_threshold(ceiling, rates.factor(c, target)) for c in known}
        sql.add(f"l.price_minor <= {_case('l.currency', limits, 'ceiling', sql)}")


def page_query(
    fields: dict, centre: tuple[float, float] | None, rates: RateTable, per_page: int
) -> tuple[TextClause, TextClause, dict]:
    """SQL for the first page, SQL for the total as the service counts it (up to `:count_limit`
    plus one without a centre, every match within a radius), and their parameters; `centre`
    is the resolved near/lat-lon point."""
    unknown = {k for k, v in fields.items() if v is not None} - SUPPORTED
    if unknown or fields.get("sort", "price") not in ("price", "distance"):
        raise NotImplementedError(f"raw baseline does not cover {sorted(unknown)} / sort")
    sql = _Sql()
    _goods(fields, sql)
    _region(centre, fields.get("radius_km"), sql)
    _price_ceiling(fields, rates, sql)
    # as the service: with countries, sort the few matches instead of walking the price index
    rank = "l.price_rank + 0" if fields.get("countries") else "l.price_rank"
    columns = f"l.id AS id, {rank} AS price_rank"
    outer, order, cap = "", "c.price_rank, c.id", " LIMIT :count_limit + 1"
    if centre is not None:
        columns += f", {HAVERSINE} AS distance_km"
        outer, cap = "WHERE c.distance_km <= :radius", ""
        if fields.get("sort") == "distance":
            order = f"c.distance_km, {order}"
    matches = (
        f"(SELECT {columns} FROM listings AS l JOIN warehouses AS w ON w.id = l.warehouse_id"
        " JOIN organizations AS o ON o.id = w.organization_id"
        f" WHERE {' AND '.join(sql.clauses)}) AS c {outer}"
    )
    page = text(
        f"SELECT c.id{', c.distance_km' if centre else ''} FROM {matches}"
        f" ORDER BY {order} LIMIT :per_page"
    )
    count = text(f"SELECT count(*) FROM (SELECT c.id FROM {matches}{cap}) AS counted")
    if sql.dates:
        # Typed, so that each driver stores and compares dates as the ORM does.
        dates = [bindparam(name, type_=Date) for name in sql.dates]
        page, count = page.bindparams(*dates), count.bindparams(*dates)
    return page, count, {**sql.params, "per_page": per_page}
