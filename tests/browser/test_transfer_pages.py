"""Transfer pages in headless Chromium: the tenant offers the rest of a paid lease, another
exporter finds it on the listing page and in search, and the approved taker goes to pay the
price by card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.marketplace import PASSWORD, paid_lease, pallet_listing, register
from tests.browser.test_booking_pages import log_in
from tests.stripe_support import API_KEY, WEBHOOK_SECRET
from warehouse_exchange.accounts.models import User
from warehouse_exchange.accounts.services import create_operator
from warehouse_exchange.adapters.clock import utc_now, utc_today
from warehouse_exchange.adapters.stripe_gateway import build_gateway
from warehouse_exchange.bookings.commands import BookingRequest
from warehouse_exchange.bookings.rules import SkuProfile
from warehouse_exchange.escrow.bank_receipts import ReceiptData
from warehouse_exchange.escrow.queries import refunds_due
from warehouse_exchange.escrow.refunds import send_refund
from warehouse_exchange.extensions import db
from warehouse_exchange.transfers.commands import (
    Offer,
    approve_transfer,
    offer_transfer,
    request_transfer,
)
from warehouse_exchange.transfers.rules import transfer_reference
from warehouse_exchange.transfers.settlement import record_transfer_receipt

pytestmark = pytest.mark.browser
GOODS = SkuProfile(100, 80, 120, 300, 15, 25, "apparel", 40)


@pytest.fixture(scope="module")
def leased(live_app):
    with live_app.app_context():
        owner = register("Antwerp Quay Storage", "owner", "BE", "Jan Peeters", "jan@quay.example")
        tenant = register("Dhaka Knitwear Co", "exporter", "BD", "Rina Das", "rina@knit.example")
        register("Lagos Leather Works", "exporter", "NG", "Ade Bello", "ade@leather.example")
        operator = create_operator("ops@transfer.example", "Tess Ops", PASSWORD)
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Quay 12", "Kaai 12", "Antwerp", "BE"),
            title="Textile pallets at Antwerp",
            quantity=60,
            days=300,
            price_minor=520,
            currency="EUR",
            categories=["apparel", "general"],
        )
        start = utc_today() + timedelta(days=5)
        request = BookingRequest(listing.id, 12, start, start + timedelta(days=120), GOODS)
        booking = paid_lease(live_app, owner, tenant, operator, request, "KBC-9001")
        return booking.id, listing.id, start


@pytest.fixture
def approved_transfer(live_app, leased):
    """A second paid lease of the same tenant, offered, asked for by the Lagos exporter and
    approved by the owner: the taker's price is all it waits for."""
    _booking_id, listing_id, start = leased
    with live_app.app_context():
        owner, tenant, taker, operator = (
            db.session.scalar(select(User).where(User.email == email))
            for email in ("jan@quay.example", "rina@knit.example", "ade@leather.example",
                          "ops@transfer.example")
        )  # fmt: skip
        request = BookingRequest(listing_id, 6, start, start + timedelta(days=90), GOODS)
        booking = paid_lease(live_app, owner, tenant, operator, request, "KBC-9002")
        today, now = utc_today(), utc_now()
        offer = Offer(booking.id, start + timedelta(days=30), 6, 41_000, "EUR")
        transfer = offer_transfer(tenant, offer, now, today)
        request_transfer(taker, transfer.id, GOODS, now, today)
        return approve_transfer(owner, transfer.id, now, today).id


#: Stripe.js, which the card page loads from Stripe; no test may reach the internet.
STRIPE_JS = "https://js.stripe.com/**"


def stand_in_for_stripe_js(route) -> None:
    """Answers the browser's request for Stripe.js here, with a Stripe whose card field draws
    nothing: the page is tested, not Stripe's script."""
    route.fulfill(
        content_type="text/javascript",
        body="window.Stripe = () => ({elements: () => ({create: () => ({mount() {}})})});",
    )


@pytest.fixture
def card_payments(live_app, localstripe_url):
    """The live app takes cards through localstripe for one test."""
    settings = {
        "PAYMENT_METHOD": "stripe",
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_PUBLISHABLE_KEY": "pk_test_cards",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe_url,
    }
    saved = {key: live_app.config[key] for key in settings}
    live_app.config.update(settings)
    live_app.extensions["payment_gateway"] = build_gateway(live_app.config)
    yield
    live_app.config.update(saved)
    live_app.extensions["payment_gateway"] = None


def test_the_tenant_offers_a_lease_and_an_exporter_finds_it(page, live_server, leased):
    booking_id, listing_id, start = leased
    log_in(page, live_server, "rina@knit.example")
    page.goto(f"{live_server}/bookings/{booking_id}")
    page.click("text=Offer it for transfer")
    assert page.is_visible("#guide")
    page.fill("#effective_date", (start + timedelta(days=45)).isoformat())
    page.fill("#quantity", "20")
    page.fill("#price", "300")
    page.click("main button:has-text('Offer for transfer')")
    field = page.locator(".field", has=page.locator("#quantity"))
    assert "Must be between 1 and 12" in field.inner_text()
    assert page.input_value("#price") == "300"  # the form keeps what was typed
    screenshot(page, "transfer-offer-form-error")
    page.fill("#quantity", "5")
    page.click("main button:has-text('Offer for transfer')")
    page.wait_for_selector("text=is on offer")
    assert page.is_visible("text=Withdraw the offer")
    screenshot(page, "transfer-offered")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "ade@leather.example")
    page.goto(f"{live_server}/?transfers_on_offer=y")
    badge = page.locator("a.badge.transfer")
    assert badge.inner_text() == "1 lease on offer for transfer"
    screenshot(page, "search-transfers-on-offer")
    badge.click()
    assert page.is_visible("#transfers")
    page.click("#transfers a:has-text('#')")
    page.wait_for_url("**/transfers/*")  # the page loaded, not only its address changed
    assert page.is_visible("text=Ask to take it over")
    screenshot(page, "transfer-take-over")


def test_the_approved_taker_goes_to_pay_the_price_by_card(
    page, live_server, approved_transfer, card_payments
):
    page.route(STRIPE_JS, stand_in_for_stripe_js)
    log_in(page, live_server, "ade@leather.example")
    page.goto(f"{live_server}/transfers/{approved_transfer}")
    assert page.is_visible("#pay >> text=Send exactly €410.00")
    button = page.locator("#pay-by-card")
    assert button.inner_text() == "Pay €410.00 by card"
    screenshot(page, "transfer-pay")
    button.click()
    page.wait_for_selector(f"h1:has-text('Pay the price of transfer #{approved_transfer} by card')")
    assert page.is_visible("text=The lease is yours from its effective day")
    assert page.locator("#pay").inner_text() == "Pay €410.00"
    screenshot(page, "transfer-pay-by-card")
    page.click("text=Back to the transfer")
    page.wait_for_selector("#price-payments")
    assert "pending" in page.locator("#price-payments").inner_text()
    screenshot(page, "transfer-card-payment-pending")


def _people():
    return (
        db.session.scalar(select(User).where(User.email == email))
        for email in ("jan@quay.example", "rina@knit.example", "ade@leather.example",
                      "ops@transfer.example")
    )  # fmt: skip


@pytest.fixture
def requested_transfer(live_app, leased):
    """A third paid lease of 24 pallets, half of it offered and asked for by the Lagos
    exporter: it waits for the owner's answer."""
    _booking_id, listing_id, start = leased
    with live_app.app_context():
        owner, tenant, taker, operator = _people()
        taker.organization.rating_tier, taker.organization.credit_score = "BBB", 585
        db.session.commit()
        request = BookingRequest(listing_id, 24, start, start + timedelta(days=120), GOODS)
        booking = paid_lease(live_app, owner, tenant, operator, request, "KBC-9003")
        today, now = utc_today(), utc_now()
        offer = Offer(booking.id, start + timedelta(days=40), 12, 52_000, "EUR")
        transfer = offer_transfer(tenant, offer, now, today)
        taker_goods = SkuProfile(60, 40, 90, 120, 15, 25, "apparel", 8, None)
        return request_transfer(taker, transfer.id, taker_goods, now, today).id


def _both_screens(page, name):
    screenshot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_owner_approves_knowing_the_taker_and_the_half_lease_pages_say_the_truth(
    page, live_server, live_app, requested_transfer
):
    log_in(page, live_server, "jan@quay.example")
    page.goto(f"{live_server}/transfers/{requested_transfer}")
    taker = page.locator("#taker").inner_text()
    assert "Lagos Leather Works" in taker and "score 585 of 1000" in taker
    assert "60 × 40 × 90 cm, 120 kg" in taker
    _both_screens(page, "transfer-approval")
    page.click("main button:has-text('Approve the taker')")
    page.wait_for_selector("text=is now owner approved")
    assert page.locator("#consent").inner_text().startswith("Given on ")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "ade@leather.example")
    page.goto(f"{live_server}/transfers/{requested_transfer}")
    assert "BIC" in page.locator("#pay").inner_text()
    with live_app.app_context():
        operator = next(p for p in _people() if p.email == "ops@transfer.example")
        data = ReceiptData(
            transfer_reference(requested_transfer), 52_000, "EUR", utc_today(), "KBC-T-1"
        )
        receipt = record_transfer_receipt(operator, data, utc_now(), utc_today())
        original, taken = receipt.transfer.booking_id, receipt.transfer.new_booking_id
        kept = receipt.transfer.continuation_id
        for refund in refunds_due(operator):  # the tenant is paid the price, as operators do
            send_refund(operator, refund.id, f"KBC-OUT-{refund.id}", utc_now())
    page.goto(f"{live_server}/bookings/{taken}")
    assert page.is_visible("text=It is not the transfer's price")
    _both_screens(page, "transfer-takers-lease")
    page.click("header button:has-text('Log out')")

    log_in(page, live_server, "rina@knit.example")
    page.goto(f"{live_server}/bookings/{original}")
    assert "12 of 24 pallet positions handed over to Lagos Leather Works" in page.inner_text(
        "#split-original"
    )
    _both_screens(page, "transfer-original-lease")
    page.goto(f"{live_server}/bookings/{kept}")
    assert "Taken over from" not in page.inner_text("main")
    _both_screens(page, "transfer-kept-lease")
