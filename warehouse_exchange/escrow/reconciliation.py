"""The gateways' own records against the ledger, for operators: what came in and went out
through the bank and the card gateway, and webhook events about payments unknown here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal, select

from ..accounts.models import User
from ..extensions import db
from ..ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from ..money import Money
from ..permissions import require_operator
from .models import BankReceipt, CardPayment, GatewayEvent, Refund, ReleaseInstalment
from .rules import BANK_GATEWAY, CARD_GATEWAY


@dataclass(frozen=True)
class ReconciliationLine:
    gateway: str
    movement: str
    recorded: Money
    ledger: Money

    @property
    def difference(self) -> Money:
        return self.recorded - self.ledger


def reconciliation(actor: User) -> list[ReconciliationLine]:
    """The gateways' own records (transfers entered from bank statements, card payments and
    refunds the gateway confirmed, transfers it made to owners) against what the ledger moved
    through each gateway. Any difference is money the books and the gateway disagree about."""
    require_operator(actor)
    lines = []
    for movement, recorded, booked in _movements():
        for gateway, currency in sorted(set(recorded) | set(booked)):
            lines.append(
                ReconciliationLine(
                    gateway,
                    movement,
                    Money(recorded.get((gateway, currency), 0), currency),
                    Money(booked.get((gateway, currency), 0), currency),
                )
            )
    return lines


def _movements():
    def summed(gateway, model, amount, *where):
        query = select(gateway, model.currency, func.sum(amount)).where(*where)
        return _recorded(query.group_by(model.currency))

    payments_in = summed(
        literal(BANK_GATEWAY),
        BankReceipt,
        BankReceipt.amount_minor,
        BankReceipt.booking_id.is_not(None),
    )
    payments_in |= summed(
        literal(CARD_GATEWAY), CardPayment, CardPayment.amount_minor,
        CardPayment.status == "succeeded", CardPayment.booking_id.is_not(None),
    )  # fmt: skip
    refunds_out = _recorded(
        select(Refund.gateway, Refund.currency, func.sum(Refund.amount_minor))
        .where(Refund.state == "sent")
        .group_by(Refund.gateway, Refund.currency)
    )
    to_owners = summed(
        literal(CARD_GATEWAY), ReleaseInstalment, ReleaseInstalment.transferred_minor,
        ReleaseInstalment.transfer_id.is_not(None),
    )  # fmt: skip
    prices_in = summed(
        literal(BANK_GATEWAY),
        BankReceipt,
        BankReceipt.amount_minor,
        BankReceipt.transfer_id.is_not(None),
    )
    prices_in |= summed(
        literal(CARD_GATEWAY), CardPayment, CardPayment.amount_minor,
        CardPayment.status == "succeeded", CardPayment.transfer_id.is_not(None),
    )  # fmt: skip
    return (
        ("payments in", payments_in, _clearing_flows("payment")),
        ("refunds out", refunds_out, _clearing_flows("refund")),
        ("transfers to owners", to_owners, _transfers_booked()),
        ("lease transfer prices in", prices_in, _clearing_flows("transfer_payment")),
    )


def _clearing_flows(kind: str) -> dict[tuple[str, str], int]:
    """Per gateway and currency, what the ledger moved through gateway clearing in postings
    of `kind`, counted positive (money in for payments, money out for refunds)."""
    rows = db.session.execute(
        select(LedgerAccount.gateway, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.kind == "gateway_clearing", LedgerTransaction.kind == kind)
        .group_by(LedgerAccount.gateway, LedgerEntry.currency)
    )
    sign = -1 if kind in ("payment", "transfer_payment") else 1
    return {(gateway, currency): sign * int(total) for gateway, currency, total in rows}


def _transfers_booked() -> dict[tuple[str, str], int]:
    """Per currency, what the ledger paid out to owners by gateway transfer."""
    rows = db.session.execute(
        select(LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerAccount.kind == "owner_paid_out",
            LedgerTransaction.kind == "payout",
            LedgerTransaction.idempotency_key.startswith("transfer:"),
        )
        .group_by(LedgerEntry.currency)
    )
    return {(CARD_GATEWAY, currency): int(total) for currency, total in rows}


def _recorded(query) -> dict[tuple[str, str], int]:
    return {
        (gateway, currency): int(total) for gateway, currency, total in db.session.execute(query)
    }


def unmatched_gateway_events(actor: User, limit: int = 50) -> list[GatewayEvent]:
    """Webhook events about payments the platform has no record of: for an operator to
    look into at the gateway."""
    require_operator(actor)
    return list(
        db.session.scalars(
            select(GatewayEvent)
            .where(GatewayEvent.outcome.like("ignored: no such payment%"))
            .order_by(GatewayEvent.received_at.desc())
            .limit(limit)
        )
    )
