"""Trust in headless Chromium: the tenant reviews a completed lease (a missing star is shown
beside its field), the owner's profile shows its tier, why, and the review, and the public
credit page lists a blacklisted organization with its reason."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import PASSWORD, paid_lease, pallet_listing, register
from tests.browser.test_booking_pages import log_in
from tests.uploads import PDF
from warehouse_exchange.accounts.services import create_operator
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.bookings.commands import BookingRequest
from warehouse_exchange.bookings.jobs import advance_leases
from warehouse_exchange.bookings.rules import SkuProfile
from warehouse_exchange.trust.blacklist import blacklist_organization
from warehouse_exchange.trust.verification import (
    VerificationData,
    approve_verification,
    request_verification,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def completed_lease(live_app):
    with live_app.app_context():
        owner = register(
            "Valencia Dock Almacenes SL", "owner", "ES", "Lucía Ruiz", "lucia@vd.example"
        )
        tenant = register("Mekong Ceramics", "exporter", "VN", "Tran Minh", "minh@mc.example")
        rogue = register("Quickfix Freight Ltd", "exporter", "GB", "Sam Rook", "sam@qf.example")
        operator = create_operator("ops@trust.example", "Tess Trust", PASSWORD)
        listing = pallet_listing(
            owner, live_app.extensions["geocoder"],
            warehouse=("Muelle Hall 4", "Muelle del Turia 4", "Valencia", "ES"),
            title="Ceramics pallets in Valencia", quantity=40, days=300, price_minor=420,
            currency="EUR", categories=["general"],
        )  # fmt: skip
        now, today = utc_now(), utc_today()
        papers = VerificationData(
            "B-46123456", "ES", "Muelle del Turia 4, Valencia", "Lucía Ruiz",
            "lucia@vd.example", documents=[("registro.pdf", PDF)],
        )  # fmt: skip
        approve_verification(operator, request_verification(owner, papers, now).id, "", now)
        goods = SkuProfile(100, 80, 120, 300, 15, 25, "general", 2)
        start = today + timedelta(days=1)
        request = BookingRequest(listing.id, 8, start, start + timedelta(days=30), goods)
        booking = paid_lease(live_app, owner, tenant, operator, request, "CAIXA-9")
        advance_leases(datetime.combine(start + timedelta(days=32), time(12), tzinfo=UTC))
        blacklist_organization(
            operator, rogue.organization_id, "Paid with forged bank receipts", None, now
        )
        return booking.id, owner.organization_id


def test_review_a_lease_and_read_the_profile_and_credit_page(page, live_server, completed_lease):
    booking_id, owner_id = completed_lease
    log_in(page, live_server, "minh@mc.example")
    page.goto(f"{live_server}/bookings/{booking_id}")
    page.click("text=Review Valencia Dock Almacenes SL")
    page.select_option("#aspect_1", "5")
    page.select_option("#communication", "4")
    page.fill("#comment", "Dry hall, careful forklift work, quick answers.")
    page.click("button:has-text('Publish review')")
    assert page.locator(".field.has-error").count() == 1
    assert "Handling of the goods: give 1 to 5 stars." in page.inner_text(".has-error")
    assert page.input_value("#comment").startswith("Dry hall")
    screenshot(page, "trust-review-form-error")
    page.select_option("#aspect_2", "4")
    page.click("button:has-text('Publish review')")
    assert page.url.endswith(f"/organizations/{owner_id}#reviews")
    text = page.inner_text("main")
    assert "✔ Verified" in text and "Verified enterprise +100" in text
    assert "Dry hall, careful forklift work" in text
    screenshot(page, "trust-profile")

    page.goto(f"{live_server}/credit")
    text = page.inner_text("main")
    assert "Quickfix Freight Ltd" in text and "Paid with forged bank receipts" in text
    screenshot(page, "trust-credit-page")
