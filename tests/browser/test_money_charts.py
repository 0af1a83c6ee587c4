"""Money you can see, in headless Chromium on the demo marketplace: a booking's escrow
timeline moves when the release runs, the owner's earnings chart and the operator's reserve
chart draw with their tables, and none of them makes a phone scroll sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.journeys import DESKTOP, PHONE, Person
from tests.browser.marketplace import paid_lease, pallet_listing
from warehouse_exchange.accounts.models import User
from warehouse_exchange.adapters.clock import utc_today
from warehouse_exchange.bookings.commands import BookingRequest
from warehouse_exchange.bookings.rules import SkuProfile, add_months
from warehouse_exchange.extensions import db

pytestmark = pytest.mark.browser

EXPORTER = "exporter@saigonhome.example"
OWNER = "owner@nordsee.example"
OPERATOR = "operator@warehouse-exchange.example"
#: the money charts' screenshots, at the two sizes people read them on
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": PHONE}


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture(scope="module")
def lease_starting_today(demo_site):
    """Three months of pallets in Bremen from today, paid in full: its first release is due."""
    app = demo_site.app
    with app.app_context():
        owner, tenant, operator = user(OWNER), user(EXPORTER), user(OPERATOR)
        listing = pallet_listing(
            owner,
            app.extensions["geocoder"],
            warehouse=("Nordsee Halle 9", "Hafenstraße 9", "Bremen", "DE"),
            title="Pallets at Bremen, Halle 9",
            quantity=40,
            days=200,
            price_minor=390,
            currency="EUR",
            categories=["general"],
        )
        today = utc_today()
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "general", 4)
        end = add_months(today, 3) - timedelta(days=1)
        request = BookingRequest(listing.id, 8, today, end, goods)
        booking = paid_lease(app, owner, tenant, operator, request, "NORDSEE-HALLE9-1")
        return booking.id


@pytest.fixture(scope="module")
def disputed_monthly_lease(demo_site):
    """Six months paid monthly from today, its first month paid; the tenant disputes it."""
    from warehouse_exchange.adapters.clock import utc_now
    from warehouse_exchange.bookings.commands import accept_booking, request_booking
    from warehouse_exchange.bookings.rules import BookingTerms
    from warehouse_exchange.disputes.commands import DisputeData, open_dispute
    from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
    from warehouse_exchange.escrow.payments import scheduled_payments
    from warehouse_exchange.escrow.rules import payment_reference

    app = demo_site.app
    with app.app_context():
        owner, tenant, operator = user(OWNER), user(EXPORTER), user(OPERATOR)
        listing = pallet_listing(
            owner,
            app.extensions["geocoder"],
            warehouse=("Nordsee Halle 11", "Hafenstraße 11", "Bremen", "DE"),
            title="Pallets at Bremen, Halle 11",
            quantity=40,
            days=300,
            price_minor=410,
            currency="EUR",
            categories=["general"],
        )
        today, now = utc_today(), utc_now()
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "general", 4)
        end = add_months(today, 6) - timedelta(days=1)
        request = BookingRequest(listing.id, 6, today, end, goods, payment_plan="monthly")
        terms = BookingTerms.from_config(app.config)
        booking = request_booking(tenant, request, terms, now, today)
        accept_booking(owner, booking.id, now)
        first = scheduled_payments(booking.id)[0]
        receipt = ReceiptData(
            payment_reference(booking.id), first.amount_minor, "EUR", today, "HALLE11-1"
        )
        record_bank_receipt(operator, receipt, now, today)
        claim = DisputeData("space_not_available", "No space at the dock", 5000, "EUR")
        open_dispute(tenant, booking.id, claim, now)
        return booking.id


def release_statuses(person: Person) -> list[str]:
    items = person.page.locator("#escrow-timeline-list li[data-lane=release]")
    return [items.nth(n).get_attribute("data-status") for n in range(items.count())]


def no_sideways_scroll(person: Person) -> bool:
    return person.page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def shoot(person: Person, name: str, part: str) -> None:
    """The chart `part` of the page, and the whole page, at desktop and phone sizes; the phone
    page must not scroll sideways."""
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        person.page.set_viewport_size(viewport)
        person.page.locator(part).first.screenshot(
            path=str(SCREENSHOTS / f"money-{name}-{size}.png")
        )
        person.page.screenshot(
            path=str(SCREENSHOTS / f"money-{name}-{size}-page.png"), full_page=True
        )
        assert no_sideways_scroll(person), f"{name} scrolls sideways at {size}"
    person.page.set_viewport_size(DESKTOP)


def advance_clock(operator: Person, days: int) -> None:
    operator.menu("Jobs")
    operator.page.fill("#days", str(days))
    operator.submit("Advance the clock")
    assert "The demo clock now reads" in operator.flash(), operator.flash()


def test_the_escrow_timeline_moves_when_the_release_runs(browser, demo_site, lease_starting_today):
    booking_id = lease_starting_today
    exporter = Person(browser, demo_site, EXPORTER)
    operator = Person(browser, demo_site, OPERATOR)
    exporter.log_in()
    exporter.open(f"/bookings/{booking_id}")
    statuses = release_statuses(exporter)
    assert statuses[0] == "due" and set(statuses[1:]) == {"upcoming"}, statuses
    progress = exporter.page.locator("#escrow-progress")
    assert progress.get_attribute("data-released-percent") == "0"
    assert "Released €0.00 of" in progress.inner_text()
    assert exporter.page.locator(".timeline[role=img]").get_attribute("aria-label")

    operator.log_in()
    advance_clock(operator, 1)

    exporter.open(f"/bookings/{booking_id}")
    statuses = release_statuses(exporter)
    assert statuses[0] == "released" and set(statuses[1:]) == {"upcoming"}, statuses
    assert int(progress.get_attribute("data-released-percent")) > 0
    first = exporter.page.locator("#escrow-timeline-list li[data-lane=release]").first
    assert "released" in first.inner_text()
    shoot(exporter, "booking-timeline", "#escrow-timeline")
    for person in (exporter, operator):
        person.close()


def test_an_open_dispute_shows_the_releases_frozen(browser, demo_site, disputed_monthly_lease):
    owner = Person(browser, demo_site, OWNER)
    owner.log_in()
    owner.open(f"/bookings/{disputed_monthly_lease}")
    assert set(release_statuses(owner)) == {"frozen"}
    assert "frozen by an open dispute" in owner.text("#escrow-progress")
    payments = owner.page.locator("#escrow-timeline-list li[data-lane=payment]")
    assert payments.first.get_attribute("data-status") == "paid" and payments.count() == 6
    shoot(owner, "booking-timeline-disputed", "#escrow-timeline")
    owner.close()


def test_the_owner_earnings_and_operator_reserve_charts(browser, demo_site, lease_starting_today):
    owner = Person(browser, demo_site, OWNER)
    owner.log_in()
    owner.menu("Earnings")
    chart = owner.page.locator("#earnings-chart-EUR")
    assert (
        chart.locator(".bars[role=img]").get_attribute("aria-label").startswith("Earnings in EUR")
    )
    assert chart.locator(".bar-month").count() == 12
    chart.locator("summary").click()
    assert chart.locator("tbody tr").count() == 12
    shoot(owner, "owner-earnings", "#earnings-charts")

    operator = Person(browser, demo_site, OPERATOR)
    operator.log_in()
    operator.open("/operator/reserve")
    reserve = operator.page.locator("#reserve-chart-EUR")
    assert reserve.locator(".bar-month").count() == 12
    assert "reserve" in reserve.locator("figcaption").inner_text()
    shoot(operator, "operator-reserve", "#reserve-charts")
    for person in (owner, operator):
        person.close()
