"""The operator's home: money awaited, disputes, verifications, refunds, payouts and failed
jobs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..adapters.clock import utc_now
from ..bookings.models import Booking
from ..disputes.models import Dispute
from ..disputes.rules import UNRESOLVED_STATES
from ..escrow.models import Refund
from ..escrow.payouts import PayoutDue, payouts_due
from ..extensions import db
from ..permissions import require_operator
from ..scheduler.models import LONGEST_RUN, UNFINISHED_GRACE, JobRun
from ..transfers.models import Transfer
from ..trust.models import VerificationRequest
from .blocks import TOP, Queue, queue_of


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
        awaiting_money=queue_of(
            select(Booking).where(Booking.state == "accepted"),
            Booking.expires_at,
            Booking.id,
            options=[joinedload(Booking.tenant)],
        ),
        transfers_awaiting_money=queue_of(
            select(Transfer).where(payable),
            Transfer.effective_date,
            Transfer.id,
            options=[joinedload(Transfer.taker)],
        ),
        disputes=queue_of(
            select(Dispute).where(Dispute.state.in_(UNRESOLVED_STATES)),
            Dispute.review_by,
            Dispute.id,
        ),
        verifications=queue_of(
            select(VerificationRequest).where(VerificationRequest.state == "pending"),
            VerificationRequest.submitted_at,
            VerificationRequest.id,
            options=[joinedload(VerificationRequest.organization)],
        ),
        refunds=queue_of(
            select(Refund).where(Refund.state == "due"),
            Refund.created_at,
            Refund.id,
            options=[joinedload(Refund.payee)],
        ),
        payouts=Queue(len(payouts), payouts[:TOP]),
        failed_jobs=_failed_jobs(),
    )


def _failed_jobs() -> list[JobRun]:
    """The latest run of each job, where that run failed (in whole or for some items) or
    never finished (its process died, and no run of that job has started since)."""
    newest = select(func.max(JobRun.id)).group_by(JobRun.job)
    lost = and_(
        JobRun.finished_at.is_(None),
        JobRun.started_at < utc_now() - (LONGEST_RUN + UNFINISHED_GRACE),
    )
    return list(
        db.session.scalars(
            select(JobRun)
            .where(JobRun.id.in_(newest), or_(JobRun.error != "", JobRun.failed_items > 0, lost))
            .order_by(JobRun.job)
        )
    )
