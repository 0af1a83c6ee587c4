"""Owners' released earnings leave the platform: what waits to be paid out, and the operator's
record of the bank transfer that paid it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..accounts.models import Organization, User
from ..audit.services import record
from ..errors import Conflict, NotFound
from ..extensions import db
from ..ledger import services as ledger
from ..ledger.models import LedgerAccount, LedgerEntry
from ..ledger.services import Leg
from ..money import MAX_AMOUNT_MINOR, Money, require_currency
from ..permissions import require_operator
from ..unit_of_work import use_case
from ..validation import require_int, require_text


@dataclass(frozen=True)
class PayoutDue:
    organization_id: int
    organization_name: str
    amount: Money


def payouts_due(actor: User) -> list[PayoutDue]:
    """Owners whose released earnings wait to be sent to them, per currency."""
    require_operator(actor)
    owed = db.session.execute(
        select(LedgerAccount.organization_id, Organization.name, LedgerAccount.currency,
               func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(Organization, Organization.id == LedgerAccount.organization_id)
        .where(LedgerAccount.kind == "owner_payable")
        .group_by(LedgerAccount.organization_id, Organization.name, LedgerAccount.currency)
        .having(func.sum(LedgerEntry.amount_minor) > 0)
        .order_by(Organization.name, LedgerAccount.currency)
    )  # fmt: skip
    return [
        PayoutDue(org, name, Money(int(total), currency)) for org, name, currency, total in owed
    ]


@use_case
def record_payout(
    actor: User, organization_id: int, currency: str, amount_minor: int, bank_reference: str
):
    """An operator sent an owner (part of) its released earnings by bank transfer."""
    require_operator(actor)
    currency = require_currency(currency)
    amount = require_int(amount_minor, "amount", minimum=1, maximum=MAX_AMOUNT_MINOR)
    reference = require_text(bank_reference, "bank_reference", 80)
    if db.session.get(Organization, organization_id) is None:
        raise NotFound("There is no such organization.")
    if ledger.posted(f"payout:{reference}") is not None:
        raise Conflict(f"Bank transfer {reference} is already recorded as a payout.")
    payable = ledger.payable(organization_id, currency)
    available = ledger.locked_balance(payable).amount_minor
    if amount > available:
        raise Conflict(
            f"Only {Money(max(available, 0), currency)} has been released to this owner."
        )
    posting = ledger.post(
        f"payout:{reference}",
        "payout",
        [Leg(payable, -amount), Leg(ledger.paid_out(organization_id, currency), amount)],
        memo=f"Bank transfer {reference} to the owner",
        actor_id=actor.id,
    )
    after = {"currency": currency, "amount_minor": amount, "bank_reference": reference}
    record(actor, "payout.record", "organization", organization_id, None, after, None)
    db.session.commit()
    return posting


def payable_balance(organization_id: int, currency: str) -> Money:
    return ledger.balance(ledger.payable(organization_id, require_currency(currency)))
