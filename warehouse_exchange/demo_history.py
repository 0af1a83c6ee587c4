"""The demo marketplace's past: leases that ended months ago, with their payments, releases
and reviews; verified organizations; one blacklisted forwarder. With them the demo shows
credit tiers, reviews, earnings and the public credit page as a running platform would."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from .accounts.models import User
from .accounts.services import Registration, register_organization
from .bookings.commands import BookingRequest, accept_booking, request_booking
from .bookings.jobs import advance_leases
from .bookings.rules import BookingTerms, SkuProfile
from .escrow.bank_receipts import ReceiptData, record_bank_receipt
from .escrow.releases import run_due_releases
from .escrow.rules import payment_reference
from .extensions import db
from .listings.models import Listing
from .listings.services import ListingData, change_listing_status, create_listing
from .trust.blacklist import blacklist_organization
from .trust.credit import rate_everyone
from .trust.reviews import ReviewData, review_lease
from .trust.verification import VerificationData, approve_verification, request_verification
from .warehouses.models import Warehouse

#: (owner, exporter: indexes in demo.ORGANIZATIONS; days ago the lease started; stars and
#: words the exporter gave the owner; stars and words the owner gave the exporter)
PAST_LEASES = [
    (0, 6, 170, (5, 5, 4), "Pallets were waiting for us; answers took a day at times.",
     (5, 4, 5), "Paid at once; two cartons were labelled differently from the declaration."),
    (0, 7, 150, (4, 5, 5), "Slightly less aisle space than the photos, careful handling.",
     (5, 5, 5), "A model tenant: goods as declared, collected on time."),
    (1, 8, 160, (4, 4, 3), "Good site; we had to chase the appointment for unloading.",
     (4, 5, 4), "Paid a few days after the deadline, otherwise smooth."),
    (2, 6, 140, (5, 5, 5), "Cold chain kept perfectly, with daily temperature logs.",
     (5, 5, 5), "Clear paperwork and a fixed pick-up slot every week."),
    (2, 9, 130, (5, 4, 5), "Reliable, one pallet re-stacked without asking.",
     (3, 4, 4), "The last instalment came late and needed a reminder."),
    (3, 7, 165, (3, 3, 4), "Bonded area was shared with another tenant, some confusion.",
     (5, 5, 4), "Punctual payments; documents for customs came in late once."),
    (4, 9, 120, (4, 4, 4), "Solid service, nothing special.",
     (4, 3, 4), "More units than declared arrived in the first container."),
    (5, 8, 145, (4, 5, 4), "Helpful staff in Casablanca, the portal was slow.",
     (5, 4, 5), "Paid on time; bag weights varied from the declaration."),
]  # fmt: skip
LEASE_DAYS = 56
#: indexes in demo.ORGANIZATIONS of the organizations that were verified
VERIFIED = [0, 1, 2, 5, 6, 7]
#: a PDF of one empty page: the registry extract each verified organization sent
REGISTRY_EXTRACT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
BLACKLISTED = ("Phantom Freight Forwarding Ltd", "exporter", "PA", "J. Doe",
               "accounts@phantomfreight.example")  # fmt: skip


def at(day: date) -> datetime:
    return datetime.combine(day, time(12), UTC)


def load_history(users: list[User], operator: User, today: date, password: str) -> str:
    for owner, exporter, days_ago, *reviews in PAST_LEASES:
        start = today - timedelta(days=days_ago)
        booking = _past_lease(users[owner], users[exporter], operator, start)
        over = at(booking.end_date + timedelta(days=3))
        stars, words, back_stars, back_words = reviews
        review_lease(users[exporter], booking.id, ReviewData(*stars, comment=words), over)
        review_lease(users[owner], booking.id, ReviewData(*back_stars, comment=back_words), over)
    for index in VERIFIED:
        _verify(users[index], operator, at(today - timedelta(days=30)))
    _blacklist_one(operator, today, password)
    rate_everyone(at(today))
    return (
        f"{len(PAST_LEASES)} past leases with reviews, {len(VERIFIED)} verified organizations,"
        " 1 blacklisted"
    )


def _past_lease(owner: User, tenant: User, operator: User, start: date):
    """A lease of ten pallet positions that ran LEASE_DAYS days from `start`, paid up front,
    released to the owner, on a listing archived after it."""
    warehouse = db.session.scalar(
        select(Warehouse)
        .where(Warehouse.organization_id == owner.organization_id)
        .order_by(Warehouse.id)
        .limit(1)
    )
    listing = create_listing(owner, warehouse.id, _offer(warehouse, start), start)
    zone = warehouse.temperature_zones[0]
    goods = SkuProfile(80, 60, 100, 300, zone.min_c, zone.max_c, "general", 12)
    end = start + timedelta(days=LEASE_DAYS - 1)
    asked = start - timedelta(days=8)
    request = BookingRequest(listing.id, 10, start, end, goods, f"demo-past-{listing.id}")
    terms = BookingTerms.from_config(current_app.config)
    booking = request_booking(tenant, request, terms, at(asked), asked)
    if booking.state == "requested":
        accept_booking(owner, booking.id, at(asked + timedelta(days=1)))
    paid = asked + timedelta(days=2)
    transfer = ReceiptData(
        payment_reference(booking.id), booking.total_minor, booking.currency, paid,
        f"DEMO-PAST-{booking.id}",
    )  # fmt: skip
    record_bank_receipt(operator, transfer, at(paid), paid)
    after = end + timedelta(days=2)
    advance_leases(at(after))
    run_due_releases(at(after))
    change_listing_status(owner, listing.id, "archived", after)
    return booking


def _offer(warehouse: Warehouse, start: date) -> ListingData:
    """Overflow pallets at the price and in the currency of the warehouse's first offer."""
    zone = warehouse.temperature_zones[0]
    current = db.session.scalar(
        select(Listing).where(Listing.warehouse_id == warehouse.id).order_by(Listing.id).limit(1)
    )
    return ListingData(
        title=f"Seasonal overflow pallets, {warehouse.name}",
        description="Short-term overflow space during the peak season.",
        unit="pallet",
        quantity=40,
        available_from=start,
        available_to=start + timedelta(days=LEASE_DAYS + 10),
        price_minor=current.price_minor,
        currency=current.currency,
        min_quantity=1,
        min_term_days=7,
        max_unit_length_cm=120,
        max_unit_width_cm=100,
        max_unit_height_cm=min(150, warehouse.max_pallet_height_cm),
        max_unit_weight_kg=min(800, warehouse.max_pallet_weight_kg),
        temperature_min_c=zone.min_c,
        temperature_max_c=zone.max_c,
        categories=["general"],
    )


def _verify(user: User, operator: User, now: datetime) -> None:
    organization = user.organization
    data = VerificationData(
        registration_number=f"REG-{organization.id:06d}",
        registration_country=organization.country,
        address=f"Registered office of {organization.name}",
        contact_name=user.name,
        contact_email=user.email,
        documents=[("registry-extract.pdf", REGISTRY_EXTRACT)],
    )
    request = request_verification(user, data, now)
    approve_verification(operator, request.id, "Registry extract matches the registration", now)


def _blacklist_one(operator: User, today: date, password: str) -> None:
    name, kind, country, contact, email = BLACKLISTED
    member = register_organization(Registration(name, kind, country, contact, email, password))
    reason = (
        "Paid two leases with bank transfers that were recalled, and left its goods at the"
        " warehouses unclaimed."
    )
    blacklist_organization(operator, member.organization_id, reason, None, at(today))
