"""Search through the page and the API, checked against a brute-force answer on generated data."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from geopy.distance import geodesic

from tests.factories import (
    ExchangeRateFactory,
    ListingFactory,
    OrganizationFactory,
    WarehouseFactory,
)
from warehouse_exchange.catalog import CATEGORY_BITS
from warehouse_exchange.models import TemperatureZone

TODAY = date.today()
RATES = {
    "EUR": Decimal(1),
    "USD": Decimal("1.0850"),
    "GBP": Decimal("0.8420"),
    "JPY": Decimal("162.30"),
    "SGD": Decimal("1.4610"),
}
EXPONENTS = {"EUR": 2, "USD": 2, "GBP": 2, "JPY": 0, "SGD": 2}
CITIES = [  # name, country, lat, lon
    ("Rotterdam", "NL", 51.9225, 4.47917),
    ("Antwerp", "BE", 51.21989, 4.40346),
    ("Hamburg", "DE", 53.55073, 9.99302),
    ("Felixstowe", "GB", 51.96375, 1.3511),
    ("Singapore", "SG", 1.28967, 103.85007),
    ("Los Angeles", "US", 34.05223, -118.24368),
    ("Tokyo", "JP", 35.6895, 139.69171),
]


def seed_rates():
    for currency, rate in RATES.items():
        if currency != "EUR":
            ExchangeRateFactory(currency=currency, rate=rate, rate_date=TODAY - timedelta(days=2))


def generate(seed: int, count: int = 120) -> list:
    rng = random.Random(seed)
    owners = [OrganizationFactory(kind="owner") for _ in range(4)]
    for owner in owners[:2]:
        owner.credit_score = rng.randint(300, 900)
    made = []
    for _ in range(count // 2):
        name, country, lat, lon = rng.choice(CITIES)
        warehouse = WarehouseFactory(
            organization=rng.choice(owners),
            city=name,
            country=country,
            latitude=lat + rng.uniform(-0.4, 0.4),
            longitude=lon + rng.uniform(-0.4, 0.4),
            temperature_zones=[TemperatureZone(kind="ambient", min_c=-30, max_c=30)],
        )
        for _ in range(2):
            low = rng.choice([-25, 2, 15])
            start = TODAY + timedelta(days=rng.randint(0, 40))
            made.append(
                ListingFactory(
                    warehouse=warehouse,
                    unit=rng.choice(["pallet", "cbm", "sqm"]),
                    quantity=rng.randint(1, 300),
                    min_quantity=1,
                    min_term_days=rng.choice([1, 7, 30]),
                    available_from=start,
                    available_to=start + timedelta(days=rng.randint(30, 300)),
                    price_minor=rng.randint(50, 900) * (100 if rng.random() < 0.1 else 1),
                    currency=rng.choice(list(RATES)),
                    temperature_min_c=low,
                    temperature_max_c=low + rng.choice([5, 7, 10]),
                    hazmat_mask=rng.choice([0, 0, 0, 1 << 3, (1 << 3) | (1 << 9)]),
                    categories_mask=rng.choice([1, 3, 8, 12, 0b1111]),
                    max_unit_length_cm=rng.choice([80, 120, 240]),
                    max_unit_width_cm=rng.choice([60, 100, 120]),
                    max_unit_height_cm=rng.choice([100, 180]),
                    max_unit_weight_kg=rng.choice([500, 1000]),
                    status=rng.choice(["active"] * 9 + ["paused"]),
                )
            )
    return made


def converted(price_minor: int, source: str, target: str) -> Fraction:
    factor = Fraction(RATES[target]) / Fraction(RATES[source])
    return price_minor * factor * Fraction(10) ** (EXPONENTS[target] - EXPONENTS[source])


def rounded(value: Fraction) -> int:
    return round(value)  # Python's round on Fraction is half-even, like the app's


def inside_box(bbox: str, lat: float, lon: float) -> bool:
    west, south, east, north = (float(n) for n in bbox.split(","))
    across_antimeridian = west > east
    inside_lon = (lon >= west or lon <= east) if across_antimeridian else west <= lon <= east
    return south <= lat <= north and inside_lon


#: map views: around the Low Countries, northern Europe, Asia across the antimeridian to
#: America, and a box holding nothing
MAP_AREAS = ["3.5,50.8,5.2,52.4", "-2,50,11,54.5", "100,-10,-100,50", "-60,-40,-20,-10"]


def brute_force(listings, q: dict) -> dict[int, float | None]:
    """Listing id -> distance for every listing that matches, computed without the app."""
    matches = {}
    categories = {name: bit for name, bit in CATEGORY_BITS.items()}
    for listing in listings:
        w = listing.warehouse
        if listing.status != "active" or w.status != "active":
            continue
        if q.get("country") and w.country not in q["country"]:
            continue
        if "bbox" in q and not inside_box(q["bbox"], w.latitude, w.longitude):
            continue
        distance = None
        if "lat" in q:
            distance = geodesic((q["lat"], q["lon"]), (w.latitude, w.longitude)).km
            if distance > q["radius_km"]:
                continue
        if q.get("unit") and listing.unit != q["unit"]:
            continue
        if "quantity" in q and not listing.min_quantity <= q["quantity"] <= listing.quantity:
            continue
        if "start" in q:
            days = (q["end"] - q["start"]).days + 1
            if not (listing.available_from <= q["start"] and q["end"] <= listing.available_to):
                continue
            if listing.min_term_days > days:
                continue
        if "temperature_min" in q and listing.temperature_min_c < q["temperature_min"]:
            continue
        if "temperature_max" in q and listing.temperature_max_c > q["temperature_max"]:
            continue
        if "hazmat_class" in q and not listing.hazmat_mask & (1 << q["hazmat_class"]):
            continue
        if "category" in q and not listing.categories_mask & categories[q["category"]]:
            continue
        length, width = q.get("unit_length_cm", 0), q.get("unit_width_cm", 0)
        fits_flat = (
            length <= listing.max_unit_length_cm and width <= listing.max_unit_width_cm
        ) or (width <= listing.max_unit_length_cm and length <= listing.max_unit_width_cm)
        if not fits_flat:
            continue
        if q.get("unit_height_cm", 0) > listing.max_unit_height_cm:
            continue
        if "max_price" in q:
            target = q["currency"]
            ceiling = int(Decimal(q["max_price"]).scaleb(EXPONENTS[target]))
            if rounded(converted(listing.price_minor, listing.currency, target)) > ceiling:
                continue
        matches[listing.id] = distance
    return matches


def random_query(rng: random.Random) -> dict:
    q: dict = {}
    if rng.random() < 0.4:
        _name, _country, lat, lon = rng.choice(CITIES)
        q.update(lat=lat, lon=lon, radius_km=rng.choice([20, 50, 150, 600]))
    if rng.random() < 0.3:
        q["country"] = rng.sample([c[1] for c in CITIES], rng.randint(1, 3))
    if rng.random() < 0.3:
        q["bbox"] = rng.choice(MAP_AREAS)
    if rng.random() < 0.3:
        q["unit"] = rng.choice(["pallet", "cbm", "sqm"])
    if rng.random() < 0.4:
        q["quantity"] = rng.randint(1, 200)
    if rng.random() < 0.4:
        q["start"] = TODAY + timedelta(days=rng.randint(0, 60))
        q["end"] = q["start"] + timedelta(days=rng.randint(0, 120))
    if rng.random() < 0.3:
        q["temperature_min"] = rng.choice([-30, 0, 10])
        q["temperature_max"] = rng.choice([10, 30])
        if q["temperature_min"] > q["temperature_max"]:
            q["temperature_min"] = -30
    if rng.random() < 0.2:
        q["hazmat_class"] = rng.choice([3, 9])
    if rng.random() < 0.2:
        q["category"] = rng.choice(["general", "apparel", "electronics", "food"])
    if rng.random() < 0.2:
        q.update(
            unit_length_cm=rng.choice([50, 110, 130]),
            unit_width_cm=rng.choice([40, 90]),
            unit_height_cm=rng.choice([90, 150]),
        )
    if rng.random() < 0.3:
        q.update(max_price=str(rng.choice([1, 3, 5, 500])), currency=rng.choice(list(RATES)))
    return q


def as_params(q: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in q.items()}


def search_all_pages(client, params: dict) -> tuple[int, list[dict]]:
    results, page = [], 1
    while True:
        response = client.get(
            "/api/v1/search", query_string={**params, "per_page": 50, "page": page}
        )
        assert response.status_code == 200, (params, response.json)
        results += response.json["results"]
        if page * 50 >= response.json["total"]:
            return response.json["total"], results
        page += 1


def test_api_search_matches_brute_force(client):
    seed_rates()
    listings = generate(seed=7)
    rng = random.Random(11)
    for _ in range(60):
        q = random_query(rng)
        sort = "distance" if "lat" in q and rng.random() < 0.5 else "price"
        total, results = search_all_pages(client, {**as_params(q), "sort": sort})
        expected = brute_force(listings, q)
        got = {r["listing_id"]: r["distance_km"] for r in results}
        assert total == len(expected) == len(results), q
        assert set(got) == set(expected), q
        for listing_id, distance in expected.items():
            if distance is not None:
                assert got[listing_id] == pytest.approx(distance, abs=0.001)
        if sort == "distance":
            distances = [r["distance_km"] for r in results]
            assert distances == sorted(distances)
        else:
            target = q.get("currency", "EUR")
            by_id = {listing.id: listing for listing in listings}
            prices = [converted(by_id[i].price_minor, by_id[i].currency, target) for i in got]
            assert prices == sorted(prices), q


def test_search_results_carry_prices_distance_and_owner(client):
    seed_rates()
    warehouse = WarehouseFactory(city="Antwerp", country="BE", latitude=51.21989, longitude=4.40346)
    listing = ListingFactory(warehouse=warehouse, price_minor=350, currency="EUR", quantity=80)
    start = TODAY + timedelta(days=1)
    response = client.get(
        "/api/v1/search",
        query_string={
            "near": "Rotterdam, NL",
            "radius_km": 100,
            "quantity": 10,
            "start": start.isoformat(),
            "end": (start + timedelta(days=13)).isoformat(),
            "currency": "USD",
        },
    )
    (hit,) = response.json["results"]
    assert hit["listing_id"] == listing.id and hit["free_quantity"] == 80
    assert hit["unit_price"] == {"amount_minor": 350, "currency": "EUR"}
    # rent 3.50 x 10 x 14/7 = 70.00, + 8 % commission + 2 % guarantee fee, as a booking's quote
    assert hit["quote"] == {
        "subtotal": {"amount_minor": 7000, "currency": "EUR"},
        "commission": {"amount_minor": 560, "currency": "EUR"},
        "guarantee_fee": {"amount_minor": 140, "currency": "EUR"},
        "total": {"amount_minor": 7700, "currency": "EUR"},
    }
    assert hit["total_price"] == {"amount_minor": 7700, "currency": "EUR"}
    assert hit["converted_total_price"] == {"amount_minor": 8354, "currency": "USD"}  # 83.545
    assert 75 < hit["distance_km"] < 80
    assert hit["owner"]["id"] == warehouse.organization_id
    assert hit["warehouse"]["country"] == "BE"
    assert response.json["rate_date"] == (TODAY - timedelta(days=2)).isoformat()
    assert response.json["centre"]["label"] == "Rotterdam, Netherlands"


def test_sort_by_rating_puts_rated_owners_first(client):
    rated = OrganizationFactory(kind="owner", credit_score=800)
    better = OrganizationFactory(kind="owner", credit_score=900)
    unrated = ListingFactory(price_minor=100)
    first = ListingFactory(warehouse=WarehouseFactory(organization=better), price_minor=900)
    second = ListingFactory(warehouse=WarehouseFactory(organization=rated), price_minor=500)
    body = client.get("/api/v1/search?sort=rating").json
    assert [r["listing_id"] for r in body["results"]] == [first.id, second.id, unrated.id]


def test_pagination(client):
    for n in range(7):
        ListingFactory(price_minor=100 + n)
    page = client.get("/api/v1/search?per_page=3&page=3").json
    assert page["total"] == 7 and len(page["results"]) == 1
    assert page["results"][0]["unit_price"]["amount_minor"] == 106


BAD_SEARCHES = [
    ({"start": "2020-01-01", "end": "2020-01-05"}, "start"),
    (
        {
            "start": (TODAY + timedelta(days=9)).isoformat(),
            "end": (TODAY + timedelta(days=2)).isoformat(),
        },
        "end",
    ),
    ({"start": TODAY.isoformat()}, "end"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": -3}, "quantity"),
    ({"quantity": "ten"}, "quantity"),
    ({"max_price": "-5", "currency": "EUR"}, "max_price"),
    ({"max_price": "5"}, "currency"),
    ({"max_price": "5", "currency": "XXY"}, "currency"),
    ({"max_price": "5", "currency": "CHF"}, "currency"),  # no exchange rate recorded
    ({"country": "XX"}, "country"),
    ({"radius_km": 50}, "radius_km"),
    ({"near": "Rotterdam", "radius_km": -1}, "radius_km"),
    ({"near": "Rotterdam", "radius_km": 10**9}, "radius_km"),
    ({"near": "Atlantisville"}, "near"),
    ({"near": "Rotterdam", "lat": 1, "lon": 2}, "near"),
    ({"lat": 51.9}, "lat"),
    ({"lat": 100, "lon": 0}, "lat"),
    ({"temperature_min": 10, "temperature_max": 2}, "temperature_min"),
    ({"hazmat_class": 12}, "hazmat_class"),
    ({"category": "weapons"}, "category"),
    ({"unit": "barrel"}, "unit"),
    ({"sort": "distance"}, "sort"),
    ({"sort": "random"}, "sort"),
    ({"per_page": 100000}, "per_page"),
    ({"page": 0}, "page"),
    ({"unit_weight_kg": -1}, "unit_weight_kg"),
    ({"bbox": "4,51,5"}, "bbox"),
    ({"bbox": "4,51,5,52,1"}, "bbox"),
    ({"bbox": "west,51,5,52"}, "bbox"),
    ({"bbox": "4,51,nan,52"}, "bbox"),
    ({"bbox": "4,51,inf,52"}, "bbox"),
    ({"bbox": "4,51,181,52"}, "bbox"),
    ({"bbox": "-190,51,5,52"}, "bbox"),
    ({"bbox": "4,-91,5,52"}, "bbox"),
    ({"bbox": "4,52,5,51"}, "bbox"),  # south above north
    ({"bbox": "4,51,5,51"}, "bbox"),  # no height
    ({"bbox": "4,51,4,52"}, "bbox"),  # no width
    ({"bbox": ""}, "bbox"),
]


@pytest.mark.parametrize(("params", "field"), BAD_SEARCHES)
def test_bad_search_input_is_a_clear_4xx(client, params, field):
    seed_rates()
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"], response.json
    assert response.json["error"]["message"]


def test_a_map_area_keeps_the_warehouses_inside_it_even_across_the_antimeridian(client):
    seed_rates()
    places = {  # city: (lat, lon)
        "Rotterdam": (51.9225, 4.47917),
        "Hamburg": (53.55073, 9.99302),
        "Auckland": (-36.85, 174.76),
        "Honolulu": (21.31, -157.86),
        "Tokyo": (35.6895, 139.69171),
    }
    for city, (lat, lon) in places.items():
        warehouse = WarehouseFactory(city=city, latitude=lat, longitude=lon)
        ListingFactory(warehouse=warehouse, title=f"Space in {city}")

    def cities(bbox: str) -> set[str]:
        response = client.get("/api/v1/search", query_string={"bbox": bbox})
        assert response.status_code == 200, response.json
        return {hit["warehouse"]["city"] for hit in response.json["results"]}

    assert cities("3,51,6,53") == {"Rotterdam"}
    assert cities("3,51,11,54") == {"Rotterdam", "Hamburg"}
    assert cities("170,-50,-150,30") == {"Auckland", "Honolulu"}  # across the antimeridian
    assert cities("-150,-50,170,60") == {"Rotterdam", "Hamburg", "Tokyo"}  # the rest
    assert cities("-180,-90,180,90") == set(places)
    assert cities("-40,-40,-20,-10") == set()
    near_and_inside = {"near": "Rotterdam, NL", "radius_km": 600, "bbox": "8,50,12,56"}
    body = client.get("/api/v1/search", query_string=near_and_inside).json
    assert [hit["warehouse"]["city"] for hit in body["results"]] == ["Hamburg"]


def test_an_empty_map_area_offers_to_search_everywhere(client):
    seed_rates()
    ListingFactory(title="Ambient racking Rotterdam", unit="pallet")
    body = client.get("/api/v1/search?bbox=-40,-40,-20,-10&unit=pallet").json
    assert body["total"] == 0
    assert [r["filter"] for r in body["relaxations"]] == ["bbox"]
    assert "zoom the map out or move it" in body["hints"]
    page = client.get("/?bbox=3,51,6,53").get_data(as_text=True)
    assert "Ambient racking Rotterdam" in page and "in the map's area" in page
    assert 'data-bbox="3,51,6,53"' in page and 'href="/"' in page  # search everywhere
    bad = client.get("/?bbox=3,53,6,51&unit=pallet")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "The map area (bbox) has min_lat below max_lat." in text
    assert 'value="3,53,6,51"' in text  # the field keeps what was typed, to correct it


def test_search_page_results_empty_state_and_errors(client):
    seed_rates()
    ListingFactory(title="Ambient racking Rotterdam", price_minor=275)
    page = client.get("/?near=Rotterdam%2C+NL&currency=USD").get_data(as_text=True)
    assert "Ambient racking Rotterdam" in page and "$2.98" in page and "€2.75" in page
    assert "within 200 km of <strong>Rotterdam, Netherlands</strong>" in page
    empty = client.get("/?near=Singapore&radius_km=10&quantity=5").get_data(as_text=True)
    assert "No listing matches all of that." in empty
    assert "widen the radius" in empty and "ask for fewer units" in empty
    bad = client.get("/?near=Atlantisville")
    assert bad.status_code == 422 and "Place not found." in bad.get_data(as_text=True)
    reversed_dates = client.get(
        f"/?start={(TODAY + timedelta(days=5)).isoformat()}&end={TODAY.isoformat()}"
    )
    assert reversed_dates.status_code == 422
    assert "Before start." in reversed_dates.get_data(as_text=True)
    beyond = client.get("/?near=Rotterdam%2C+NL&currency=USD&page=99")
    assert beyond.status_code == 302 and "page=1" in beyond.headers["Location"]
    assert "currency=USD" in beyond.headers["Location"]


def test_search_counts_capacity_held_by_bookings(client):
    from warehouse_exchange.bookings import capacity

    listing = ListingFactory(quantity=10)
    start = TODAY + timedelta(days=10)
    capacity.hold(listing, start + timedelta(days=2), start + timedelta(days=4), 8)
    params = {"start": start.isoformat(), "end": (start + timedelta(days=6)).isoformat()}
    (hit,) = client.get("/api/v1/search", query_string={**params, "quantity": 2}).json["results"]
    assert hit["free_quantity"] == 2
    assert client.get("/api/v1/search", query_string={**params, "quantity": 3}).json["total"] == 0
    later = {
        "start": (start + timedelta(days=5)).isoformat(),
        "end": (start + timedelta(days=11)).isoformat(),
        "quantity": 10,
    }
    assert (
        client.get("/api/v1/search", query_string=later).json["results"][0]["free_quantity"] == 10
    )
    capacity.hold(listing, start, start + timedelta(days=30), 2)
    assert client.get("/api/v1/search", query_string=params).json["total"] == 0


def search_ids(client, **params) -> list[int]:
    results = client.get("/api/v1/search", query_string=params).json["results"]
    return [result["listing_id"] for result in results]


def test_price_order_follows_recorded_rates_and_edited_prices(client, operator, owner):
    from tests.helpers import api_token, login

    warehouse = WarehouseFactory(organization=owner.organization)
    euros = ListingFactory(warehouse=warehouse, price_minor=300, currency="EUR")
    dollars = ListingFactory(warehouse=warehouse, price_minor=310, currency="USD")
    assert search_ids(client) == [euros.id, dollars.id]  # no USD rate yet: unrated go last
    login(client, operator)
    for day, rate in ((TODAY - timedelta(days=3), "1.00"), (TODAY, "1.10")):
        client.post(
            "/operator/exchange-rates/",
            data={"currency": "USD", "rate": rate, "rate_date": day.isoformat()},
        )
        if rate == "1.00":  # USD 3.10 = EUR 3.10, dearer than EUR 3.00
            assert search_ids(client) == [euros.id, dollars.id]
    assert search_ids(client) == [dollars.id, euros.id]  # USD 3.10 = EUR 2.82
    body = client.get(f"/api/v1/listings/{euros.id}").json
    edited = {
        key: body[key]
        for key in (
            "title",
            "unit",
            "quantity",
            "available_from",
            "available_to",
            "unit_price",
            "max_unit_length_cm",
            "max_unit_width_cm",
            "max_unit_height_cm",
            "max_unit_weight_kg",
            "temperature_min_c",
            "temperature_max_c",
            "categories",
        )
    }
    edited["unit_price"] = {"amount_minor": 250, "currency": "EUR"}
    response = client.put(
        f"/api/v1/listings/{euros.id}", json=edited, headers=api_token(client, owner)
    )
    assert response.status_code == 200, response.json
    assert search_ids(client) == [euros.id, dollars.id]


def test_a_broad_search_counts_only_so_far(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_COUNT_LIMIT", 5)
    for n in range(8):
        ListingFactory(price_minor=100 + n)
    first = client.get("/api/v1/search?per_page=3").json
    assert (first["total"], first["total_is_exact"]) == (5, False)
    last = client.get("/api/v1/search?per_page=3&page=3").json
    assert (last["total"], last["total_is_exact"], len(last["results"])) == (8, True, 2)
    monkeypatch.setitem(app.config, "SEARCH_DEFAULT_PER_PAGE", 3)
    page = client.get("/").get_data(as_text=True)
    assert "More than 5 listings" in page and "Next" in page
    narrow = client.get("/api/v1/search?per_page=3&max_price=1.03&currency=EUR").json
    assert (narrow["total"], narrow["total_is_exact"]) == (4, True)


GOODS = {
    "unit_length_cm": 120,
    "unit_width_cm": 80,
    "unit_height_cm": 150,
    "unit_weight_kg": 400,
    "temperature_min_c": 10,
    "temperature_max_c": 30,
    "category": "general",
    "sku_count": 4,
}


def test_a_search_total_is_the_booking_quote_total_page_and_api(client, owner, exporter):
    """Rent + commission + guarantee fee, rounded once by the quote itself: prices and
    quantities where rounding the rent alone would give another number."""
    from tests.helpers import api_token, login

    seed_rates()
    warehouse = WarehouseFactory(organization=owner.organization)
    listings = [
        ListingFactory(warehouse=warehouse, price_minor=price, currency=currency)
        for price, currency in ((333, "EUR"), (777, "JPY"), (419, "USD"), (1001, "GBP"))
    ]
    start = TODAY + timedelta(days=2)
    asked = {"quantity": 3, "start": start, "end": start + timedelta(days=9)}
    hits = client.get("/api/v1/search", query_string=as_params(asked)).json["results"]
    assert {hit["listing_id"] for hit in hits} == {listing.id for listing in listings}
    page = client.get("/", query_string=as_params(asked)).get_data(as_text=True)
    assert page.count("total incl. fees for 3 pallet positions, 10 days") == len(listings)
    tenant = api_token(client, exporter)
    login(client, exporter)
    for hit in hits:
        booking = {"listing_id": hit["listing_id"], **as_params(asked), "sku_profile": GOODS}
        created = client.post("/api/v1/bookings", json=booking, headers=tenant)
        assert created.status_code == 201, created.json
        assert hit["quote"] == created.json["quote"]
        assert hit["total_price"] == created.json["quote"]["total"]
        assert hit["total_price"] != hit["quote"]["subtotal"]
        form = {**as_params(asked), **GOODS, "hazmat_class": "", "action": "quote"}
        quoted = client.post(f"/listings/{hit['listing_id']}/book", data=form)
        total = re.search(r"<th>Total</th><th class=\"num\">([^<]+)</th>", quoted.text).group(1)
        assert f">{total}</strong>" in page, total


def test_a_search_without_dates_labels_the_weekly_rent(client):
    seed_rates()
    ListingFactory(price_minor=275, unit="cbm")
    body = client.get("/api/v1/search?quantity=4").json
    assert body["results"][0]["quote"] is None and body["results"][0]["total_price"] is None
    page = client.get("/?quantity=4").get_data(as_text=True)
    assert "€2.75" in page and "rent per cubic metre per week" in page
    assert "before fees" in page and "incl. fees" not in page


def test_an_empty_search_names_the_filter_that_emptied_it(client):
    """No listing near Rotterdam takes 900 kg units; nine would without the weight."""
    near = {"near": "Rotterdam, NL", "radius_km": 100}
    rotterdam = WarehouseFactory(city="Rotterdam", country="NL", latitude=51.92, longitude=4.48)
    for _ in range(9):
        ListingFactory(warehouse=rotterdam, max_unit_weight_kg=500, quantity=20)
    ListingFactory(warehouse=rotterdam, max_unit_weight_kg=1000, quantity=2)  # too few units
    singapore = WarehouseFactory(city="Singapore", country="SG", latitude=1.29, longitude=103.85)
    ListingFactory(warehouse=singapore, max_unit_weight_kg=1000, quantity=50)  # far away
    asked = {**near, "quantity": 5, "unit_weight_kg": 900, "category": "general"}
    body = client.get("/api/v1/search", query_string=asked).json
    assert body["total"] == 0 and body["results"] == []
    assert body["relaxations"] == [
        {
            "filter": "unit_weight_kg",
            "label": "the weight of 900 kg per unit",
            "params": ["unit_weight_kg"],
            "matches": 9,
            "matches_exact": True,
        },
        {
            "filter": "quantity",
            "label": "the quantity of 5",
            "params": ["quantity"],
            "matches": 1,
            "matches_exact": True,
        },
    ]
    page = client.get("/", query_string=asked).get_data(as_text=True)
    assert "No listing matches all of that." in page
    assert "9 listings match without the weight of 900 kg per unit." in page
    link = re.search(r'data-filter="unit_weight_kg">.*?href="([^"]+)"', page, re.S).group(1)
    assert "unit_weight_kg" not in link and "quantity=5" in link and "near=" in link
    widened = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "9 listings" in widened and "No listing matches" not in widened


def test_an_empty_search_of_one_filter_tries_nothing_more(client):
    ListingFactory(max_unit_weight_kg=500)
    body = client.get("/api/v1/search?unit_weight_kg=900").json
    assert body["total"] == 0 and body["relaxations"] == []
    assert body["hints"] == ["check the unit dimensions and weight"]


def test_an_empty_search_counts_at_most_eight_relaxations(client):
    from sqlalchemy import event

    from warehouse_exchange.extensions import db

    ListingFactory(max_unit_weight_kg=500)
    asked = {
        "unit_weight_kg": 900,
        "unit_height_cm": 170,
        "temperature_min": 0,
        "temperature_max": 40,
        "hazmat_class": 3,
        "category": "food",
        "max_price": "1",
        "currency": "EUR",
        "quantity": 2,
        "start": (TODAY + timedelta(days=1)).isoformat(),
        "end": (TODAY + timedelta(days=20)).isoformat(),
        "min_tier": "AAA",
        "verified_only": "true",
        "unit": "pallet",
        "country": "NL",
    }

    def statements(params: dict) -> int:
        seen = []
        record = lambda *args: seen.append(args[2].startswith("SELECT"))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            body = client.get("/api/v1/search", query_string=params).json
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert body["total"] == 0 and body["relaxations"] == []
        return sum(seen)

    one_filter = statements({"unit_weight_kg": 900, "currency": "EUR"})
    assert statements(asked) - one_filter == 8  # one count per filter tried, 8 of 13


def test_a_relaxation_near_a_place_counts_only_so_far(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_COUNT_LIMIT", 3)
    for _ in range(7):
        ListingFactory(max_unit_weight_kg=500)  # in Rotterdam
    asked = {"near": "Rotterdam, NL", "unit_weight_kg": 900, "category": "general"}
    (relaxation,) = client.get("/api/v1/search", query_string=asked).json["relaxations"]
    assert (relaxation["filter"], relaxation["matches"], relaxation["matches_exact"]) == (
        "unit_weight_kg",
        3,
        False,
    )
    page = client.get("/", query_string=asked).get_data(as_text=True)
    assert "More than 3 listings match without the weight of 900 kg per unit." in page
