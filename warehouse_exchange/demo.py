"""A deterministic demo marketplace, loaded through the services so that every rule holds.

Sixty warehouses in port and logistics cities on six continents, owned by five owner
organizations and one that both owns and rents, four exporters, one operator, exchange rates
for every currency used, and a few bookings in different states.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from .accounts.models import Organization, User
from .accounts.services import Registration, create_operator, register_organization
from .bookings.rules import SkuProfile
from .bookings.services import BookingRequest, BookingTerms, accept_booking, request_booking
from .extensions import db
from .fx.services import record_rate
from .listings.services import ListingData, create_listing
from .money import exponent
from .warehouses.services import WarehouseData, create_warehouse

PASSWORD = "demo-password-1"
BASE = "EUR"

#: (organization, kind, country, contact name, email)
ORGANIZATIONS = [
    ("Nordsee Logistik GmbH", "owner", "DE", "Greta Hansen", "owner@nordsee.example"),
    ("Pacific Gateway Warehousing Inc.", "owner", "US", "Dan Alvarez",
     "owner@pacificgateway.example"),
    ("Lion City Cold Chain Pte Ltd", "owner", "SG", "Mei Lin Tan", "owner@lioncity.example"),
    ("Gulf Bonded Storage FZE", "owner", "AE", "Omar Haddad", "owner@gulfbonded.example"),
    ("Southern Cross Fulfilment Pty", "owner", "AU", "Kate Morgan", "owner@southerncross.example"),
    ("Atlas Trade & Storage SA", "both", "MA", "Youssef Amrani", "both@atlastrade.example"),
    ("Shenzhen Bright Electronics Co.", "exporter", "CN", "Li Wei",
     "exporter@brightelectronics.example"),
    ("Anatolia Textiles", "exporter", "TR", "Elif Kaya", "exporter@anatoliatextiles.example"),
    ("Andes Coffee Exporters", "exporter", "CO", "Camila Rojas", "exporter@andescoffee.example"),
    ("Saigon Home Goods", "exporter", "VN", "Nguyen Thi Hoa", "exporter@saigonhome.example"),
]  # fmt: skip
OPERATOR = ("operator@warehouse-exchange.example", "Platform Operator")

#: (city, country, owner index in ORGANIZATIONS, site name, street address)
SITES = [
    ("Rotterdam", "NL", 0, "Maasvlakte DC 2", "Europaweg 875"),
    ("Rotterdam", "NL", 0, "Waalhaven Cold Store", "Waalhaven Zuidzijde 14"),
    ("Hamburg", "DE", 0, "Waltershof Hall 3", "Am Ballinkai 1"),
    ("Antwerp", "BE", 0, "Churchill Dock Warehouse", "Churchilldok 420"),
    ("Felixstowe", "GB", 0, "Port of Felixstowe Shed 9", "Walton Avenue 12"),
    ("Le Havre", "FR", 0, "Parc Logistique du Pont", "Route de l'Estuaire 7"),
    ("Valencia", "ES", 0, "Zona de Actividades Logisticas 4", "Calle del Puerto 22"),
    ("Genoa", "IT", 0, "Sampierdarena Magazzino", "Via Pietro Chiesa 8"),
    ("Gdansk", "PL", 0, "Baltic Hub Storage", "ul. Kontenerowa 3"),
    ("Piraeus", "GR", 0, "Neo Ikonio Depot", "Akti Kondyli 40"),
    ("Bremerhaven", "DE", 0, "Kaiserhafen Logistics", "Senator-Borttscheller-Str. 1"),
    ("Duisburg", "DE", 0, "logport I Hall 12", "Rheinhauser Str. 200"),
    ("Barcelona", "ES", 0, "ZAL Port Nave 6", "Avinguda Ports d'Europa 100"),
    ("Los Angeles", "US", 1, "Vernon Cross-Dock", "4800 District Blvd"),
    ("Long Beach", "US", 1, "Pier T Transload", "1521 Pier T Ave"),
    ("Newark", "US", 1, "Port Newark Building 3", "1210 Corbin St"),
    ("Savannah", "US", 1, "Garden City Distribution", "200 Brampton Rd"),
    ("Houston", "US", 1, "Barbours Cut Logistics", "1515 E Barbours Cut Blvd"),
    ("Chicago", "US", 1, "Joliet Intermodal DC", "26664 S Frontage Rd"),
    ("Seattle", "US", 1, "Harbor Island Warehouse", "2400 11th Ave SW"),
    ("Miami", "US", 1, "Doral Free Trade Zone", "8500 NW 25th St"),
    ("Vancouver", "CA", 1, "Deltaport Fulfilment", "2 Roberts Bank Way"),
    ("Toronto", "CA", 1, "Mississauga Gateway DC", "6300 Kennedy Rd"),
    ("Manzanillo", "MX", 1, "Recinto Fiscal Manzanillo", "Av. Teniente Azueta 9"),
    ("Mexico City", "MX", 1, "Cuautitlan Logistics Park", "Carretera Mexico-Queretaro km 36"),
    ("Singapore", "SG", 2, "Tuas Cold Hub", "51 Tuas South Ave 1"),
    ("Singapore", "SG", 2, "Keppel Distripark Unit 7", "511 Kampong Bahru Rd"),
    ("Port Klang", "MY", 2, "Westport Bonded Store", "Jalan Pelabuhan Utara"),
    ("Hong Kong", "HK", 2, "Kwai Chung Godown 5", "38 Container Port Rd"),
    ("Shenzhen", "CN", 2, "Yantian Port Warehouse", "Yantian Gangqian Rd 8"),
    ("Shanghai", "CN", 2, "Waigaoqiao Bonded DC", "Jilong Rd 55"),
    ("Busan", "KR", 2, "Busan New Port Logistics", "Sinhang-ro 99"),
    ("Tokyo", "JP", 2, "Oi Wharf Warehouse", "3-8 Yashio, Shinagawa"),
    ("Yokohama", "JP", 2, "Honmoku Pier Store", "Honmoku-futo 1"),
    ("Kaohsiung", "TW", 2, "Kaohsiung FTZ Hall 2", "Zhongshan 4th Rd 6"),
    ("Bangkok", "TH", 2, "Lat Krabang ICD Store", "Chalong Krung Rd 32"),
    ("Ho Chi Minh City", "VN", 2, "Cat Lai Depot", "1295B Nguyen Thi Dinh"),
    ("Jakarta", "ID", 2, "Tanjung Priok Gudang 4", "Jl. Raya Pelabuhan 11"),
    ("Manila", "PH", 2, "Manila North Harbor Storage", "Marcos Rd 2"),
    ("Dubai", "AE", 3, "Jebel Ali Free Zone Unit 14", "JAFZA South, Road 1"),
    ("Dubai", "AE", 3, "Al Quoz Cold Rooms", "Al Quoz Industrial 3"),
    ("Abu Dhabi", "AE", 3, "Khalifa Port Logistics", "KEZAD Area B"),
    ("Jeddah", "SA", 3, "Jeddah Islamic Port Depot", "King Faisal Rd 17"),
    ("Mumbai", "IN", 3, "Nhava Sheva CFS", "JNPT Road 4"),
    ("Chennai", "IN", 3, "Ennore Logistics Hub", "Ennore Expressway 21"),
    ("Colombo", "LK", 3, "Colombo Port City Store", "Church St 5"),
    ("Istanbul", "TR", 3, "Ambarli Depo 3", "Yakuplu Mah. 1"),
    ("Sydney", "AU", 4, "Port Botany DC", "Foreshore Rd 20"),
    ("Melbourne", "AU", 4, "Dandenong South Fulfilment", "Glasscocks Rd 65"),
    ("Brisbane", "AU", 4, "Port of Brisbane Shed 4", "Port Dr 11"),
    ("Auckland", "NZ", 4, "Auckland Metroport Store", "Neilson St 88"),
    ("Santos", "BR", 4, "Santos Alfandegado", "Av. Eduardo Pereira Guinle 2"),
    ("Sao Paulo", "BR", 4, "Guarulhos Air Cargo DC", "Rod. Helio Smidt 1"),
    ("Buenos Aires", "AR", 4, "Puerto Nuevo Deposito", "Av. Ramon Castillo 1"),
    ("Callao", "PE", 4, "Callao Almacen Aduanero", "Av. Argentina 2833"),
    ("Lagos", "NG", 5, "Apapa Bonded Terminal", "Wharf Rd 1"),
    ("Durban", "ZA", 5, "Bayhead Container Depot", "Bayhead Rd 30"),
    ("Johannesburg", "ZA", 5, "City Deep Inland Port", "Heidelberg Rd 9"),
    ("Mombasa", "KE", 5, "Kilindini CFS", "Moi Ave 44"),
    ("Tangier", "MA", 5, "Tanger Med Zone Logistique", "Zone Franche Ksar el Majaz"),
    ("Alexandria", "EG", 5, "El Dekheila Store", "Port Said St 3"),
]  # fmt: skip

#: units of each currency per 1 EUR, as recorded by the operator
RATES = {
    "USD": "1.0840", "GBP": "0.8420", "JPY": "163.20", "CNY": "7.8210", "SGD": "1.4570",
    "AED": "3.9810", "HKD": "8.4370", "AUD": "1.6480", "BRL": "5.9260", "NGN": "1710.00",
    "INR": "90.450", "ZAR": "19.720", "KRW": "1478.0", "CAD": "1.4930", "MXN": "21.840",
    "MYR": "4.8350", "PLN": "4.2870", "TRY": "37.860", "MAD": "10.790", "KES": "140.10",
}  # fmt: skip
LOCAL_CURRENCY = {
    "US": "USD", "GB": "GBP", "JP": "JPY", "CN": "CNY", "SG": "SGD", "AE": "AED", "HK": "HKD",
    "AU": "AUD", "NZ": "AUD", "BR": "BRL", "NG": "NGN", "IN": "INR", "ZA": "ZAR", "KR": "KRW",
    "CA": "CAD", "MX": "MXN", "MY": "MYR", "PL": "PLN", "TR": "TRY", "MA": "MAD", "KE": "KES",
}  # fmt: skip
#: weekly price per unit in EUR cents: (low, high) per unit kind
PRICE_RANGE_EUR_CENTS = {"pallet": (150, 400), "cbm": (100, 300), "sqm": (150, 500)}
ZONES = {"ambient": (15, 25), "chilled": (2, 8), "frozen": (-25, -18)}
ZONE_CATEGORIES = {
    "ambient": ["general", "apparel", "electronics", "furniture", "toys", "auto_parts", "books"],
    "chilled": ["food", "pharma", "cosmetics"],
    "frozen": ["food"],
}
CERTIFICATIONS = ["ISO 9001", "AEO", "TAPA FSR", "GDP", "HACCP", "ISO 14001", "BRCGS"]
SERVICES = ["pick_pack", "labelling", "returns", "kitting", "cross_dock"]


def demo_is_loaded() -> bool:
    return db.session.scalar(select(Organization.id).limit(1)) is not None


def load_demo_data(geocoder, today: date) -> str:
    rng = random.Random(2026)
    users = [_register(*row) for row in ORGANIZATIONS]
    operator = create_operator(OPERATOR[0], OPERATOR[1], PASSWORD)
    for currency, rate in RATES.items():
        record_rate(operator, currency, rate, today - timedelta(days=1), BASE, today)
    listings = []
    for city, country, owner_index, name, address in SITES:
        warehouse = create_warehouse(
            users[owner_index], _warehouse(rng, city, country, name, address), geocoder
        )
        for _ in range(rng.choice([1, 2, 2, 3])):
            data = _listing(rng, warehouse, country, today)
            listings.append(create_listing(users[owner_index], warehouse.id, data, today))
    bookings = _bookings(rng, users, listings, today)
    owners = sum(kind != "exporter" for _, kind, *_ in ORGANIZATIONS)
    exporters = sum(kind != "owner" for _, kind, *_ in ORGANIZATIONS)
    return (
        f"{owners} owners, {exporters} exporters, 1 operator, {len(SITES)} warehouses, "
        f"{len(listings)} listings, {bookings} bookings, {len(RATES)} exchange rates"
    )


def _register(name, kind, country, contact, email) -> User:
    return register_organization(Registration(name, kind, country, contact, email, PASSWORD))


def _warehouse(rng: random.Random, city, country, name, address) -> WarehouseData:
    zones = ["ambient"] + [z for z in ("chilled", "frozen") if rng.random() < 0.35]
    hazmat = rng.choice([[], [], [], [3, 8, 9], [2, 3, 4, 5, 6, 8, 9]])
    return WarehouseData(
        name=name,
        address=address,
        city=city,
        country=country,
        bonded=rng.random() < 0.5,
        temperature_zones={zone: ZONES[zone] for zone in zones},
        hazmat_classes=hazmat,
        max_pallet_height_cm=rng.choice([150, 180, 200, 220, 240]),
        max_pallet_weight_kg=rng.choice([800, 1000, 1200, 1500]),
        floor_load_kg_m2=rng.choice([2000, 3000, 4000, 5000, 6000]),
        services=sorted(rng.sample(SERVICES, rng.randint(1, 4))),
        certifications=", ".join(rng.sample(CERTIFICATIONS, rng.randint(1, 3))),
    )


def _price_minor(rng: random.Random, unit: str, currency: str) -> int:
    """A realistic weekly price, converted from a EUR range and rounded to a tidy amount."""
    eur = Decimal(rng.randint(*PRICE_RANGE_EUR_CENTS[unit])) / 100
    local = eur * Decimal(RATES.get(currency, "1"))
    step = Decimal("0.05") if exponent(currency) else Decimal(1)
    tidy = max(step, (local / step).quantize(Decimal(1)) * step)
    return int(tidy.scaleb(exponent(currency)))


def _listing(rng: random.Random, warehouse, country: str, today: date) -> ListingData:
    zone = rng.choice(warehouse.temperature_zones)
    unit = rng.choice(["pallet", "pallet", "cbm", "sqm"])
    currency = LOCAL_CURRENCY.get(country, "EUR") if rng.random() < 0.8 else "EUR"
    quantity = rng.choice([20, 40, 60, 120, 250, 500, 1000, 2000])
    starts = today + timedelta(days=rng.randint(0, 60))
    hazmat = warehouse.hazmat_classes if zone.kind == "ambient" and rng.random() < 0.5 else []
    categories = rng.sample(ZONE_CATEGORIES[zone.kind], min(3, len(ZONE_CATEGORIES[zone.kind])))
    return ListingData(
        title=f"{zone.kind.capitalize()} {unit_label(unit)} in {warehouse.city}",
        description=f"{warehouse.name}: {', '.join(warehouse.certification_list)}.",
        unit=unit,
        quantity=quantity,
        available_from=starts,
        available_to=starts + timedelta(days=rng.randint(90, 540)),
        price_minor=_price_minor(rng, unit, currency),
        currency=currency,
        min_quantity=rng.choice([1, 1, 5, 10]),
        min_term_days=rng.choice([7, 14, 30, 30, 60, 90]),
        max_unit_length_cm=rng.choice([120, 120, 240]),
        max_unit_width_cm=rng.choice([80, 100, 120]),
        max_unit_height_cm=min(warehouse.max_pallet_height_cm, rng.choice([150, 180, 220])),
        max_unit_weight_kg=min(warehouse.max_pallet_weight_kg, rng.choice([500, 800, 1000])),
        temperature_min_c=zone.min_c,
        temperature_max_c=zone.max_c,
        hazmat_classes=hazmat,
        categories=categories + (["chemicals"] if hazmat else []),
        instant_book=rng.random() < 0.3,
    )


def unit_label(unit: str) -> str:
    return {"pallet": "pallet positions", "cbm": "cubic metres", "sqm": "floor space"}[unit]


def _bookings(rng: random.Random, users: list[User], listings, today: date) -> int:
    """A few requests and accepted leases, so that inboxes, leases and calendars show life."""
    terms = BookingTerms(commission_bp=800, guarantee_bp=200, request_ttl=timedelta(days=2))
    now = datetime.combine(today, time(9), UTC)
    tenants = [u for u in users if u.organization.rents_space]
    ambient = [x for x in listings if x.temperature_min_c >= 15 and "general" in x.categories]
    made = 0
    for listing in rng.sample(ambient, min(12, len(ambient))):
        tenant = rng.choice(
            [t for t in tenants if t.organization_id != listing.warehouse.organization_id]
        )
        start = listing.available_from + timedelta(days=rng.randint(1, 20))
        end = start + timedelta(days=max(listing.min_term_days, 28) - 1)
        if end > listing.available_to:
            continue
        goods = SkuProfile(80, 60, 100, min(300, listing.max_unit_weight_kg), 10, 30, "general", 25)
        quantity = max(listing.min_quantity, listing.quantity // rng.choice([4, 5, 10]))
        request = BookingRequest(listing.id, quantity, start, end, goods, f"demo-{listing.id}")
        booking = request_booking(tenant, request, terms, now, today)
        if booking.state == "requested" and made % 2 == 0:
            accept_booking(listing.warehouse.organization.members[0], booking.id, now)
        made += 1
    return made


DEMO_LOGINS = [(email, f"{kind} · {name}") for name, kind, _c, _n, email in ORGANIZATIONS] + [
    (OPERATOR[0], "operator")
]
