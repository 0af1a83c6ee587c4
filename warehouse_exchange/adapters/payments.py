"""The card-payment side of escrow behind one small interface (Stripe implements it).

Amounts are integer minor units, as everywhere else (money.py). Stripe's minor units match
the CLDR ones that money.exponent uses, except for ISK (Stripe still expects two decimals,
a multiple of 100) and the three-decimal currencies BHD, JOD, KWD, OMR, TND (Stripe wants
the last digit 0): callers must not charge those through Stripe as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import DomainError


class InvalidWebhook(DomainError):
    """A webhook whose signature is missing, wrong or too old, or whose body is not an event."""

    status = 400
    code = "invalid_webhook"


class PaymentDeclined(DomainError):
    """The card was refused; the tenant can try another one."""

    status = 402
    code = "payment_declined"

    def __init__(self, message: str, decline_code: str | None, payment_intent_id: str | None):
        super().__init__(message)
        self.decline_code = decline_code
        self.payment_intent_id = payment_intent_id


class GatewayError(DomainError):
    """The gateway refused or could not be reached; nothing was done there."""

    status = 502
    code = "payment_gateway_error"


#: currencies whose Stripe minor units differ from ISO 4217's (see above): pay them by bank
CARD_UNSUPPORTED_CURRENCIES = frozenset({"ISK", "BHD", "JOD", "KWD", "OMR", "TND"})


@dataclass(frozen=True)
class PaymentIntentRef:
    id: str
    client_secret: str
    status: str
    charge_id: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class OnboardingLink:
    account_id: str
    url: str

    def __iter__(self):
        """Unpacks as (account_id, url)."""
        return iter((self.account_id, self.url))


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    object: dict[str, Any] = field(hash=False)
    created: int


class PaymentGateway(Protocol):
    def create_customer(self, organization_id: int, name: str, email: str) -> str: ...

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
        """Without a payment method the tenant's browser confirms with the client secret
        (with `save_card`, the card is kept for charges while the tenant is away); with one
        (a saved card) it is charged at once, off-session."""
        ...

    def refund(self, payment_intent_id: str, amount_minor: int, idempotency_key: str) -> str: ...

    def cancel_charge(self, payment_intent_id: str, idempotency_key: str) -> bool:
        """Withdraw a charge the payer has not confirmed; False when it is too late (the card
        was confirmed meanwhile)."""
        ...

    def release_to_owner(
        self,
        connected_account_id: str,
        amount_minor: int,
        currency: str,
        booking_id: int,
        source_charge_id: str,
        idempotency_key: str,
    ) -> str: ...

    def reverse_release(self, transfer_id: str, amount_minor: int, idempotency_key: str) -> str: ...

    def onboarding_link(
        self,
        organization_id: int,
        existing_account_id: str | None,
        return_url: str,
        refresh_url: str,
    ) -> OnboardingLink: ...

    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent: ...
