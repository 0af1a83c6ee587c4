"""Card payments into escrow end to end: the real stripe SDK against localstripe, signed
webhooks to the real endpoint, replays and events out of order, and a refund to the card."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import stripe
from sqlalchemy import func, select

from tests.factories import ListingFactory, OperatorFactory, WarehouseFactory
from tests.helpers import booking_terms, goods, login, pay_in_full
from tests.stripe_support import WEBHOOK_SECRET
from tests.test_stripe_gateway import signature_header
from warehouse_exchange.audit.models import AuditEntry
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.escrow.models import CardPayment, GatewayEvent, Refund
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.ledger.models import LedgerEntry
from warehouse_exchange.money import Money

NOW = datetime.now(UTC)
TODAY = NOW.date()


@pytest.fixture
def booking(owner, exporter):
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        price_minor=1000,
        available_from=TODAY,
        available_to=TODAY + timedelta(days=300),
        cancellation_policy="moderate",
    )
    start = TODAY + timedelta(days=5)
    request = BookingRequest(listing.id, 4, start, start + timedelta(days=69), goods())
    made = request_booking(exporter, request, booking_terms(), NOW, TODAY)
    return accept_booking(owner, made.id, NOW)


def browser_confirms(client: stripe.StripeClient, intent_id: str, card: str):
    """What Stripe Elements does in the tenant's browser."""
    client.v1.payment_intents.update(intent_id, {"payment_method": card})
    return client.v1.payment_intents.confirm(intent_id)


def deliver(http, event_id: str, kind: str, intent: dict, secret: str = WEBHOOK_SECRET):
    event = {
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": intent},
    }
    payload = json.dumps(event).encode()
    return http.post(
        "/api/v1/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": signature_header(payload, secret)},
        content_type="application/json",
    )


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_pay_by_card_confirm_by_webhook_replay_and_refund_to_the_card(
    client, cards, booking, exporter, operator
):
    login(client, exporter)
    page = client.post(f"/bookings/{booking.id}/pay-by-card")
    payment = db.session.scalar(select(CardPayment))
    assert page.status_code == 200 and payment.client_secret in page.get_data(as_text=True)
    assert payment.amount == booking.money(booking.total_minor) and payment.status == "pending"
    client.post(f"/bookings/{booking.id}/pay-by-card")  # asked twice: still one charge
    assert db.session.scalar(select(func.count()).select_from(CardPayment)) == 1

    confirmed = browser_confirms(cards, payment.payment_intent_id, "pm_card_visa")
    assert confirmed.status == "succeeded"
    intent = cards.v1.payment_intents.retrieve(payment.payment_intent_id).to_dict()
    assert (
        deliver(client, "evt_bad", "payment_intent.succeeded", intent, "whsec_wrong").status_code
        == 400
    )
    assert db.session.scalar(select(func.count()).select_from(GatewayEvent)) == 0
    answer = deliver(client, "evt_ok", "payment_intent.succeeded", intent)
    assert answer.status_code == 200 and answer.json["outcome"] == "applied"
    db.session.expire_all()
    assert booking.state == "confirmed"
    assert ledger.balance(ledger.clearing("stripe", "EUR")) == Money(-booking.total_minor, "EUR")
    before = entries()
    replay = deliver(client, "evt_ok", "payment_intent.succeeded", intent)
    assert replay.status_code == 200 and entries() == before
    late_failure = deliver(client, "evt_late", "payment_intent.payment_failed", intent)
    assert late_failure.json["outcome"].startswith("ignored: the payment succeeded")
    db.session.expire_all()
    assert payment.status == "succeeded" and booking.state == "confirmed"

    client.post(f"/bookings/{booking.id}/cancel", data={"reason": "Order moved to June"})
    refund = db.session.scalar(select(Refund))
    assert refund.amount_minor == booking.subtotal_minor // 2  # moderate, 5 days' notice
    client.post("/logout")
    login(client, operator)
    sent = client.post(f"/operator/escrow/refunds/{refund.id}/card")
    assert sent.status_code == 302
    db.session.expire_all()
    assert refund.state == "sent" and refund.bank_reference.startswith("re_")
    at_stripe = cards.v1.refunds.retrieve(refund.bank_reference)
    assert at_stripe.amount == refund.amount_minor  # a partial refund of the charge
    audited = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "refund.sent"))
    assert (audited.actor_id, audited.subject_id) == (operator.id, refund.id)
    assert audited.after["gateway"] == "stripe"
    assert ledger.balance(ledger.escrow(booking.tenant_id, "EUR"), booking.id) == Money(0, "EUR")


def test_a_declined_card_leaves_the_booking_awaiting_payment_with_the_reason(
    client, cards, booking, exporter
):
    login(client, exporter)
    client.post(f"/bookings/{booking.id}/pay-by-card")
    payment = db.session.scalar(select(CardPayment))
    with pytest.raises(stripe.CardError):
        browser_confirms(cards, payment.payment_intent_id, "pm_card_chargeCustomerFail")
    intent = cards.v1.payment_intents.retrieve(payment.payment_intent_id).to_dict()
    intent.setdefault("last_payment_error", {"message": "Your card was declined."})
    answer = deliver(client, "evt_declined", "payment_intent.payment_failed", intent)
    assert answer.json["outcome"] == "applied"
    db.session.expire_all()
    assert booking.state == "accepted" and payment.status == "failed"
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "The last card payment failed: Your card was declined." in page
    assert f"Pay {Money(booking.total_minor, 'EUR').format()} by card" in page
    assert entries() == 0


def test_without_card_payments_the_webhook_and_the_card_pages_are_not_there(
    client, booking, exporter
):
    assert client.post("/api/v1/webhooks/stripe", data=b"{}").status_code == 404
    login(client, exporter)
    assert client.post(f"/bookings/{booking.id}/pay-by-card").status_code == 404
    assert "by card" not in client.get(f"/bookings/{booking.id}").get_data(as_text=True)


def test_api_card_payment_is_for_the_tenant_only(client, cards, booking, exporter, owner):
    from tests.helpers import api_token

    url = f"/api/v1/bookings/{booking.id}/card-payment"
    assert client.post(url, headers=api_token(client, owner)).status_code == 403
    started = client.post(url, headers=api_token(client, exporter))
    assert started.status_code == 201 and started.json["status"] == "pending"
    assert started.json["amount"] == {"amount_minor": booking.total_minor, "currency": "EUR"}
    assert started.json["client_secret"].startswith(started.json["payment_intent_id"])


# --- Connect: owners' accounts and transfers, through the recording client -------------------

CONNECT_ANSWERS = {
    ("POST", "/v1/customers"): (200, {"id": "cus_rec", "object": "customer"}),
    ("POST", "/v1/payment_intents"): (
        200,
        {"id": "pi_rec", "object": "payment_intent", "client_secret": "pi_rec_secret_1",
         "status": "requires_payment_method"},
    ),
    ("POST", "/v1/accounts"): (200, {"id": "acct_owner", "object": "account"}),
    ("POST", "/v1/account_links"): (
        200,
        {"object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_owner/x",
         "created": 1, "expires_at": 2},
    ),
    ("POST", "/v1/transfers"): (200, {"id": "tr_rec", "object": "transfer"}),
}  # fmt: skip


@pytest.fixture
def recorded(app):
    from tests.test_stripe_gateway import recording_gateway

    gateway, http = recording_gateway(dict(CONNECT_ANSWERS))
    app.extensions["payment_gateway"] = gateway
    yield http
    app.extensions["payment_gateway"] = None


def test_owner_connects_an_account_and_card_paid_releases_are_transferred_to_it(
    client, recorded, booking, owner, exporter
):
    from tests.helpers import api_token
    from warehouse_exchange.adapters.payments import WebhookEvent
    from warehouse_exchange.bookings.jobs import advance_leases
    from warehouse_exchange.escrow.cards import handle_gateway_event
    from warehouse_exchange.escrow.models import ConnectedAccount, ReleaseInstalment
    from warehouse_exchange.escrow.releases import run_due_releases

    login(client, owner)
    for _ in range(2):  # the second visit reuses the account
        answer = client.post("/get-paid")
        assert answer.status_code == 302 and answer.location.startswith("https://connect.stripe")
    assert [r.path for r in recorded.requests].count("/v1/accounts") == 1
    assert db.session.get(ConnectedAccount, (owner.organization_id, "stripe")).account_id == (
        "acct_owner"
    )
    assert "acct_owner" in client.get("/get-paid").get_data(as_text=True)

    client.post(f"/api/v1/bookings/{booking.id}/card-payment", headers=api_token(client, exporter))
    paid = {"id": "pi_rec", "amount": booking.total_minor, "latest_charge": "ch_rec"}
    handle_gateway_event(WebhookEvent("evt_rec", "payment_intent.succeeded", paid, 1), NOW)
    start = datetime.combine(booking.start_date, datetime.min.time(), UTC) + timedelta(hours=12)
    advance_leases(start)

    # the owner cancelled another paid lease: its penalty is taken from this transfer
    from warehouse_exchange.bookings.commands import cancel_booking

    other = accept_booking(
        owner,
        request_booking(
            exporter,
            BookingRequest(booking.listing_id, 1, booking.start_date, booking.end_date, goods()),
            booking_terms(),
            NOW,
            TODAY,
        ).id,
        NOW,
    )
    pay_in_full(OperatorFactory(), other)
    cancel_booking(owner, other.id, "Double-booked the hall", NOW, TODAY)
    penalty = -ledger.balance(ledger.payable(owner.organization_id, "EUR")).amount_minor
    assert penalty == other.subtotal_minor // 10

    assert run_due_releases(start, recorded_gateway(client)) == 1
    first, second, *_ = db.session.scalars(
        select(ReleaseInstalment)
        .where(ReleaseInstalment.booking_id == booking.id)
        .order_by(ReleaseInstalment.sequence)
    ).all()
    (transfer,) = [r for r in recorded.requests if r.path == "/v1/transfers"]
    assert transfer.idempotency_key == f"release-{first.id}"
    assert transfer.params["source_transaction"] == "ch_rec"
    assert transfer.params["destination"] == "acct_owner"
    assert transfer.params["amount"] == str(first.amount_minor - penalty)
    assert first.transfer_id == "tr_rec"
    assert first.transferred_minor == first.amount_minor - penalty
    from warehouse_exchange.escrow.reconciliation import reconciliation

    (transfers,) = [
        line for line in reconciliation(OperatorFactory()) if line.movement == "transfers to owners"
    ]
    assert transfers.gateway == "stripe"
    assert transfers.recorded == transfers.ledger == Money(first.transferred_minor, "EUR")
    owner_balance = ledger.balance(ledger.payable(owner.organization_id, "EUR"))
    assert owner_balance == Money(0, "EUR")

    # a transfer Stripe refuses leaves the release standing, for a payout by bank
    recorded.answers[("POST", "/v1/transfers")] = (400, {"error": {"message": "No balance"}})
    second_month = datetime.combine(second.due_on, datetime.min.time(), UTC) + timedelta(hours=1)
    assert run_due_releases(second_month, recorded_gateway(client)) == 1
    db.session.expire_all()
    assert second.released_at is not None and second.transfer_id is None
    assert ledger.balance(ledger.payable(owner.organization_id, "EUR")) == second.amount


def recorded_gateway(client):
    return client.application.extensions["payment_gateway"]


def test_an_event_about_an_unknown_payment_is_shown_to_operators(client, cards, operator):
    intent = {"id": "pi_unknown", "amount": 500, "currency": "eur"}
    answer = deliver(client, "evt_stray", "payment_intent.succeeded", intent)
    assert answer.status_code == 200 and answer.json["outcome"].startswith("ignored: no such")
    assert entries() == 0
    login(client, operator)
    console = client.get("/operator/escrow").get_data(as_text=True)
    assert "Gateway events with no payment here" in console and "evt_stray" in console


def test_currencies_stripe_counts_differently_are_paid_by_bank(client, cards, owner, exporter):
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization),
        price_minor=15_000,
        currency="ISK",
        available_from=TODAY,
        available_to=TODAY + timedelta(days=100),
    )
    start = TODAY + timedelta(days=5)
    request = BookingRequest(listing.id, 2, start, start + timedelta(days=13), goods())
    booking = accept_booking(
        owner, request_booking(exporter, request, booking_terms(), NOW, TODAY).id, NOW
    )
    login(client, exporter)
    assert "by card" not in client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    refused = client.post(f"/bookings/{booking.id}/pay-by-card", follow_redirects=True)
    assert "Bookings in ISK are paid by bank transfer." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CardPayment)) == 0


def test_reconciliation_matches_until_the_books_and_a_gateway_disagree(
    client, cards, booking, exporter, operator
):
    from sqlalchemy import text

    from warehouse_exchange.escrow.reconciliation import reconciliation

    login(client, exporter)
    client.post(f"/bookings/{booking.id}/pay-by-card")
    payment = db.session.scalar(select(CardPayment))
    browser_confirms(cards, payment.payment_intent_id, "pm_card_visa")
    intent = cards.v1.payment_intents.retrieve(payment.payment_intent_id).to_dict()
    deliver(client, "evt_rec_1", "payment_intent.succeeded", intent)
    client.post(f"/bookings/{booking.id}/cancel", data={"reason": "Plans changed"})
    refund = db.session.scalar(select(Refund))
    client.post("/logout")
    login(client, operator)
    client.post(f"/operator/escrow/refunds/{refund.id}/card")
    lines = {(line.gateway, line.movement): line for line in reconciliation(operator)}
    assert lines[("stripe", "payments in")].recorded == booking.money(booking.total_minor)
    assert lines[("stripe", "refunds out")].recorded == refund.amount
    assert all(line.difference.amount_minor == 0 for line in lines.values())

    # a transfer entered on the books of the bank but never posted: the check shows it
    db.session.execute(
        text(
            "INSERT INTO bank_receipts (booking_id, amount_minor, currency, received_on,"
            " bank_reference, recorded_by_id, recorded_at, transaction_id)"
            " SELECT :booking, 1234, 'EUR', :day, 'STRAY-1', :operator, :now, MIN(id)"
            " FROM ledger_transactions"
        ),
        {"booking": booking.id, "day": TODAY, "operator": operator.id, "now": NOW},
    )
    db.session.commit()
    stray = {(line.gateway, line.movement): line for line in reconciliation(operator)}
    assert stray[("bank", "payments in")].difference == Money(1234, "EUR")
    console = client.get("/operator/escrow").get_data(as_text=True)
    assert "differs by €12.34" in console and "matches" in console
