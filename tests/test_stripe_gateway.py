"""The Stripe gateway through the real `stripe` SDK.

Customers, PaymentIntents, refunds and webhooks run against localstripe. Connect (accounts,
account links, transfers, reversals) is missing from localstripe, and it ignores idempotency
keys, so those requests go to a recording HTTP client plugged into the SDK, which checks what
would have been sent to Stripe and answers in Stripe's shape.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe
from flask import request

from warehouse_exchange import create_app
from warehouse_exchange.adapters.payments import (
    InvalidWebhook,
    OnboardingLink,
    PaymentDeclined,
    WebhookEvent,
)
from warehouse_exchange.adapters.stripe_gateway import StripeGateway, build_gateway

#: localstripe takes any key that starts with sk_
LOCALSTRIPE_API_KEY = "sk_test_gateway"
WEBHOOK_SECRET = "whsec_test_secret"
RECORDED_API_BASE = "https://api.stripe.test"


@pytest.fixture
def gateway(localstripe_url):
    return StripeGateway(LOCALSTRIPE_API_KEY, WEBHOOK_SECRET, api_base=localstripe_url)


@pytest.fixture
def stripe_client(localstripe_url):
    """The SDK on its own, to look at what the gateway left in localstripe."""
    return stripe.StripeClient(LOCALSTRIPE_API_KEY, base_addresses={"api": localstripe_url})


@pytest.fixture
def customer_id(gateway):
    return gateway.create_customer(7, "Shenzhen Exports Ltd", "pay@shenzhen.example")


# --- localstripe: customers, PaymentIntents, refunds ---------------------------------------


def test_create_customer_keeps_name_email_and_organization(gateway, stripe_client):
    customer_id = gateway.create_customer(7, "Shenzhen Exports Ltd", "pay@shenzhen.example")

    customer = stripe_client.v1.customers.retrieve(customer_id)
    assert customer_id.startswith("cus_")
    assert (customer.name, customer.email) == ("Shenzhen Exports Ltd", "pay@shenzhen.example")
    assert customer.metadata["organization_id"] == "7"


def test_charge_with_a_card_succeeds_and_names_the_booking(gateway, stripe_client, customer_id):
    ref = gateway.charge(
        123_45, "EUR", customer_id, 42, "charge-booking-42", payment_method_id="pm_card_visa"
    )

    assert ref.succeeded
    assert ref.client_secret.startswith(f"{ref.id}_secret_")
    intent = stripe_client.v1.payment_intents.retrieve(ref.id)
    assert (intent.amount, intent.currency, intent.customer) == (123_45, "eur", customer_id)
    assert intent.metadata["booking_id"] == "42"
    assert ref.charge_id == intent.latest_charge.id
    assert stripe_client.v1.charges.retrieve(ref.charge_id).paid


def test_zero_decimal_currency_goes_out_in_its_own_minor_units(gateway, stripe_client, customer_id):
    ref = gateway.charge(
        15_000, "JPY", customer_id, 43, "charge-43", payment_method_id="pm_card_visa"
    )

    charge = stripe_client.v1.charges.retrieve(ref.charge_id)
    assert (charge.amount, charge.currency) == (15_000, "jpy")


def test_charge_without_a_card_waits_for_the_browser(gateway, customer_id):
    ref = gateway.charge(50_00, "EUR", customer_id, 44, "charge-44")

    assert ref.status == "requires_payment_method"
    assert ref.charge_id is None
    assert ref.client_secret.startswith(f"{ref.id}_secret_")


def test_a_card_saved_for_later_is_charged_off_session(gateway, stripe_client, customer_id):
    first = gateway.charge(300_00, "EUR", customer_id, 48, "charge-48-1", save_card=True)
    stripe_client.v1.payment_intents.update(first.id, {"payment_method": "pm_card_visa"})
    saved = stripe_client.v1.payment_intents.confirm(first.id).payment_method

    later = gateway.charge(
        300_00, "EUR", customer_id, 48, "instalment-48-2", payment_method_id=saved
    )

    assert later.succeeded and later.charge_id.startswith("ch_")
    assert stripe_client.v1.payment_intents.retrieve(later.id).customer == customer_id


def test_declined_card_raises_payment_declined(gateway, customer_id):
    with pytest.raises(PaymentDeclined) as declined:
        gateway.charge(
            99_00,
            "EUR",
            customer_id,
            45,
            "charge-45",
            payment_method_id="pm_card_chargeCustomerFail",
        )

    assert declined.value.decline_code == "card_declined"
    assert declined.value.status == 402
    assert "declined" in declined.value.message


def test_partial_refund_leaves_the_rest_charged(gateway, stripe_client, customer_id):
    ref = gateway.charge(
        100_00, "EUR", customer_id, 46, "charge-46", payment_method_id="pm_card_visa"
    )

    refund_id = gateway.refund(ref.id, 25_00, "refund-46-1")

    refund = stripe_client.v1.refunds.retrieve(refund_id)
    assert refund_id.startswith("re_")
    assert (refund.amount, refund.payment_intent, refund.status) == (25_00, ref.id, "succeeded")
    charge = stripe_client.v1.charges.retrieve(ref.charge_id)
    assert (charge.amount_refunded, charge.refunded) == (25_00, False)


def test_build_gateway_uses_the_configured_api_base(localstripe_url, stripe_client):
    config = {
        "PAYMENT_METHOD": "stripe",
        "STRIPE_SECRET_KEY": LOCALSTRIPE_API_KEY,
        "STRIPE_API_BASE": localstripe_url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_WEBHOOK_TOLERANCE_SECONDS": 300,
    }

    customer_id = build_gateway(config).create_customer(8, "Rotterdam Racks", "a@rr.example")

    assert stripe_client.v1.customers.retrieve(customer_id).name == "Rotterdam Racks"


def test_build_gateway_is_off_for_bank_transfers():
    assert build_gateway({"PAYMENT_METHOD": "bank_transfer"}) is None


def test_build_gateway_refuses_a_missing_secret():
    config = {
        "PAYMENT_METHOD": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_x",
        "STRIPE_API_BASE": "https://api.stripe.com",
        "STRIPE_WEBHOOK_SECRET": "",
        "STRIPE_WEBHOOK_TOLERANCE_SECONDS": 300,
    }
    with pytest.raises(RuntimeError, match="STRIPE_WEBHOOK_SECRET"):
        build_gateway(config)


def test_default_config_pays_by_bank_transfer(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}"})

    assert app.config["PAYMENT_METHOD"] == "bank_transfer"
    assert app.config["STRIPE_API_BASE"] == "https://api.stripe.com"
    assert app.config["STRIPE_WEBHOOK_TOLERANCE_SECONDS"] == 300


# --- webhooks ----------------------------------------------------------------------------


def signature_header(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """Stripe-Signature as Stripe documents it: HMAC-SHA256 of "{t}.{body}" with the secret."""
    timestamp = int(time.time()) if at is None else at
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_payload(booking_id: int = 42) -> bytes:
    event = {
        "id": "evt_1",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": 1_700_000_000,
        "data": {
            "object": {
                "id": "pi_1",
                "object": "payment_intent",
                "amount": 12345,
                "metadata": {"booking_id": str(booking_id)},
            }
        },
    }
    return json.dumps(event).encode()


@pytest.fixture
def webhook_gateway():
    return StripeGateway("sk_test_unused", WEBHOOK_SECRET, api_base=RECORDED_API_BASE)


def test_webhook_with_a_good_signature_becomes_an_event(webhook_gateway):
    payload = event_payload()

    event = webhook_gateway.parse_webhook(payload, signature_header(payload))

    assert isinstance(event, WebhookEvent)
    assert (event.id, event.type, event.created) == (
        "evt_1",
        "payment_intent.succeeded",
        1_700_000_000,
    )
    assert event.object == {
        "id": "pi_1",
        "object": "payment_intent",
        "amount": 12345,
        "metadata": {"booking_id": "42"},
    }


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(lambda body: signature_header(body, secret="whsec_other"), id="wrong-secret"),
        pytest.param(lambda body: signature_header(body, at=int(time.time()) - 301), id="stale"),
        pytest.param(lambda body: signature_header(body.replace(b"12345", b"1")), id="tampered"),
        pytest.param(lambda body: "", id="missing"),
        pytest.param(lambda body: "v1=abc", id="no-timestamp"),
    ],
)
def test_webhook_with_a_bad_signature_is_refused(webhook_gateway, header):
    payload = event_payload()

    with pytest.raises(InvalidWebhook):
        webhook_gateway.parse_webhook(payload, header(payload))


def test_signed_body_that_is_not_an_event_is_refused(webhook_gateway):
    payload = b"not json"

    with pytest.raises(InvalidWebhook, match="not a Stripe event"):
        webhook_gateway.parse_webhook(payload, signature_header(payload))


def test_invalid_webhook_answers_400_through_the_web_layer(webhook_gateway, tmp_path):
    # an app with no tables: nothing here reads the database, not even the demo clock
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}", "DEMO_CLOCK": False}
    app = create_app("testing", settings)

    def receive():
        webhook_gateway.parse_webhook(request.get_data(), request.headers["Stripe-Signature"])
        return "", 204

    app.add_url_rule("/api/v1/test-webhook", view_func=receive, methods=["POST"])
    response = app.test_client().post(
        "/api/v1/test-webhook", data=event_payload(), headers={"Stripe-Signature": "t=1,v1=0"}
    )

    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_webhook"


class _WebhookInbox(BaseHTTPRequestHandler):
    received: list[tuple[bytes, str]] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers["Stripe-Signature"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _point_localstripe_webhook(localstripe_url: str, url: str, events: list[str]) -> None:
    body = {"url": url, "secret": WEBHOOK_SECRET, "events": events}
    request = urllib.request.Request(
        f"{localstripe_url}/_config/webhooks/inbox",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=5).close()


@pytest.fixture
def webhook_inbox(localstripe_url):
    """A receiver on 127.0.0.1 that localstripe posts its signed events to."""
    _WebhookInbox.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebhookInbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    inbox_url = f"http://127.0.0.1:{server.server_port}/"
    _point_localstripe_webhook(localstripe_url, inbox_url, ["payment_intent.succeeded"])
    yield _WebhookInbox.received
    # localstripe cannot forget a webhook; an empty event list silences it
    _point_localstripe_webhook(localstripe_url, inbox_url, [])
    server.shutdown()
    server.server_close()


def _wait_for_event(inbox, gateway, intent_id: str, timeout: float = 10) -> WebhookEvent:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for body, header in list(inbox):
            event = gateway.parse_webhook(body, header)
            if event.object["id"] == intent_id:
                return event
        time.sleep(0.1)
    raise AssertionError(f"no webhook for {intent_id} within {timeout} s")


def test_webhook_signed_by_localstripe_is_accepted(gateway, customer_id, webhook_inbox):
    ref = gateway.charge(
        70_00, "EUR", customer_id, 47, "charge-47", payment_method_id="pm_card_visa"
    )

    event = _wait_for_event(webhook_inbox, gateway, ref.id)

    assert event.type == "payment_intent.succeeded"
    assert event.id.startswith("evt_")
    assert event.object["metadata"] == {"booking_id": "47"}
    assert event.object["amount"] == 70_00


# --- recording HTTP client: Connect and idempotency keys ----------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None


class RecordingHTTPClient(stripe.HTTPClient):
    """Plays Stripe: answers each (method, path) with a canned JSON body and keeps the request."""

    name = "recording"

    def __init__(self, answers: dict[tuple[str, str], tuple[int, dict]]):
        super().__init__()
        self.answers = answers
        self.requests: list[RecordedRequest] = []

    def request(self, method, url, headers, post_data=None, **_ignored):
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == RECORDED_API_BASE
        assert headers["Authorization"] == "Bearer sk_test_recorded"
        body = post_data if method == "post" else parts.query
        self.requests.append(
            RecordedRequest(
                method.upper(),
                parts.path,
                dict(parse_qsl(body or "")),
                headers.get("Idempotency-Key"),
            )
        )
        status, answer = self.answers[(method.upper(), parts.path)]
        return json.dumps(answer), status, {"Request-Id": "req_recorded"}

    def close(self):
        pass


def recording_gateway(answers) -> tuple[StripeGateway, RecordingHTTPClient]:
    http = RecordingHTTPClient(answers)
    gateway = StripeGateway(
        "sk_test_recorded", WEBHOOK_SECRET, api_base=RECORDED_API_BASE, http_client=http
    )
    return gateway, http


def test_release_to_owner_transfers_from_the_booking_charge():
    gateway, http = recording_gateway(
        {("POST", "/v1/transfers"): (200, {"id": "tr_1", "object": "transfer"})}
    )

    transfer_id = gateway.release_to_owner("acct_owner", 920_00, "EUR", 42, "ch_1", "release-42-1")

    assert transfer_id == "tr_1"
    assert http.requests == [
        RecordedRequest(
            "POST",
            "/v1/transfers",
            {
                "amount": "92000",
                "currency": "eur",
                "destination": "acct_owner",
                "transfer_group": "booking-42",
                "source_transaction": "ch_1",
                "metadata[booking_id]": "42",
            },
            "release-42-1",
        )
    ]


def test_reverse_release_reverses_part_of_the_transfer():
    gateway, http = recording_gateway(
        {
            ("POST", "/v1/transfers/tr_1/reversals"): (
                200,
                {"id": "trr_1", "object": "transfer_reversal"},
            )
        }
    )

    reversal_id = gateway.reverse_release("tr_1", 150_00, "reverse-42-1")

    assert reversal_id == "trr_1"
    assert http.requests == [
        RecordedRequest("POST", "/v1/transfers/tr_1/reversals", {"amount": "15000"}, "reverse-42-1")
    ]


ACCOUNT_LINK = {
    "object": "account_link",
    "url": "https://connect.stripe.com/setup/e/acct_new/abc",
    "created": 1_700_000_000,
    "expires_at": 1_700_000_300,
}
LINK_PARAMS = {
    "type": "account_onboarding",
    "return_url": "https://wx.example/connect/done",
    "refresh_url": "https://wx.example/connect/again",
}


def test_onboarding_link_creates_an_express_account_first():
    gateway, http = recording_gateway(
        {
            ("POST", "/v1/accounts"): (200, {"id": "acct_new", "object": "account"}),
            ("POST", "/v1/account_links"): (200, ACCOUNT_LINK),
        }
    )

    account_id, url = gateway.onboarding_link(
        7, None, LINK_PARAMS["return_url"], LINK_PARAMS["refresh_url"]
    )

    assert (account_id, url) == ("acct_new", ACCOUNT_LINK["url"])
    account_request, link_request = http.requests
    assert (account_request.method, account_request.path) == ("POST", "/v1/accounts")
    assert account_request.params == {
        "type": "express",
        "capabilities[transfers][requested]": "true",
        "metadata[organization_id]": "7",
    }
    assert link_request.path == "/v1/account_links"
    assert link_request.params == {"account": "acct_new", **LINK_PARAMS}


def test_onboarding_link_reuses_an_existing_account():
    gateway, http = recording_gateway({("POST", "/v1/account_links"): (200, ACCOUNT_LINK)})

    link = gateway.onboarding_link(
        7, "acct_known", LINK_PARAMS["return_url"], LINK_PARAMS["refresh_url"]
    )

    assert link == OnboardingLink("acct_known", ACCOUNT_LINK["url"])
    assert [r.path for r in http.requests] == ["/v1/account_links"]
    assert http.requests[0].params["account"] == "acct_known"


def test_charge_and_refund_send_the_callers_idempotency_keys():
    intent = {
        "id": "pi_1",
        "object": "payment_intent",
        "client_secret": "pi_1_secret_x",
        "status": "succeeded",
        "latest_charge": "ch_1",
    }
    gateway, http = recording_gateway(
        {
            ("POST", "/v1/payment_intents"): (200, intent),
            ("POST", "/v1/refunds"): (200, {"id": "re_1", "object": "refund"}),
        }
    )

    ref = gateway.charge(100_00, "EUR", "cus_1", 42, "charge-42", payment_method_id="pm_1")
    refund_id = gateway.refund("pi_1", 30_00, "refund-42-1")

    assert (ref.id, ref.charge_id, refund_id) == ("pi_1", "ch_1", "re_1")
    charge_request, refund_request = http.requests
    assert charge_request.idempotency_key == "charge-42"
    assert charge_request.params == {
        "amount": "10000",
        "currency": "eur",
        "customer": "cus_1",
        "metadata[booking_id]": "42",
        "payment_method": "pm_1",
        "payment_method_types[0]": "card",
        "confirm": "true",
        "off_session": "true",
    }
    assert refund_request.idempotency_key == "refund-42-1"
    assert refund_request.params == {"payment_intent": "pi_1", "amount": "3000"}


def test_a_card_to_save_asks_stripe_to_keep_it_for_off_session_use():
    intent = {"id": "pi_2", "object": "payment_intent", "client_secret": "pi_2_secret_x",
              "status": "requires_payment_method", "latest_charge": None}  # fmt: skip
    gateway, http = recording_gateway({("POST", "/v1/payment_intents"): (200, intent)})

    gateway.charge(100_00, "EUR", "cus_1", 42, "booking-42-charge-1", save_card=True)

    (request,) = http.requests
    assert request.params["setup_future_usage"] == "off_session"
    assert "confirm" not in request.params and "off_session" not in request.params


def test_decline_as_real_stripe_reports_it_names_the_payment_intent():
    """Real Stripe puts the failed PaymentIntent in the error; localstripe leaves it out."""
    error = {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds.",
            "payment_intent": {
                "id": "pi_failed",
                "object": "payment_intent",
                "status": "requires_payment_method",
            },
        }
    }
    gateway, _http = recording_gateway({("POST", "/v1/payment_intents"): (402, error)})

    with pytest.raises(PaymentDeclined) as declined:
        gateway.charge(100_00, "EUR", "cus_1", 42, "charge-42", payment_method_id="pm_1")

    assert declined.value.decline_code == "insufficient_funds"
    assert declined.value.payment_intent_id == "pi_failed"
    assert declined.value.message == "Your card has insufficient funds."
