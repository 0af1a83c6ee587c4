"""The exporter's home: payments due, leases, shipments on their way and open transfers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..bookings.models import Booking
from ..escrow.models import PaymentInstalment
from ..escrow.payments import PAID_IN_KINDS
from ..escrow.rules import instalment_reference, payment_reference
from ..extensions import db
from ..ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from ..listings.models import Listing
from ..money import Money
from ..permissions import require_user
from ..shipments.models import Shipment
from ..transfers.models import Transfer
from ..transfers.rules import OPEN_STATES as OPEN_TRANSFER_STATES
from .blocks import PAID_STATES, Queue, arriving_late, queue_of

#: lease states in which the tenant still pays instalments
PAYING_STATES = ("accepted", "confirmed", "active")


@dataclass(frozen=True)
class PaymentDue:
    booking: Booking
    sequence: int
    due_on: date
    #: what is still to pay of this instalment (a part payment counts towards it)
    amount: Money
    reference: str


@dataclass(frozen=True)
class ExporterHome:
    payments: Queue[PaymentDue]
    leases: Queue[Booking]
    shipments: Queue[Shipment]
    late_shipments: int
    transfers: Queue[Transfer]


def exporter_home(actor: User, today: date) -> ExporterHome:
    organization_id = require_user(actor).organization_id
    leases = select(Booking).where(
        Booking.tenant_id == organization_id,
        Booking.state.in_(("accepted", *PAID_STATES)),
        Booking.end_date >= today,
    )
    shipments = (
        select(Shipment)
        .join(Booking, Booking.id == Shipment.booking_id)
        .where(Booking.tenant_id == organization_id, Shipment.arrived_at.is_(None))
    )
    transfers = select(Transfer).where(
        or_(Transfer.tenant_id == organization_id, Transfer.taker_id == organization_id),
        Transfer.state.in_(OPEN_TRANSFER_STATES),
    )
    late = db.session.scalar(
        select(func.count()).select_from(shipments.where(arriving_late(today)).subquery())
    )
    return ExporterHome(
        payments=_payments_due(organization_id),
        leases=queue_of(
            leases,
            Booking.start_date,
            Booking.id,
            options=[joinedload(Booking.listing).joinedload(Listing.warehouse)],
        ),
        shipments=queue_of(
            shipments,
            case((arriving_late(today), 0), else_=1),
            Shipment.expected_arrival,
            Shipment.id,
            options=[joinedload(Shipment.booking).joinedload(Booking.listing)],
        ),
        late_shipments=late or 0,
        transfers=queue_of(
            transfers,
            Transfer.effective_date,
            Transfer.id,
            options=[joinedload(Transfer.listing), joinedload(Transfer.tenant)],
        ),
    )


def _payments_due(organization_id: int) -> Queue[PaymentDue]:
    """Each lease's first instalment not yet paid (nor covered by the reserve), the earliest
    due first."""
    unpaid = (
        select(PaymentInstalment)
        .join(Booking, Booking.id == PaymentInstalment.booking_id)
        .where(
            Booking.tenant_id == organization_id,
            Booking.state.in_(PAYING_STATES),
            PaymentInstalment.outstanding(),
        )
    )
    first = unpaid.with_only_columns(func.min(PaymentInstalment.id)).group_by(
        PaymentInstalment.booking_id
    )
    queue = queue_of(
        select(PaymentInstalment).where(PaymentInstalment.id.in_(first)),
        PaymentInstalment.due_on,
        PaymentInstalment.id,
        options=[joinedload(PaymentInstalment.booking).joinedload(Booking.listing)],
    )
    return Queue(queue.count, _with_amounts_left(queue.items))


def _with_amounts_left(instalments: list[PaymentInstalment]) -> list[PaymentDue]:
    """What is left of each instalment: money in beyond the instalments before it pays it in
    part. Two queries for all the bookings listed."""
    booking_ids = [instalment.booking_id for instalment in instalments]
    paid = _paid_in(booking_ids)
    owed_before: dict[int, int] = defaultdict(int)
    earlier = db.session.execute(
        select(PaymentInstalment.booking_id, PaymentInstalment.sequence,
               PaymentInstalment.amount_minor)
        .where(PaymentInstalment.booking_id.in_(booking_ids),
               PaymentInstalment.cancelled_at.is_(None))
    )  # fmt: skip
    limits = {instalment.booking_id: instalment.sequence for instalment in instalments}
    for booking_id, sequence, amount in earlier:
        if sequence < limits[booking_id]:
            owed_before[booking_id] += amount
    return [
        PaymentDue(
            booking=instalment.booking,
            sequence=instalment.sequence,
            due_on=instalment.due_on,
            amount=_left_to_pay(instalment, owed_before[instalment.booking_id],
                                paid.get(instalment.booking_id, 0)),
            reference=_reference(instalment),
        )
        for instalment in instalments
    ]  # fmt: skip


def _left_to_pay(instalment: PaymentInstalment, owed_before: int, paid: int) -> Money:
    """Money paid beyond the instalments before this one counts towards it."""
    left = owed_before + instalment.amount_minor - paid
    return Money(min(instalment.amount_minor, max(0, left)), instalment.currency)


def _reference(instalment: PaymentInstalment) -> str:
    if instalment.sequence == 1:
        return payment_reference(instalment.booking_id)
    return instalment_reference(instalment.booking_id, instalment.sequence)


def _paid_in(booking_ids: list[int]) -> dict[int, int]:
    """Everything paid into escrow per booking (as escrow.payments.paid_minor, grouped)."""
    if not booking_ids:
        return {}
    rows = db.session.execute(
        select(LedgerEntry.booking_id, func.sum(LedgerEntry.amount_minor))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerEntry.booking_id.in_(booking_ids),
            LedgerTransaction.kind.in_(PAID_IN_KINDS),
            LedgerAccount.kind == "tenant_escrow",
            LedgerEntry.amount_minor > 0,
        )
        .group_by(LedgerEntry.booking_id)
    )
    return {booking_id: int(total or 0) for booking_id, total in rows}
