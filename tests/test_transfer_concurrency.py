"""Two takers ask for the same offer at once, and two payments of it arrive at once (two bank
transfers, or a card payment and a bank transfer): exactly one wins each race, and the
capacity and the ledger stay exact (PostgreSQL, real connections in threads; SQLite
serialises writers and cannot show the race)."""

from __future__ import annotations

import stripe
from sqlalchemy import func, select

from tests.concurrency_support import isolated_app, run_at_once
from tests.factories import OperatorFactory, OrganizationFactory, UserFactory
from tests.helpers import goods
from tests.stripe_support import API_KEY, WEBHOOK_SECRET
from tests.test_booking_state_machine import check_escrow
from tests.test_card_payments import browser_confirms
from tests.test_concurrency import check_ledger
from tests.test_escrow import accepted_booking
from tests.transfer_support import NOW, TODAY, offer, paid_lease, receipt
from warehouse_exchange.accounts.models import User
from warehouse_exchange.adapters.payments import WebhookEvent
from warehouse_exchange.bookings.models import Booking
from warehouse_exchange.errors import DomainError
from warehouse_exchange.escrow.bank_receipts import ReceiptData, record_bank_receipt
from warehouse_exchange.escrow.cards import handle_gateway_event
from warehouse_exchange.escrow.models import BankReceipt, Refund
from warehouse_exchange.escrow.rules import payment_reference
from warehouse_exchange.extensions import db
from warehouse_exchange.transfers.cards import start_price_card_payment
from warehouse_exchange.transfers.commands import offer_transfer, request_transfer
from warehouse_exchange.transfers.models import Transfer
from warehouse_exchange.transfers.settlement import record_transfer_receipt


def _seed(consent: bool) -> dict:
    owner = UserFactory(organization=OrganizationFactory(kind="owner"))
    tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
    takers = [UserFactory(organization=OrganizationFactory(kind="exporter")) for _ in range(2)]
    booking = paid_lease(owner, tenant, consent=consent)
    transfer = offer_transfer(tenant, offer(booking), NOW, TODAY)
    return {
        "transfer": transfer.id,
        "takers": [taker.id for taker in takers],
        "operators": [OperatorFactory().id, OperatorFactory().id],
    }


def _attempt(work) -> str:
    try:
        work()
    except DomainError as error:
        db.session.rollback()
        return error.code
    return "won"


def test_two_takers_ask_for_one_offer_at_once(tmp_path):
    with isolated_app("postgresql", tmp_path) as app:
        with app.app_context():
            ids = _seed(consent=True)
        takers = iter(ids["takers"])

        def ask():
            taker = db.session.get(User, next(takers))
            return _attempt(lambda: request_transfer(taker, ids["transfer"], goods(), NOW, TODAY))

        outcomes = run_at_once(app, ask)

        assert sorted(outcomes) == ["conflict", "won"], outcomes
        with app.app_context():
            transfer = db.session.get(Transfer, ids["transfer"])
            assert transfer.state == "requested" and transfer.taker_id is not None


def test_two_payments_of_one_transfer_complete_it_once(tmp_path):
    with isolated_app("postgresql", tmp_path) as app:
        with app.app_context():
            ids = _seed(consent=False)
            taker = db.session.get(User, ids["takers"][0])
            request_transfer(taker, ids["transfer"], goods(), NOW, TODAY)
        operators = iter(enumerate(ids["operators"]))

        def pay():
            n, operator_id = next(operators)
            operator = db.session.get(User, operator_id)
            transfer = db.session.get(Transfer, ids["transfer"])
            data = receipt(transfer, bank_reference=f"RACE-{n}")
            return _attempt(lambda: record_transfer_receipt(operator, data, NOW, TODAY))

        outcomes = run_at_once(app, pay)

        assert sorted(outcomes) == ["conflict", "won"], outcomes
        with app.app_context():
            transfer = db.session.get(Transfer, ids["transfer"])
            assert transfer.state == "completed"
            taken_over = select(func.count()).where(Booking.transferred_from_id.is_not(None))
            assert db.session.scalar(taken_over) == 2  # the taker's lease and the continuation
            check_ledger()


def test_a_card_payment_and_a_bank_transfer_of_one_price_at_once(tmp_path, localstripe_url):
    """Whichever lands first completes the transfer; the other is refused (the bank transfer,
    to be sent back) or owed back to the taker's card (the card payment)."""
    cards = {
        "PAYMENT_METHOD": "stripe",
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe_url,
    }
    with isolated_app("postgresql", tmp_path, **cards) as app:
        with app.app_context():
            ids = _seed(consent=False)
            taker = db.session.get(User, ids["takers"][0])
            request_transfer(taker, ids["transfer"], goods(), NOW, TODAY)
            gateway = app.extensions["payment_gateway"]
            payment = start_price_card_payment(taker, ids["transfer"], gateway, TODAY)
            client = stripe.StripeClient(API_KEY, base_addresses={"api": localstripe_url})
            browser_confirms(client, payment.payment_intent_id, "pm_card_visa")
            intent = client.v1.payment_intents.retrieve(payment.payment_intent_id).to_dict()
        event = WebhookEvent("evt_race", "payment_intent.succeeded", intent, int(NOW.timestamp()))
        arrivals = iter(["card", "bank"])

        def arrive():
            if next(arrivals) == "card":
                return "card " + handle_gateway_event(event, NOW).outcome
            operator = db.session.get(User, ids["operators"][0])
            data = receipt(db.session.get(Transfer, ids["transfer"]))
            return "bank " + _attempt(lambda: record_transfer_receipt(operator, data, NOW, TODAY))

        outcomes = sorted(run_at_once(app, arrive))

        assert outcomes in (
            ["bank conflict", "card applied; transfer completed"],
            ["bank won", "card applied; refund due: the transfer was already paid and completed"],
        ), outcomes
        with app.app_context():
            transfer = db.session.get(Transfer, ids["transfer"])
            assert transfer.state == "completed"
            owed_back = db.session.scalars(select(Refund).where(Refund.transfer_id == transfer.id))
            assert [r.amount_minor for r in owed_back] == (
                [transfer.price_minor] if outcomes[0] == "bank won" else []
            )
            takers_leases = select(func.count()).where(Booking.tenant_id == transfer.taker_id)
            assert db.session.scalar(takers_leases) == 1
            check_ledger()
            check_escrow()


def test_one_bank_reference_as_a_booking_and_a_transfer_receipt_at_once(tmp_path):
    """The same bank transfer entered as a booking's payment and as a transfer's price at the
    same moment: the database records its reference once, the other is a 409 naming what it
    paid, and the ledger holds only the winner's money."""
    with isolated_app("postgresql", tmp_path) as app:
        with app.app_context():
            ids = _seed(consent=False)
            taker = db.session.get(User, ids["takers"][0])
            request_transfer(taker, ids["transfer"], goods(), NOW, TODAY)
            owner = UserFactory(organization=OrganizationFactory(kind="owner"))
            tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
            ids["booking"] = accepted_booking(owner, tenant).id
        kinds = iter(enumerate(["booking", "transfer"]))

        def pay():
            n, kind = next(kinds)
            operator = db.session.get(User, ids["operators"][n])
            if kind == "transfer":
                data = receipt(db.session.get(Transfer, ids["transfer"]), bank_reference="SAME")
                return "transfer " + _attempt(
                    lambda: record_transfer_receipt(operator, data, NOW, TODAY)
                )
            booking = db.session.get(Booking, ids["booking"])
            data = ReceiptData(
                payment_reference(booking.id), booking.total_minor, "EUR", TODAY, "SAME"
            )
            return "booking " + _attempt(lambda: record_bank_receipt(operator, data, NOW, TODAY))

        outcomes = sorted(run_at_once(app, pay))

        assert outcomes in (
            ["booking conflict", "transfer won"],
            ["booking won", "transfer conflict"],
        ), outcomes
        with app.app_context():
            same = select(func.count()).where(BankReceipt.bank_reference == "SAME")
            assert db.session.scalar(same) == 1
            transfer = db.session.get(Transfer, ids["transfer"])
            booking = db.session.get(Booking, ids["booking"])
            if outcomes[0] == "booking won":
                assert booking.state == "confirmed" and transfer.state == "requested"
            else:
                assert booking.state == "accepted" and transfer.state == "completed"
            check_ledger()
            check_escrow()
