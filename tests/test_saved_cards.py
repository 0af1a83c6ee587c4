"""Monthly leases paid by card: the first instalment's card is saved, later instalments are
charged to it off-session when due (real stripe SDK against localstripe), once a day at most;
a refusal is shown and told to the tenant and tried again the next day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from tests.test_card_payments import browser_confirms, deliver
from tests.test_payment_plans import at_noon, monthly_booking, schedule
from warehouse_exchange.escrow.models import CardPayment, GatewayCustomer
from warehouse_exchange.escrow.saved_cards import charge_saved_cards
from warehouse_exchange.extensions import db
from warehouse_exchange.ledger import services as ledger
from warehouse_exchange.notifications.models import Notification


def first_month_by_card(client, cards, booking, exporter, card="pm_card_visa"):
    """The tenant pays the first instalment on the page; the webhook says which card."""
    login(client, exporter)
    client.post(f"/bookings/{booking.id}/pay-by-card")
    payment = db.session.scalar(select(CardPayment).where(CardPayment.booking_id == booking.id))
    browser_confirms(cards, payment.payment_intent_id, "pm_card_visa")
    intent = cards.v1.payment_intents.retrieve(payment.payment_intent_id).to_dict()
    intent["payment_method"] = card
    assert (
        deliver(client, f"evt_{booking.id}", "payment_intent.succeeded", intent).json["outcome"]
        == "applied"
    )
    db.session.expire_all()
    assert booking.state == "confirmed"


def attempts(booking) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(CardPayment)
        .where(CardPayment.booking_id == booking.id, CardPayment.instalment_id.is_not(None))
    )


def gateway(app):
    return app.extensions["payment_gateway"]


def test_later_instalments_are_charged_to_the_saved_card_once(
    app,
    client,
    cards,
    owner,
    exporter,
):
    booking = monthly_booking(owner, exporter)
    first_month_by_card(client, cards, booking, exporter)
    saved = db.session.get(GatewayCustomer, (exporter.organization_id, "stripe"))
    assert saved.payment_method_id == "pm_card_visa"
    _first, second, third, _fourth = schedule(booking)

    assert charge_saved_cards(at_noon(second.due_on - timedelta(days=1)), gateway(app)) == 0
    due = at_noon(second.due_on)
    assert charge_saved_cards(due, gateway(app)) == 1
    assert charge_saved_cards(due, gateway(app)) == 0  # paid: never charged twice
    db.session.expire_all()
    assert second.paid_at == due and third.paid_at is None
    payment = db.session.scalar(select(CardPayment).where(CardPayment.instalment_id == second.id))
    assert payment.status == "succeeded" and payment.amount_minor == second.amount_minor
    at_stripe = cards.v1.payment_intents.retrieve(payment.payment_intent_id)
    assert (at_stripe.status, at_stripe.amount) == ("succeeded", second.amount_minor)
    paid_in = -ledger.balance(ledger.clearing("stripe", "EUR")).amount_minor
    assert paid_in == _first.amount_minor + second.amount_minor

    intent = at_stripe.to_dict()
    replay = deliver(client, "evt_offsession", "payment_intent.succeeded", intent)
    assert replay.json["outcome"] == "ignored: already recorded"
    assert -ledger.balance(ledger.clearing("stripe", "EUR")).amount_minor == paid_in


def test_a_refused_saved_card_is_told_shown_and_tried_again_the_next_day(
    app,
    client,
    cards,
    owner,
    exporter,
):
    booking = monthly_booking(owner, exporter)
    first_month_by_card(client, cards, booking, exporter, card="pm_card_chargeCustomerFail")
    second = schedule(booking)[1]
    due = at_noon(second.due_on)

    assert charge_saved_cards(due, gateway(app)) == 0
    assert charge_saved_cards(due + timedelta(hours=2), gateway(app)) == 0
    assert attempts(booking) == 1  # once a day
    failed = db.session.scalar(select(CardPayment).where(CardPayment.instalment_id == second.id))
    assert failed.status == "failed" and "declined" in failed.decline_message
    assert second.paid_at is None
    told = db.session.scalars(
        select(Notification.organization_id).where(Notification.kind == "card_declined")
    ).all()
    assert told == [exporter.organization_id]
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "The last card payment failed" in page

    assert charge_saved_cards(due + timedelta(days=1), gateway(app)) == 0
    assert attempts(booking) == 2


def test_upfront_leases_and_bank_transfers_charge_nothing(app, client, cards, owner, exporter):
    booking = monthly_booking(owner, exporter, plan="upfront")
    first_month_by_card(client, cards, booking, exporter)

    assert (
        db.session.get(GatewayCustomer, (exporter.organization_id, "stripe")).payment_method_id
        is None
    )
    assert charge_saved_cards(at_noon(booking.end_date), gateway(app)) == 0
    assert charge_saved_cards(at_noon(booking.end_date), None) == 0


def test_the_first_payment_of_a_monthly_lease_says_the_card_is_kept(
    client,
    cards,
    owner,
    exporter,
):
    booking = monthly_booking(owner, exporter)
    login(client, exporter)
    page = client.post(f"/bookings/{booking.id}/pay-by-card").get_data(as_text=True)
    assert "each later instalment is charged to this card" in page


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_runners_charge_each_due_instalment_once(backend, tmp_path, localstripe_url):
    import stripe

    from tests.concurrency_support import isolated_app, run_at_once
    from tests.factories import OrganizationFactory, UserFactory
    from tests.stripe_support import API_KEY, WEBHOOK_SECRET
    from warehouse_exchange.adapters.stripe_gateway import build_gateway

    settings = {
        "PAYMENT_METHOD": "stripe",
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe_url,
    }
    stripe_api = stripe.StripeClient(API_KEY, base_addresses={"api": localstripe_url})
    with isolated_app(backend, tmp_path) as app:
        app.config.update(settings)
        app.extensions["payment_gateway"] = build_gateway(app.config)
        with app.app_context():
            owner = UserFactory(organization=OrganizationFactory(kind="owner"))
            seconds = []
            for _ in range(4):
                tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
                booking = monthly_booking(owner, tenant)
                first_month_by_card(app.test_client(), stripe_api, booking, tenant)
                seconds.append(schedule(booking)[1].id)
            due = at_noon(schedule(booking)[1].due_on)
            charged_before = -ledger.balance(ledger.clearing("stripe", "EUR")).amount_minor

        counts = run_at_once(
            app, lambda: charge_saved_cards(due, app.extensions["payment_gateway"])
        )

        assert sum(counts) == 4, counts
        with app.app_context():
            per_instalment = db.session.execute(
                select(CardPayment.instalment_id, func.count())
                .where(CardPayment.instalment_id.is_not(None))
                .group_by(CardPayment.instalment_id)
            ).all()
            assert sorted(per_instalment) == sorted((i, 1) for i in seconds)
            paid = db.session.scalar(
                select(func.sum(CardPayment.amount_minor)).where(
                    CardPayment.instalment_id.is_not(None)
                )
            )
            charged = -ledger.balance(ledger.clearing("stripe", "EUR")).amount_minor
            assert charged == charged_before + paid
