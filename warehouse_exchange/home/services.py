"""What waits for each role on its home page: one read-only function per role, each returning a
small dataclass of counts and the first few items. Every block costs a COUNT and one short
query with its relations loaded up front, however many rows there are."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..bookings.models import Booking
from ..disputes.models import Dispute
from ..disputes.rules import UNRESOLVED_STATES
from ..escrow.models import PaymentInstalment, Refund, ReleaseInstalment
from ..escrow.payments import PAID_IN_KINDS
from ..escrow.payouts import PayoutDue, payouts_due
from ..escrow.queries import Earnings, owner_earnings
from ..escrow.rules import instalment_reference, payment_reference
from ..extensions import db
from ..ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from ..listings.models import Listing
from ..money import Money
from ..permissions import require_operator, require_user
from ..scheduler.models import JobRun
from ..shipments.models import CheckIn, Shipment
from ..transfers.models import Transfer
from ..transfers.rules import OPEN_STATES as OPEN_TRANSFER_STATES
from ..trust.models import VerificationRequest
from ..warehouses.models import Warehouse

#: how many items of each block a home page lists; the count says how many there are
TOP = 5
#: lease states that hold the listing's space (paid)
PAID_STATES = ("confirmed", "active")
#: lease states in which the tenant still pays instalments
PAYING_STATES = ("accepted", "confirmed", "active")

T = TypeVar("T")


@dataclass(frozen=True)
class Queue(Generic[T]):
    """How many there are, and the first few of them."""

    count: int
    items: list[T] = field(default_factory=list)


def _queue(query: Select, *order, options=()) -> Queue:
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if not count:
        return Queue(0, [])
    items = db.session.scalars(query.options(*options).order_by(*order).limit(TOP)).unique()
    return Queue(count, list(items))


# --- owner


@dataclass(frozen=True)
class UnitOccupancy:
    """The owner's active listings of one unit: how many units they offer, how many are
    leased today."""

    unit: str
    listings: int
    offered: int
    leased: int


@dataclass(frozen=True)
class OwnerHome:
    requests: Queue[Booking]
    #: transfers of leases at the owner's listings whose taker waits for the owner's consent
    transfers_to_approve: Queue[Transfer]
    arrivals: Queue[Shipment]
    late_arrivals: int
    occupancy: list[UnitOccupancy]
    earnings: list[Earnings]
    next_releases: list[ReleaseInstalment]


def _owned(organization_id: int):
    return Warehouse.organization_id == organization_id


def _owner_bookings(organization_id: int) -> Select:
    return (
        select(Booking.id)
        .join(Listing, Listing.id == Booking.listing_id)
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .where(_owned(organization_id))
    )


def _late(today: date):
    return and_(Shipment.arrived_at.is_(None), Shipment.expected_arrival < today)


def owner_home(actor: User, today: date) -> OwnerHome:
    organization_id = require_user(actor).organization_id
    requests = select(Booking).where(
        Booking.state == "requested", Booking.id.in_(_owner_bookings(organization_id))
    )
    to_approve = select(Transfer).where(
        Transfer.state == "requested",
        Transfer.consent_required.is_(True),
        Transfer.booking_id.in_(_owner_bookings(organization_id)),
    )
    arrivals = _inbound(organization_id)
    late = db.session.scalar(
        select(func.count()).select_from(arrivals.where(_late(today)).subquery())
    )
    return OwnerHome(
        requests=_queue(
            requests,
            Booking.expires_at,
            Booking.id,
            options=[joinedload(Booking.listing), joinedload(Booking.tenant)],
        ),
        transfers_to_approve=_queue(
            to_approve,
            Transfer.effective_date,
            Transfer.id,
            options=[joinedload(Transfer.listing), joinedload(Transfer.taker)],
        ),
        arrivals=_queue(
            arrivals,
            case((_late(today), 0), else_=1),
            Shipment.expected_arrival,
            Shipment.id,
            options=[joinedload(Shipment.booking).joinedload(Booking.listing)],
        ),
        late_arrivals=late or 0,
        occupancy=_occupancy(organization_id, today),
        earnings=owner_earnings(actor),
        next_releases=_next_releases(organization_id),
    )


def _inbound(organization_id: int) -> Select:
    """Shipments on their way to the owner's warehouses that are not checked in yet."""
    checked_in = select(CheckIn.shipment_id)
    return select(Shipment).where(
        Shipment.booking_id.in_(_owner_bookings(organization_id)),
        Shipment.booking_id.in_(select(Booking.id).where(Booking.state.in_(PAID_STATES))),
        Shipment.id.not_in(checked_in),
    )


def _occupancy(organization_id: int, today: date) -> list[UnitOccupancy]:
    offered = db.session.execute(
        select(Listing.unit, func.count(Listing.id), func.sum(Listing.quantity))
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .where(_owned(organization_id), Listing.status == "active")
        .group_by(Listing.unit)
    ).all()
    leased = dict(
        db.session.execute(
            select(Listing.unit, func.sum(Booking.quantity))
            .join(Listing, Listing.id == Booking.listing_id)
            .join(Warehouse, Warehouse.id == Listing.warehouse_id)
            .where(
                _owned(organization_id),
                Booking.state.in_(PAID_STATES),
                Booking.start_date <= today,
                Booking.end_date >= today,
            )
            .group_by(Listing.unit)
        ).all()
    )
    return [
        UnitOccupancy(unit, count, int(total or 0), int(leased.get(unit) or 0))
        for unit, count, total in sorted(offered)
    ]


def _next_releases(organization_id: int) -> list[ReleaseInstalment]:
    query = (
        select(ReleaseInstalment)
        .join(Booking, Booking.id == ReleaseInstalment.booking_id)
        .where(
            ReleaseInstalment.released_at.is_(None),
            ReleaseInstalment.booking_id.in_(_owner_bookings(organization_id)),
            Booking.state.in_(PAID_STATES),
        )
        .options(joinedload(ReleaseInstalment.booking).joinedload(Booking.tenant))
        .order_by(ReleaseInstalment.due_on, ReleaseInstalment.id)
        .limit(TOP)
    )
    return list(db.session.scalars(query).unique())


# --- exporter


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
        select(func.count()).select_from(shipments.where(_late(today)).subquery())
    )
    return ExporterHome(
        payments=_payments_due(organization_id),
        leases=_queue(
            leases,
            Booking.start_date,
            Booking.id,
            options=[joinedload(Booking.listing).joinedload(Listing.warehouse)],
        ),
        shipments=_queue(
            shipments,
            case((_late(today), 0), else_=1),
            Shipment.expected_arrival,
            Shipment.id,
            options=[joinedload(Shipment.booking).joinedload(Booking.listing)],
        ),
        late_shipments=late or 0,
        transfers=_queue(
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
    queue = _queue(
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


# --- operator


@dataclass(frozen=True)
class OperatorHome:
    #: accepted bookings waiting for the tenant's money
    awaiting_money: Queue[Booking]
    #: lease transfers waiting for the taker's money
    transfers_awaiting_money: Queue[Transfer]
    disputes: Queue[Dispute]
    verifications: Queue[VerificationRequest]
    refunds: Queue[Refund]
    payouts: Queue[PayoutDue]
    failed_jobs: list[JobRun]


def operator_home(actor: User) -> OperatorHome:
    require_operator(actor)
    payable = or_(
        Transfer.state == "owner_approved",
        and_(Transfer.state == "requested", Transfer.consent_required.is_(False)),
    )
    payouts = payouts_due(actor)
    return OperatorHome(
        awaiting_money=_queue(
            select(Booking).where(Booking.state == "accepted"),
            Booking.expires_at,
            Booking.id,
            options=[joinedload(Booking.tenant)],
        ),
        transfers_awaiting_money=_queue(
            select(Transfer).where(payable),
            Transfer.effective_date,
            Transfer.id,
            options=[joinedload(Transfer.taker)],
        ),
        disputes=_queue(
            select(Dispute).where(Dispute.state.in_(UNRESOLVED_STATES)),
            Dispute.review_by,
            Dispute.id,
        ),
        verifications=_queue(
            select(VerificationRequest).where(VerificationRequest.state == "pending"),
            VerificationRequest.submitted_at,
            VerificationRequest.id,
            options=[joinedload(VerificationRequest.organization)],
        ),
        refunds=_queue(
            select(Refund).where(Refund.state == "due"),
            Refund.created_at,
            Refund.id,
            options=[joinedload(Refund.payee)],
        ),
        payouts=Queue(len(payouts), payouts[:TOP]),
        failed_jobs=_failed_jobs(),
    )


def _failed_jobs() -> list[JobRun]:
    """The latest run of each job, where that run failed (in whole or for some items)."""
    newest = select(func.max(JobRun.id)).group_by(JobRun.job)
    return list(
        db.session.scalars(
            select(JobRun)
            .where(JobRun.id.in_(newest), or_(JobRun.error != "", JobRun.failed_items > 0))
            .order_by(JobRun.job)
        )
    )


# --- every role at once


@dataclass(frozen=True)
class Home:
    owner: OwnerHome | None = None
    exporter: ExporterHome | None = None
    operator: OperatorHome | None = None


def home(actor: User | None, today: date) -> Home:
    """The blocks of every role the actor has: an organization that owns warehouses and
    rents space sees both."""
    actor = require_user(actor)
    if actor.is_operator:
        return Home(operator=operator_home(actor))
    organization = actor.organization
    return Home(
        owner=owner_home(actor, today) if organization.owns_warehouses else None,
        exporter=exporter_home(actor, today) if organization.rents_space else None,
    )
