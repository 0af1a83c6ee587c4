"""What escrow shows: a booking's payments and releases, the operator's lists, an owner's
earnings and statement. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..accounts.models import User
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..extensions import db
from ..ledger import services as ledger
from ..listings.models import Listing
from ..money import Money
from ..pagination import Page, paginate
from ..permissions import require_operator, require_user
from ..warehouses.models import Warehouse
from .hooks import Settlement, settlement_of
from .models import BankReceipt, CardPayment, PaymentInstalment, Refund, ReleaseInstalment
from .payments import next_payment, owed_minor, paid_minor, scheduled_payments
from .releases import booking_releases
from .rules import payment_reference


@dataclass(frozen=True)
class EscrowSummary:
    booking_id: int
    reference: str
    total: Money
    paid: Money
    outstanding: Money
    in_escrow: Money
    released: Money
    refunded: Money
    instalments: list[ReleaseInstalment]
    refunds: list[Refund]
    receipts: list[BankReceipt]
    card_payments: list[CardPayment]
    payment_plan: str = "upfront"
    #: what the tenant pays, by when: one instalment up front, or one per month
    payments: list[PaymentInstalment] = ()
    #: the first instalment not yet paid, and what pays it
    next_instalment: PaymentInstalment | None = None
    next_amount: Money | None = None
    #: the day the payment statuses are judged on
    as_of: date | None = None
    #: the decision (of a dispute) that settled what escrow still held, if any
    settled_by: Settlement | None = None

    @property
    def decline_message(self) -> str:
        """Why the newest card payment failed, while no later one is under way."""
        latest = self.card_payments[-1] if self.card_payments else None
        return latest.decline_message if latest and latest.status == "failed" else ""


def escrow_summary(actor: User, booking_id: int, today: date | None = None) -> EscrowSummary:
    """What was paid for a booking, what escrow still holds, and what went where."""
    booking = get_booking(actor, booking_id)
    currency = booking.currency
    balances = ledger.booking_balances(booking.id)
    paid = paid_minor(booking.id)
    refunds = list(
        db.session.scalars(
            select(Refund).where(
                Refund.booking_id == booking.id, Refund.payee_id == booking.tenant_id
            )
        )
    )
    payments = scheduled_payments(booking.id)
    upcoming, next_amount = next_payment(payments, paid)
    return EscrowSummary(
        settled_by=settlement_of(booking.id),
        payment_plan=booking.payment_plan,
        payments=payments,
        next_instalment=upcoming,
        next_amount=Money(next_amount, currency),
        as_of=today,
        booking_id=booking.id,
        reference=payment_reference(booking.id),
        total=booking.money(booking.total_minor),
        paid=Money(paid, currency),
        outstanding=Money(max(0, owed_minor(booking) - paid), currency),
        in_escrow=ledger.balance(ledger.escrow(booking.tenant_id, currency), booking.id),
        released=Money(
            balances.get("owner_payable", 0) + balances.get("owner_paid_out", 0), currency
        ),
        refunded=Money(sum(r.amount_minor for r in refunds if r.state == "sent"), currency),
        instalments=booking_releases(booking.id),
        refunds=refunds,
        receipts=list(
            db.session.scalars(
                select(BankReceipt)
                .where(BankReceipt.booking_id == booking.id)
                .order_by(BankReceipt.id)
            )
        ),
        card_payments=list(
            db.session.scalars(
                select(CardPayment)
                .where(CardPayment.booking_id == booking.id)
                .order_by(CardPayment.id)
            )
        ),
    )


def refunds_due(actor: User) -> list[Refund]:
    require_operator(actor)
    return list(db.session.scalars(select(Refund).where(Refund.state == "due").order_by(Refund.id)))


def recent_receipts(actor: User, limit: int = 20) -> list[BankReceipt]:
    require_operator(actor)
    return list(
        db.session.scalars(select(BankReceipt).order_by(BankReceipt.id.desc()).limit(limit))
    )


def platform_totals(actor: User) -> list[tuple[str, str, Money]]:
    """Every account kind summed per currency (gateway clearing per gateway)."""
    require_operator(actor)
    return ledger.platform_balances()


@dataclass(frozen=True)
class Earnings:
    currency: str
    pending: Money
    released: Money
    paid_out: Money


def owned_booking_ids(organization_id: int):
    return (
        select(Booking.id)
        .join(Listing, Listing.id == Booking.listing_id)
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .where(Warehouse.organization_id == organization_id)
    )


def owner_earnings(actor: User) -> list[Earnings]:
    """Per currency: the owner's share still in escrow for paid leases, what was released to
    the owner, and what was paid out."""
    organization_id = require_user(actor).organization_id
    pending = dict(
        db.session.execute(
            select(ReleaseInstalment.currency, func.sum(ReleaseInstalment.amount_minor))
            .join(Booking, Booking.id == ReleaseInstalment.booking_id)
            .where(
                ReleaseInstalment.released_at.is_(None),
                ReleaseInstalment.booking_id.in_(owned_booking_ids(organization_id)),
                Booking.state.in_(("confirmed", "active", "completed")),
            )
            .group_by(ReleaseInstalment.currency)
        ).all()
    )
    balances = {
        (kind, money.currency): money
        for kind, money in ledger.organization_balances(organization_id)
    }
    currencies = sorted(set(pending) | {currency for _, currency in balances})
    return [
        Earnings(
            currency,
            Money(int(pending.get(currency, 0)), currency),
            balances.get(("owner_payable", currency), Money(0, currency)),
            balances.get(("owner_paid_out", currency), Money(0, currency)),
        )
        for currency in currencies
        if pending.get(currency) or ("owner_payable", currency) in balances
    ]


def owner_instalments(actor: User, page: int, per_page: int) -> Page[ReleaseInstalment]:
    """The release schedule of every paid lease of the owner: what was released, then what
    is still to come, each by date."""
    organization_id = require_user(actor).organization_id
    query = (
        select(ReleaseInstalment)
        .where(ReleaseInstalment.booking_id.in_(owned_booking_ids(organization_id)))
        .order_by(
            ReleaseInstalment.released_at.is_(None),
            ReleaseInstalment.due_on,
            ReleaseInstalment.id,
        )
    )
    return paginate(query, page, per_page)


def organization_statement(actor: User) -> list[ledger.StatementLine]:
    return ledger.statement(require_user(actor).organization_id)


def organization_balances(actor: User) -> list[tuple[str, Money]]:
    return ledger.organization_balances(require_user(actor).organization_id)
