"""PaymentGateway on Stripe: charges on the platform account, then separate transfers to the
owner's Express account (Connect "separate charges and transfers")."""

from __future__ import annotations

from typing import Any

import stripe

from .payments import (
    GatewayError,
    InvalidWebhook,
    OnboardingLink,
    PaymentDeclined,
    PaymentGateway,
    PaymentIntentRef,
    WebhookEvent,
)

DEFAULT_API_BASE = "https://api.stripe.com"


def _id_of(value: Any) -> str | None:
    """An expandable field is an id, or the object itself once expanded."""
    if value is None or isinstance(value, str):
        return value
    return value["id"]


def _declined(error: stripe.CardError) -> PaymentDeclined:
    details = error.error
    return PaymentDeclined(
        error.user_message or "The card was declined.",
        decline_code=getattr(details, "decline_code", None) or error.code,
        payment_intent_id=_id_of(getattr(details, "payment_intent", None)),
    )


def _intent_params(
    amount_minor: int,
    currency: str,
    customer_id: str,
    booking_id: int,
    payment_method_id: str | None,
    save_card: bool,
) -> dict[str, Any]:
    # transfer_group stays off the PaymentIntent: the transfer's source_transaction
    # already ties it to this charge.
    params: dict[str, Any] = {
        "amount": amount_minor,
        "currency": currency.lower(),
        "customer": customer_id,
        "metadata": {"booking_id": booking_id},
    }
    if save_card:
        # the card the tenant confirms is kept on the customer for the later instalments
        params["setup_future_usage"] = "off_session"
    if payment_method_id:
        # A saved card charged while the tenant is away; card only, so that confirming
        # here needs no return_url for redirect methods.
        params |= {
            "payment_method": payment_method_id,
            "payment_method_types": ["card"],
            "confirm": True,
            "off_session": True,
        }
    return params


class StripeGateway:
    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        api_base: str = DEFAULT_API_BASE,
        webhook_tolerance_seconds: int = 300,
        http_client: stripe.HTTPClient | None = None,
    ):
        if not api_key or not webhook_secret:
            raise RuntimeError("Set WX_STRIPE_SECRET_KEY and WX_STRIPE_WEBHOOK_SECRET.")
        self._client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base}, http_client=http_client
        )
        self._webhook_secret = webhook_secret
        self._webhook_tolerance = webhook_tolerance_seconds

    @property
    def _v1(self):
        return self._client.v1

    def create_customer(self, organization_id: int, name: str, email: str) -> str:
        # No key derived from organization_id: databases that share one Stripe account
        # (development, staging) reuse ids and would get each other's customers.
        customer = self._v1.customers.create(
            params={"name": name, "email": email, "metadata": {"organization_id": organization_id}}
        )
        return customer.id

    def charge(
        self,
        amount_minor: int,
        currency: str,
        customer_id: str,
        booking_id: int,
        idempotency_key: str,
        *,
        payment_method_id: str | None = None,
        save_card: bool = False,
    ) -> PaymentIntentRef:
        params = _intent_params(
            amount_minor, currency, customer_id, booking_id, payment_method_id, save_card
        )
        try:
            intent = self._v1.payment_intents.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except stripe.CardError as error:
            raise _declined(error) from error
        return PaymentIntentRef(
            id=intent.id,
            client_secret=intent.client_secret,
            status=intent.status,
            charge_id=_id_of(intent.latest_charge) if intent.status == "succeeded" else None,
        )

    def refund(self, payment_intent_id: str, amount_minor: int, idempotency_key: str) -> str:
        refund = self._v1.refunds.create(
            params={"payment_intent": payment_intent_id, "amount": amount_minor},
            options={"idempotency_key": idempotency_key},
        )
        return refund.id

    def cancel_charge(self, payment_intent_id: str, idempotency_key: str) -> bool:
        try:
            self._v1.payment_intents.cancel(
                payment_intent_id, options={"idempotency_key": idempotency_key}
            )
        except stripe.InvalidRequestError:  # confirmed, or no longer cancellable
            return False
        except stripe.StripeError as error:
            raise GatewayError(
                f"Stripe could not cancel the charge: {error.user_message}"
            ) from error
        return True

    def release_to_owner(
        self,
        connected_account_id: str,
        amount_minor: int,
        currency: str,
        booking_id: int,
        source_charge_id: str,
        idempotency_key: str,
    ) -> str:
        # source_transaction lets the transfer wait for the charge's funds to become available
        # instead of failing on an empty platform balance.
        try:
            transfer = self._v1.transfers.create(
                params={
                    "amount": amount_minor,
                    "currency": currency.lower(),
                    "destination": connected_account_id,
                    "transfer_group": f"booking-{booking_id}",
                    "source_transaction": source_charge_id,
                    "metadata": {"booking_id": booking_id},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise GatewayError(f"Stripe refused the transfer: {error.user_message}") from error
        return transfer.id

    def reverse_release(self, transfer_id: str, amount_minor: int, idempotency_key: str) -> str:
        reversal = self._v1.transfers.reversals.create(
            transfer_id,
            params={"amount": amount_minor},
            options={"idempotency_key": idempotency_key},
        )
        return reversal.id

    def onboarding_link(
        self,
        organization_id: int,
        existing_account_id: str | None,
        return_url: str,
        refresh_url: str,
    ) -> OnboardingLink:
        account_id = existing_account_id or self._create_express_account(organization_id)
        link = self._v1.account_links.create(
            params={
                "account": account_id,
                "type": "account_onboarding",
                "return_url": return_url,
                "refresh_url": refresh_url,
            }
        )
        return OnboardingLink(account_id=account_id, url=link.url)

    def _create_express_account(self, organization_id: int) -> str:
        account = self._v1.accounts.create(
            params={
                "type": "express",
                "capabilities": {"transfers": {"requested": True}},
                "metadata": {"organization_id": organization_id},
            }
        )
        return account.id

    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent:
        try:
            event = stripe.Webhook.construct_event(
                payload, signature_header, self._webhook_secret, self._webhook_tolerance
            )
            return WebhookEvent(
                id=event.id,
                type=event.type,
                object=event.data.object.to_dict(),
                created=event.created,
            )
        except stripe.SignatureVerificationError as error:
            raise InvalidWebhook(f"Webhook signature refused: {error.user_message}") from error
        except (ValueError, KeyError, AttributeError) as error:
            raise InvalidWebhook("The webhook body is not a Stripe event.") from error


def build_gateway(config) -> PaymentGateway | None:
    if config["PAYMENT_METHOD"] != "stripe":
        return None
    return StripeGateway(
        config["STRIPE_SECRET_KEY"],
        config["STRIPE_WEBHOOK_SECRET"],
        api_base=config["STRIPE_API_BASE"],
        webhook_tolerance_seconds=config["STRIPE_WEBHOOK_TOLERANCE_SECONDS"],
    )
