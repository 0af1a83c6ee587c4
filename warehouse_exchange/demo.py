"""A deterministic demo marketplace, loaded through the services so that every rule holds.

Sixty-one warehouses in port and logistics cities on six continents, owned by five owner
organizations and one that both owns and rents, four exporters, one operator, exchange rates
for every currency used, and a few bookings in different states. The same `today` always gives
the same rows; only the dates move with it.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from .accounts.models import Organization, User
from .accounts.services import Registration, create_operator, register_organization
from .bookings.commands import BookingRequest, accept_booking, request_booking
from .bookings.rules import BookingTerms, SkuProfile
from .catalog import SERVICES, UNIT_NOUNS
from .demo_gallery import attach_demo_photos
from .demo_history import load_history
from .escrow.bank_receipts import ReceiptData, record_bank_receipt
from .escrow.rules import payment_reference
from .extensions import db
from .fx.services import record_rate
from .listings.models import Listing
from .listings.services import ListingData, create_listing
from .money import exponent
from .warehouses.models import Warehouse
from .warehouses.services import WarehouseData, create_warehouse

PASSWORD = "demo-password-1"
SEED = 2026

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
KIND_WORDS = {"owner": "owner", "exporter": "exporter", "both": "owner and exporter"}
#: the demo log-ins the README lists: (email, who)
DEMO_LOGINS = [
    (email, f"{KIND_WORDS[kind]} · {name}")
    for name, kind, _country, _contact, email in ORGANIZATIONS
] + [(OPERATOR[0], "platform operator")]
#: the index in ORGANIZATIONS of the cold-chain specialist, whose sites mostly run cold zones
COLD_CHAIN_OWNER = 2

#: (city, country, owner index in ORGANIZATIONS, site name, street address); every city
#: resolves through the offline gazetteer as "City, CC"
SITES = [
    ("Rotterdam", "NL", 0, "Maasvlakte DC 2", "Europaweg 875"),
    ("Rotterdam", "NL", 0, "Waalhaven Cold Store", "Waalhaven Zuidzijde 14"),
    ("Hamburg", "DE", 0, "Waltershof Hall 3", "Am Ballinkai 1"),
    ("Antwerp", "BE", 0, "Churchill Dock Warehouse", "Churchilldok 420"),
    ("Felixstowe", "GB", 0, "Port of Felixstowe Shed 9", "Walton Avenue 12"),
    ("Le Havre", "FR", 0, "Parc Logistique du Pont", "Route de l'Estuaire 7"),
    ("Valencia", "ES", 0, "Zona de Actividades Logísticas 4", "Calle del Puerto 22"),
    ("Genoa", "IT", 0, "Sampierdarena Magazzino", "Via Pietro Chiesa 8"),
    ("Gdańsk", "PL", 0, "Baltic Hub Storage", "ul. Kontenerowa 3"),
    ("Piraeus", "GR", 0, "Neo Ikonio Depot", "Akti Kondyli 40"),
    ("Bremerhaven", "DE", 0, "Kaiserhafen Logistics", "Senator-Borttscheller-Str. 1"),
    ("Duisburg", "DE", 0, "logport I Hall 12", "Rheinhauser Str. 200"),
    ("Barcelona", "ES", 0, "ZAL Port Nave 6", "Avinguda Ports d'Europa 100"),
    ("Los Angeles", "US", 1, "Vernon Cross-Dock", "4800 District Blvd"),
    ("Long Beach", "US", 1, "Pier T Transload", "1521 Pier T Ave"),
    ("Newark", "US", 1, "Port Newark Building 3", "1210 Corbin St"),
    ("Savannah", "US", 1, "Garden City Distribution", "200 Brampton Rd"),
    ("Houston", "US", 1, "Barbours Cut Logistics", "1515 E Barbours Cut Blvd"),
    ("Chicago", "US", 1, "Chicago South Intermodal DC", "4100 S Ashland Ave"),
    ("Seattle", "US", 1, "Harbor Island Warehouse", "2400 11th Ave SW"),
    ("Miami", "US", 1, "Doral Free Trade Zone", "8500 NW 25th St"),
    ("Vancouver", "CA", 1, "Deltaport Fulfilment", "2 Roberts Bank Way"),
    ("Toronto", "CA", 1, "Port Lands Distribution Centre", "30 Unwin Ave"),
    ("Manzanillo", "MX", 1, "Recinto Fiscal Manzanillo", "Av. Teniente Azueta 9"),
    ("Mexico City", "MX", 1, "Vallejo Industrial DC", "Poniente 140 No. 720"),
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
    ("Jebel Ali", "AE", 3, "Jebel Ali Free Zone Unit 14", "JAFZA South, Road 1"),
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
    ("São Paulo", "BR", 4, "Vila Leopoldina CD", "Av. Dr. Gastão Vidigal 1946"),
    ("Buenos Aires", "AR", 4, "Puerto Nuevo Depósito", "Av. Ramón Castillo 1"),
    ("Callao", "PE", 4, "Callao Almacén Aduanero", "Av. Argentina 2833"),
    ("Lagos", "NG", 5, "Apapa Bonded Terminal", "Wharf Rd 1"),
    ("Durban", "ZA", 5, "Bayhead Container Depot", "Bayhead Rd 30"),
    ("Johannesburg", "ZA", 5, "City Deep Inland Port", "Heidelberg Rd 9"),
    ("Mombasa", "KE", 5, "Kilindini CFS", "Moi Ave 44"),
    ("Tangier", "MA", 5, "Tanger Med Zone Logistique", "Zone Franche Ksar el Majaz"),
    ("Alexandria", "EG", 5, "El Dekheila Store", "Port Said St 3"),
]  # fmt: skip
#: words in a site's name that make it a customs-bonded site (the others are bonded at random)
BONDED_WORDS = ("Bonded", "Free", "FTZ", "Alfandegado", "Fiscal", "Aduanero", "Franche")

#: units of each currency per 1 EUR, recorded by the operator the day before `today`
RATES = {
    "USD": "1.1650", "GBP": "0.8790", "JPY": "178.40", "CNY": "8.2600", "SGD": "1.5080",
    "AED": "4.2780", "HKD": "9.0550", "AUD": "1.7720", "BRL": "6.2400", "NGN": "1685.00",
    "INR": "103.20", "ZAR": "20.150", "KRW": "1685.0", "CAD": "1.6320", "MXN": "21.350",
    "MYR": "4.8900", "PLN": "4.2350", "TRY": "50.150", "MAD": "10.720", "KES": "150.40",
}  # fmt: skip
RATES_BASE = "EUR"
#: the currency a site's listings are priced in: the country's own where the operator keeps
#: a rate for it, else the euro in Europe and the US dollar elsewhere
CURRENCY = {
    "NL": "EUR", "DE": "EUR", "BE": "EUR", "FR": "EUR", "ES": "EUR", "IT": "EUR", "GR": "EUR",
    "GB": "GBP", "PL": "PLN", "TR": "TRY", "US": "USD", "CA": "CAD", "MX": "MXN", "BR": "BRL",
    "AR": "USD", "PE": "USD", "SG": "SGD", "MY": "MYR", "HK": "HKD", "CN": "CNY", "KR": "KRW",
    "JP": "JPY", "TW": "USD", "TH": "USD", "VN": "USD", "ID": "USD", "PH": "USD", "AE": "AED",
    "SA": "USD", "IN": "INR", "LK": "USD", "AU": "AUD", "NZ": "AUD", "NG": "NGN", "ZA": "ZAR",
    "KE": "KES", "MA": "MAD", "EG": "USD",
}  # fmt: skip

#: (min °C, max °C) a zone may run at; the usual range is the likeliest
ZONE_RANGES = {
    "ambient": [(15, 25), (15, 25), (15, 25), (10, 25), (12, 28)],
    "chilled": [(2, 8), (2, 8), (2, 8), (0, 4), (2, 10)],
    "frozen": [(-25, -18), (-25, -18), (-25, -18), (-28, -20), (-30, -18)],
}
#: categories a listing in each zone takes; dangerous goods add HAZMAT_CATEGORIES
ZONE_CATEGORIES = {
    "ambient": ["general", "apparel", "electronics", "furniture", "toys", "auto_parts", "books",
                "machinery", "cosmetics"],
    "chilled": ["food", "pharma", "cosmetics"],
    "frozen": ["food", "pharma"],
}  # fmt: skip
HAZMAT_CATEGORIES = ["auto_parts", "cosmetics", "electronics", "machinery"]
HAZMAT_CHOICES = [[]] * 6 + [[3, 8, 9]] * 3 + [[2, 3, 4, 5, 6, 8, 9]]
#: weekly price of one unit in euro cents (low, high); cold space takes the upper half
PRICE_RANGE_EUR_CENTS = {"pallet": (150, 400), "cbm": (100, 300), "sqm": (150, 500)}
QUANTITIES = [20, 40, 60, 120, 250, 500, 1000, 2000]
BOOKINGS = 12


def demo_is_loaded() -> bool:
    return db.session.scalar(select(Organization.id).limit(1)) is not None


def load_demo_data(geocoder, today: date) -> str:
    """Load the demo marketplace into an empty database; return a one-line summary."""
    rng = random.Random(SEED)
    users = [_register(*row) for row in ORGANIZATIONS]
    _joined_long_ago(users, today)
    operator = create_operator(OPERATOR[0], OPERATOR[1], PASSWORD)
    base = current_app.config.get("BASE_CURRENCY", RATES_BASE)
    rates = _rates_in(base)
    for currency, rate in rates.items():
        record_rate(operator, currency, rate, today - timedelta(days=1), base, today)
    listings = []
    for turn, (city, country, owner, name, address) in enumerate(SITES):
        data = _warehouse(rng, city, country, name, address, cold_chain=owner == COLD_CHAIN_OWNER)
        warehouse = create_warehouse(users[owner], data, geocoder)
        offers = [
            create_listing(users[owner], warehouse.id, listing, today)
            for listing in _listings(rng, warehouse, CURRENCY[country], today)
        ]
        attach_demo_photos(users[owner], warehouse, offers, turn)
        listings += offers
    bookings = _bookings(rng, users, operator, listings, today)
    history = load_history(users, operator, today, PASSWORD)
    kinds = [kind for _name, kind, *_rest in ORGANIZATIONS]
    return (
        f"{kinds.count('owner')} owners, {kinds.count('both')} owner-and-exporter, "
        f"{kinds.count('exporter')} exporters, 1 operator, {len(SITES)} warehouses, "
        f"{len(listings)} listings, {bookings} bookings, {len(rates)} exchange rates; {history}"
    )


def _rates_in(base: str) -> dict[str, Decimal]:
    """RATES re-expressed per one unit of the configured base currency."""
    per_eur = {RATES_BASE: Decimal(1)} | {code: Decimal(rate) for code, rate in RATES.items()}
    if base not in per_eur:
        raise ValueError(f"The demo has no rate for the base currency {base}.")
    return {
        code: (rate / per_eur[base]).quantize(Decimal("1e-10")).normalize()
        for code, rate in per_eur.items()
        if code != base
    }


def _register(name, kind, country, contact, email) -> User:
    return register_organization(Registration(name, kind, country, contact, email, PASSWORD))


#: how long before the demo's day its organizations joined: the first some twenty months,
#: each next one a month later, all before the past leases (and reviews) of their history
JOINED_DAYS_AGO = 600
JOINED_EVERY_DAYS = 30


def _joined_long_ago(users: list[User], today: date) -> None:
    """Registering stamps the clock's time; a marketplace with a history had its members
    long before their first leases and reviews."""
    for index, user in enumerate(users):
        joined = datetime.combine(
            today - timedelta(days=JOINED_DAYS_AGO - JOINED_EVERY_DAYS * index), time(9), UTC
        )
        user.organization.created_at = joined
        user.created_at = joined
    db.session.commit()


def _zones(rng: random.Random, name: str, cold_chain: bool) -> dict[str, tuple[int, int]]:
    if "Cold" in name:
        kinds = ["ambient", "chilled", "frozen"]
    else:
        odds = 0.7 if cold_chain else 0.3
        kinds = ["ambient"] + [kind for kind in ("chilled", "frozen") if rng.random() < odds]
    return {kind: rng.choice(ZONE_RANGES[kind]) for kind in kinds}


def _certifications(rng: random.Random, bonded: bool, zones: dict) -> str:
    certifications = rng.sample(["ISO 9001", "TAPA FSR", "ISO 14001"], rng.randint(1, 2))
    certifications += ["AEO"] if bonded else []
    certifications += ["GDP"] if "chilled" in zones else []
    certifications += ["HACCP"] if len(zones) > 1 else []
    return ", ".join(certifications)


def _warehouse(rng: random.Random, city, country, name, address, cold_chain) -> WarehouseData:
    zones = _zones(rng, name, cold_chain)
    bonded = any(word in name for word in BONDED_WORDS) or rng.random() < 0.4
    return WarehouseData(
        name=name,
        address=address,
        city=city,
        country=country,
        bonded=bonded,
        temperature_zones=zones,
        hazmat_classes=[] if "Cold" in name else rng.choice(HAZMAT_CHOICES),
        max_pallet_height_cm=rng.choice([150, 180, 200, 220, 240]),
        max_pallet_weight_kg=rng.choice([800, 1000, 1200, 1500]),
        floor_load_kg_m2=rng.choice([2000, 2500, 3000, 4000, 5000, 6000]),
        services=rng.sample(list(SERVICES), rng.randint(1, 4)),
        certifications=_certifications(rng, bonded, zones),
    )


def _listings(rng: random.Random, warehouse: Warehouse, currency: str, today: date):
    """One to three offers, each of a different zone and unit of the warehouse."""
    offers = [(zone, unit) for zone in warehouse.temperature_zones for unit in UNIT_NOUNS]
    chosen = rng.sample(offers, rng.choice([1, 2, 2, 3]))
    return [_listing(rng, warehouse, zone, unit, currency, today) for zone, unit in chosen]


def _price_minor(rng: random.Random, unit: str, cold: bool, currency: str) -> int:
    """A weekly price drawn in euros, converted and rounded to a tidy local amount."""
    low, high = PRICE_RANGE_EUR_CENTS[unit]
    cents = rng.randint((low + high) // 2 if cold else low, high)
    local = Decimal(cents) / 100 * Decimal(RATES.get(currency, "1"))
    step = max(Decimal("0.05"), 5 * Decimal(10) ** (local.adjusted() - 2))
    step = max(step, Decimal(1).scaleb(-exponent(currency)))
    tidy = max(step, (local / step).quantize(Decimal(1)) * step)
    return int(tidy.scaleb(exponent(currency)))


def _goods(rng: random.Random, warehouse: Warehouse, zone_kind: str) -> tuple[list, list]:
    """(hazard classes, categories): dangerous goods only in ambient space of a site taking them."""
    classes = warehouse.hazmat_classes
    if zone_kind == "ambient" and classes and rng.random() < 0.5:
        hazmat = sorted(rng.sample(classes, rng.randint(min(3, len(classes)), len(classes))))
        return hazmat, ["chemicals", *rng.sample(HAZMAT_CATEGORIES, 2)]
    choices = ZONE_CATEGORIES[zone_kind]
    return [], rng.sample(choices, rng.randint(1, min(4, len(choices))))


def _listing(rng, warehouse: Warehouse, zone, unit: str, currency: str, today) -> ListingData:
    hazmat, categories = _goods(rng, warehouse, zone.kind)
    quantity = rng.choice(QUANTITIES)
    starts = today + timedelta(days=rng.randint(0, 60))
    noun = UNIT_NOUNS[unit][1]
    special = "Dangerous-goods " if hazmat else ("Bonded " if warehouse.bonded else "")
    title = f"{special}{zone.kind} {noun}, {warehouse.name}"
    data = ListingData(
        title=title[0].upper() + title[1:],
        description="",
        unit=unit,
        quantity=quantity,
        available_from=starts,
        available_to=starts + timedelta(days=rng.randint(91, 548)),
        price_minor=_price_minor(rng, unit, zone.kind != "ambient", currency),
        currency=currency,
        min_quantity=min(quantity, rng.choice([1, 1, 5, 10, 20])),
        min_term_days=rng.choice([7, 14, 30, 30, 60, 90]),
        max_unit_length_cm=rng.choice([120, 120, 240]),
        max_unit_width_cm=rng.choice([80, 100, 120]),
        max_unit_height_cm=min(warehouse.max_pallet_height_cm, rng.choice([150, 180, 220])),
        max_unit_weight_kg=min(warehouse.max_pallet_weight_kg, rng.choice([500, 800, 1000])),
        temperature_min_c=zone.min_c,
        temperature_max_c=zone.max_c,
        hazmat_classes=hazmat,
        categories=categories,
        instant_book=rng.random() < 0.3,
    )
    # told after the limits are drawn, so that the text says what the listing accepts
    return replace(data, description=_description(warehouse, zone, hazmat, data))


def _description(warehouse: Warehouse, zone, hazmat: list[int], limits: ListingData) -> str:
    parts = [f"{zone.kind.capitalize()} space kept at {zone.min_c} to {zone.max_c} °C"]
    if hazmat:
        parts.append(f"UN classes {', '.join(map(str, hazmat))} accepted")
    parts.append(
        f"goods up to {limits.max_unit_length_cm} × {limits.max_unit_width_cm} cm,"
        f" {limits.max_unit_height_cm} cm high and {limits.max_unit_weight_kg} kg a unit"
    )
    if warehouse.certifications:
        parts.append(f"certified {warehouse.certifications}")
    return f"{warehouse.address}, {warehouse.city}. " + "; ".join(parts) + "."


def _bookings(rng: random.Random, users: list[User], operator, listings: list[Listing], today):
    """A few requests, accepted leases and leases paid into escrow, so that inboxes, leases,
    calendars and the escrow pages show life. Returns how many bookings were made."""
    terms = BookingTerms.from_config(current_app.config)
    now = datetime.combine(today, time(), UTC)
    tenants = [user for user in users if user.organization.rents_space]
    general = [x for x in listings if "general" in x.categories and not x.hazmat_mask]
    made = 0
    for listing in rng.sample(general, min(BOOKINGS, len(general))):
        owner_org = listing.warehouse.organization_id
        tenant = rng.choice([t for t in tenants if t.organization_id != owner_org])
        start = listing.available_from + timedelta(days=rng.randint(1, 20))
        end = start + timedelta(days=max(listing.min_term_days, 28) - 1)
        if end > listing.available_to:
            continue
        goods = SkuProfile(
            80, 60, 100, min(300, listing.max_unit_weight_kg),
            listing.temperature_min_c, listing.temperature_max_c, "general", 25,
        )  # fmt: skip
        quantity = max(listing.min_quantity, listing.quantity // rng.choice([4, 5, 10]))
        request = BookingRequest(listing.id, quantity, start, end, goods, f"demo-{listing.id}")
        booking = request_booking(tenant, request, terms, now, today)
        if booking.state == "requested" and made % 2 == 0:
            accept_booking(listing.warehouse.organization.members[0], booking.id, now)
        if booking.state == "accepted" and made % 3 == 0:
            transfer = ReceiptData(
                payment_reference(booking.id), booking.total_minor, booking.currency, today,
                f"DEMO-TRANSFER-{booking.id}",
            )  # fmt: skip
            record_bank_receipt(operator, transfer, now, today)
        made += 1
    return made
