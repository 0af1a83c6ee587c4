"""Ending a defaulted lease early, in headless Chromium: the owner sees the default on the
booking, a refused day is explained next to its field, and the lease then shows its new end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import PASSWORD, pallet_listing, register
from tests.browser.test_booking_pages import log_in
from tests.helpers import fund_reserve
from warehouse_exchange.accounts.services import create_operator
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.bookings.rules import BookingTerms, SkuProfile
from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
from warehouse_exchange.escrow.payments import scheduled_payments
from warehouse_exchange.escrow.releases import cover_missed_instalments
from warehouse_exchange.escrow.rules import add_months, payment_reference

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def defaulted_lease(live_app):
    """A five-month lease paid monthly whose second instalment the reserve had to cover."""
    with live_app.app_context():
        owner = register("Antwerp Kaai Storage", "owner", "BE", "Jan Peeters", "jan@kaai.example")
        tenant = register("Ningbo Tools Co", "exporter", "CN", "Wei Chen", "wei@nb.example")
        operator = create_operator("ops@default.example", "Ada Ops", PASSWORD)
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Kaai 42", "Kaai 42", "Antwerp", "BE"),
            title="Tool pallets at Antwerp",
            quantity=40,
            days=300,
            price_minor=500,
            currency="EUR",
            categories=["general"],
        )
        today = utc_today()
        start = today + timedelta(days=4)
        end = add_months(start, 5) - timedelta(days=1)
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "general", 12)
        request = BookingRequest(listing.id, 6, start, end, goods, payment_plan="monthly")
        terms = BookingTerms.from_config(live_app.config)
        booking = request_booking(tenant, request, terms, utc_now(), today)
        accept_booking(owner, booking.id, utc_now())
        first, second, *_ = scheduled_payments(booking.id)
        receipt = ReceiptData(
            payment_reference(booking.id), first.amount_minor, "EUR", today, "KBC-1"
        )
        record_bank_receipt(operator, receipt, utc_now(), today)
        fund_reserve(second.rent_minor)
        grace = live_app.config["PAYMENT_GRACE_DAYS"]
        missed = datetime.combine(second.due_on, datetime.min.time(), UTC)
        assert cover_missed_instalments(missed + timedelta(days=grace, hours=12)) == 1
        return booking.id, start, end


def test_the_owner_ends_a_defaulted_lease_early(page, live_server, defaulted_lease):
    booking_id, start, end = defaulted_lease
    log_in(page, live_server, "jan@kaai.example")
    page.goto(f"{live_server}/bookings/{booking_id}")
    assert page.is_visible("text=in default")
    screenshot(page, "booking-in-default")

    page.click("main a:has-text('End the lease early')")
    page.fill("#last_day", end.isoformat())
    page.fill("#reason", "Two instalments unpaid")
    page.click("main button:has-text('End the lease on this day')")
    field = page.locator(".field", has=page.locator("#last_day"))
    assert "not before its end" in field.inner_text()
    assert page.input_value("#reason") == "Two instalments unpaid"  # input kept
    screenshot(page, "end-lease-early-refused")

    last_day = add_months(start, 2) + timedelta(days=9)
    page.fill("#last_day", last_day.isoformat())
    page.click("main button:has-text('End the lease on this day')")
    page.wait_for_selector(f"text=now ends on {last_day}")
    assert page.is_visible("text=ended early")
    assert page.is_visible(f"text=agreed until {end}")
    assert page.is_visible("text=not owed: the lease ended early")
    screenshot(page, "lease-ended-early")
