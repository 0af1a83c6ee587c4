"""The guarantee reserve's own money: besides guarantee fees and owners' penalties, the
platform tops it up from its own funds, so that it can cover missed instalments and pay
dispute awards. It never goes below zero: every movement out locks it and checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..accounts.models import User
from ..audit.services import record
from ..errors import Conflict
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.models import LedgerTransaction
from ..ledger.services import Leg
from ..money import require_currency
from ..permissions import require_operator
from ..unit_of_work import use_case
from ..validation import require_int, require_text
from .rules import BANK_GATEWAY

MAX_FUNDING_MINOR = 10**13


@dataclass(frozen=True)
class FundingData:
    amount_minor: int
    currency: str
    bank_reference: str


@use_case
def fund_reserve(actor: User, data: FundingData, now: datetime) -> LedgerTransaction:
    """An operator records the platform's own transfer into the reserve, once per bank
    reference."""
    require_operator(actor)
    currency = require_currency(data.currency)
    amount = require_int(data.amount_minor, "amount", minimum=1, maximum=MAX_FUNDING_MINOR)
    reference = require_text(data.bank_reference, "bank_reference", 80)
    key = f"reserve-funding:{reference}"
    if ledger.posted(key) is not None:
        raise Conflict(f"Bank transfer {reference} is already in the reserve.")
    posting = ledger.post(
        key,
        "reserve_funding",
        [
            Leg(ledger.clearing(BANK_GATEWAY, currency), -amount),
            Leg(ledger.reserve(currency), amount),
        ],
        memo=f"The platform's transfer {reference} into the guarantee reserve",
        actor_id=actor.id,
    )
    after = {"amount_minor": amount, "currency": currency, "bank_reference": reference}
    record(actor, "reserve.fund", "ledger_transaction", posting.id, None, after, now)
    db.session.commit()
    return posting
