"""The taker pays a transfer's price by card: the real stripe SDK against localstripe, signed
webhooks to the real endpoint. The transfer completes when the money is in; money that comes
for a transfer that can no longer complete goes back to the taker's card."""

from __future__ import annotations

import pytest
import stripe
from sqlalchemy import func, select

from tests.factories import OperatorFactory, OrganizationFactory, UserFactory
from tests.helpers import api_token, goods, login
from tests.test_booking_state_machine import check_escrow
from tests.test_card_payments import browser_confirms, deliver, entries
from tests.test_concurrency import check_ledger
from tests.transfer_support import NOW, TODAY, offer, paid_lease, receipt
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.disputes.settlement import frozen_minor
from warehouse_exchange.escrow.models import CardPayment, Refund
from warehouse_exchange.escrow.queries import escrow_summary
from warehouse_exchange.escrow.reconciliation import reconciliation
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.money import Money
from warehouse_exchange.notifications.models import Notification
from warehouse_exchange.transfers.commands import (
    approve_transfer,
    offer_transfer,
    request_transfer,
    withdraw_transfer,
)
from warehouse_exchange.transfers.settlement import record_transfer_receipt

PRICE = 50_000


@pytest.fixture
def taker(app):
    return UserFactory(organization=OrganizationFactory(kind="exporter", country="DE"))


@pytest.fixture
def approved(owner, exporter, taker):
    """A transfer the owner approved: the taker's price is all it waits for."""
    booking = paid_lease(owner, exporter)
    transfer = offer_transfer(exporter, offer(booking, price_minor=PRICE), NOW, TODAY)
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    return approve_transfer(owner, transfer.id, NOW, TODAY)


def start(client, transfer):
    page = client.post(f"/transfers/{transfer.id}/pay-by-card")
    assert page.status_code == 200, page.get_data(as_text=True)
    payment = db.session.scalar(select(CardPayment).where(CardPayment.transfer_id == transfer.id))
    assert payment.client_secret in page.get_data(as_text=True)
    return payment


def pay(stripe_client, http, payment, event_id: str):
    """The taker's browser confirms with a good card, and Stripe tells the platform."""
    assert browser_confirms(stripe_client, payment.payment_intent_id, "pm_card_visa").status == (
        "succeeded"
    )
    return succeeded(stripe_client, http, payment, event_id)


def succeeded(stripe_client, http, payment, event_id: str):
    """Stripe tells the platform that the payment succeeded."""
    intent = stripe_client.v1.payment_intents.retrieve(payment.payment_intent_id).to_dict()
    answer = deliver(http, event_id, "payment_intent.succeeded", intent)
    assert answer.status_code == 200
    db.session.expire_all()
    return answer.json["outcome"]


def reconciled(movement: str) -> tuple[Money, Money]:
    operator = OperatorFactory()
    line = next(
        line
        for line in reconciliation(operator)
        if line.movement == movement and line.gateway == "stripe"
    )
    return line.recorded, line.ledger


def test_taker_pays_the_price_by_card_and_the_transfer_completes(
    client, cards, approved, exporter, taker
):
    transfer = approved
    booking = transfer.booking
    login(client, taker)
    page = client.get(f"/transfers/{transfer.id}").get_data(as_text=True)
    assert f"Pay {Money(PRICE, 'EUR').format()} by card" in page
    payment = start(client, transfer)
    assert payment.amount == Money(PRICE, "EUR") and payment.booking_id is None
    start(client, transfer)  # asked twice: still one charge
    count = select(func.count()).select_from(CardPayment)
    assert db.session.scalar(count) == 1

    assert pay(cards, client, payment, "evt_price") == "applied; transfer completed"
    assert transfer.state == "completed" and payment.status == "succeeded"
    lease = db.session.get(Booking, transfer.new_booking_id)
    assert lease.tenant_id == taker.organization_id and lease.start_date == transfer.effective_date
    assert booking.end_date < transfer.effective_date
    to_tenant = db.session.scalar(select(Refund).where(Refund.booking_id == booking.id))
    assert to_tenant.payee_id == exporter.organization_id and to_tenant.transfer_id is None
    assert to_tenant.amount_minor == PRICE - transfer.fee_minor
    assert ledger.balance(ledger.escrow(taker.organization_id, "EUR")) == lease.money(
        lease.subtotal_minor
    )
    assert reconciled("lease transfer prices in") == (Money(PRICE, "EUR"), Money(PRICE, "EUR"))
    check_escrow()
    check_ledger()

    before = entries()
    assert pay_again(client, payment) == "ignored: already recorded"
    assert entries() == before
    shown = client.get(f"/transfers/{transfer.id}").get_data(as_text=True)
    assert "Card payments of the price" in shown and "succeeded" in shown
    assert "by card" not in shown.split("Card payments of the price")[0]


def pay_again(http, payment):
    """The same success, delivered again under a new event id (Stripe retries are new ids
    only when a second event is made, but a payment is still recorded once)."""
    intent = {"id": payment.payment_intent_id, "object": "payment_intent", "amount": PRICE}
    return deliver(http, "evt_price_again", "payment_intent.succeeded", intent).json["outcome"]


def test_money_for_a_withdrawn_transfer_goes_back_to_the_takers_card(
    client, cards, approved, exporter, taker, operator
):
    transfer, booking = approved, approved.booking
    tenant_escrow = ledger.balance(ledger.escrow(exporter.organization_id, "EUR"), booking.id)
    frozen = frozen_minor(booking)
    login(client, taker)
    payment = start(client, transfer)
    confirmed = browser_confirms(cards, payment.payment_intent_id, "pm_card_visa")
    assert confirmed.status == "succeeded"
    # the tenant withdraws before Stripe's word of the payment arrives: too late to cancel
    withdraw_transfer(exporter, transfer.id, "Found a use for the space", NOW)

    outcome = succeeded(cards, client, payment, "evt_late_price")
    assert outcome == "applied; refund due: the transfer is withdrawn"
    assert transfer.state == "withdrawn" and transfer.new_booking_id is None
    refund = db.session.scalar(select(Refund).where(Refund.transfer_id == transfer.id))
    assert refund.payee_id == taker.organization_id and refund.amount_minor == PRICE
    assert refund.state == "due" and refund.booking_id == booking.id
    told = db.session.scalar(
        select(Notification).where(
            Notification.organization_id == taker.organization_id,
            Notification.kind == "refund_due",
        )
    )
    assert told.link == f"/transfers/{transfer.id}" and f"transfer #{transfer.id}" in told.subject
    # the lease's own escrow and its tenant's view are untouched by the taker's money
    assert ledger.balance(ledger.escrow(exporter.organization_id, "EUR"), booking.id) == (
        tenant_escrow
    )
    assert frozen_minor(booking) == frozen
    summary = escrow_summary(exporter, booking.id)
    assert summary.refunds == [] and summary.in_escrow == tenant_escrow
    assert ledger.balance(ledger.escrow(taker.organization_id, "EUR")) == Money(PRICE, "EUR")
    page = client.get(f"/transfers/{transfer.id}").get_data(as_text=True)
    assert "is owed back to you" in page
    check_escrow()

    client.post("/logout")
    due = client.get("/api/v1/escrow/refunds", headers=api_token(client, operator)).json
    assert [(r["payee_id"], r["transfer_id"], r["card_payment_id"]) for r in due] == [
        (taker.organization_id, transfer.id, payment.id)
    ]
    login(client, operator)
    console = client.get("/operator/escrow").get_data(as_text=True)
    assert f'{taker.organization.name} <span class="muted small">(taker of' in console
    assert client.post(f"/operator/escrow/refunds/{refund.id}/card").status_code == 302
    db.session.expire_all()
    assert refund.state == "sent" and refund.gateway == "stripe"
    assert cards.v1.refunds.retrieve(refund.bank_reference).amount == PRICE
    assert ledger.balance(ledger.escrow(taker.organization_id, "EUR")) == Money(0, "EUR")
    assert reconciled("refunds out") == (Money(PRICE, "EUR"), Money(PRICE, "EUR"))
    check_escrow()


def test_withdrawing_cancels_a_card_payment_not_yet_confirmed(
    client, cards, approved, exporter, taker
):
    transfer = approved
    login(client, taker)
    payment = start(client, transfer)
    withdraw_transfer(exporter, transfer.id, "Found a use for the space", NOW)

    intent = cards.v1.payment_intents.retrieve(payment.payment_intent_id)
    assert intent.status == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        browser_confirms(cards, payment.payment_intent_id, "pm_card_visa")
    answer = deliver(client, "evt_cancelled", "payment_intent.canceled", intent.to_dict())
    assert answer.json["outcome"] == "applied"
    db.session.expire_all()
    assert payment.status == "failed" and payment.decline_message.startswith("Cancelled")
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0
    assert ledger.balance(ledger.escrow(taker.organization_id, "EUR")) == Money(0, "EUR")
    page = client.get(f"/transfers/{transfer.id}").get_data(as_text=True)
    assert "nothing was charged" in page and "by card" not in page


def test_paying_by_bank_cancels_the_card_payment_not_yet_confirmed(
    client, cards, approved, taker, operator
):
    login(client, taker)
    payment = start(client, approved)
    record_transfer_receipt(operator, receipt(approved), NOW, TODAY)
    assert cards.v1.payment_intents.retrieve(payment.payment_intent_id).status == "canceled"


def test_a_card_payment_confirmed_as_the_bank_transfer_completed_it_is_owed_back(
    client, cards, approved, taker, operator
):
    transfer = approved
    login(client, taker)
    payment = start(client, transfer)
    confirmed = browser_confirms(cards, payment.payment_intent_id, "pm_card_visa")
    assert confirmed.status == "succeeded"
    record_transfer_receipt(operator, receipt(transfer), NOW, TODAY)

    outcome = succeeded(cards, client, payment, "evt_second_payment")
    assert outcome == "applied; refund due: the transfer was already paid and completed"
    leases = select(func.count()).where(Booking.tenant_id == taker.organization_id)
    assert db.session.scalar(leases) == 1
    refund = db.session.scalar(select(Refund).where(Refund.transfer_id == transfer.id))
    assert refund.payee_id == taker.organization_id and refund.amount_minor == PRICE
    check_escrow()
    check_ledger()


def test_a_declined_card_leaves_the_transfer_waiting_with_the_reason(
    client, cards, approved, taker
):
    transfer = approved
    login(client, taker)
    payment = start(client, transfer)
    with pytest.raises(stripe.CardError):
        browser_confirms(cards, payment.payment_intent_id, "pm_card_chargeCustomerFail")
    intent = cards.v1.payment_intents.retrieve(payment.payment_intent_id).to_dict()
    intent.setdefault("last_payment_error", {"message": "Your card was declined."})
    answer = deliver(client, "evt_price_declined", "payment_intent.payment_failed", intent)
    assert answer.json["outcome"] == "applied"
    db.session.expire_all()
    assert transfer.state == "owner_approved" and payment.status == "failed"
    page = client.get(f"/transfers/{transfer.id}").get_data(as_text=True)
    assert "The last card payment failed: Your card was declined." in page
    assert entries_of_transfer(transfer) == 0
    retry = start_again(client, transfer)
    assert retry.id != payment.id and retry.status == "pending"
    # one charge open at a time: the declined one cannot be tried again beside the new one
    assert cards.v1.payment_intents.retrieve(payment.payment_intent_id).status == "canceled"


def entries_of_transfer(transfer) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(CardPayment)
        .where(CardPayment.transfer_id == transfer.id, CardPayment.status == "succeeded")
    )


def start_again(client, transfer):
    assert client.post(f"/transfers/{transfer.id}/pay-by-card").status_code == 200
    return db.session.scalar(
        select(CardPayment)
        .where(CardPayment.transfer_id == transfer.id)
        .order_by(CardPayment.id.desc())
    )


def test_only_the_taker_pays_and_only_once_the_transfer_takes_payment(
    client, cards, owner, exporter, taker
):
    booking = paid_lease(owner, exporter)
    transfer = offer_transfer(exporter, offer(booking, price_minor=PRICE), NOW, TODAY)
    url = f"/api/v1/transfers/{transfer.id}/card-payment"
    assert client.post(url, headers=api_token(client, taker)).status_code == 403  # no taker yet
    request_transfer(taker, transfer.id, goods(), NOW, TODAY)
    waiting = client.post(url, headers=api_token(client, taker))
    assert waiting.status_code == 409 and "approval" in waiting.json["error"]["message"]
    approve_transfer(owner, transfer.id, NOW, TODAY)
    for someone in (exporter, owner):
        assert client.post(url, headers=api_token(client, someone)).status_code == 403
    stranger = UserFactory(organization=OrganizationFactory(kind="exporter"))
    assert client.post(url, headers=api_token(client, stranger)).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(CardPayment)) == 0

    started = client.post(url, headers=api_token(client, taker))
    assert started.status_code == 201 and started.json["transfer_id"] == transfer.id
    assert started.json["booking_id"] is None
    assert started.json["amount"] == {"amount_minor": PRICE, "currency": "EUR"}
    login(client, exporter)
    page = client.get(f"/transfers/{transfer.id}").get_data(as_text=True)
    assert "by card" not in page and "Card payments of the price" not in page


def test_without_card_payments_the_price_is_paid_by_bank_only(client, approved, taker):
    login(client, taker)
    assert client.post(f"/transfers/{approved.id}/pay-by-card").status_code == 404
    assert "by card" not in client.get(f"/transfers/{approved.id}").get_data(as_text=True)
