"""Scheduler job of disputes: a case whose response window is over goes to review, and one
still unresolved past its review deadline is escalated to the operators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from ..audit.services import record
from ..extensions import db
from ..unit_of_work import locked_row
from ..work_items import item_failed
from .commands import audit_snapshot
from .models import Dispute
from .rules import (
    DISPUTE_MACHINE,
    UNRESOLVED_STATES,
    DisputeState,
)
from .signals import (
    dispute_escalated,
)


def escalate_overdue(now: datetime) -> int:
    """The scheduler's run: a case whose response window is over goes to review, and a case
    still unresolved past its review deadline is escalated to the operators, once. Each in its
    own transaction, claimed with SKIP LOCKED so that two runners never escalate one twice."""
    due = db.session.scalars(
        select(Dispute.id)
        .where(
            Dispute.state.in_(UNRESOLVED_STATES),
            or_(
                and_(Dispute.state == DisputeState.AWAITING_RESPONSE, Dispute.respond_by <= now),
                and_(Dispute.escalated_at.is_(None), Dispute.review_by <= now),
            ),
        )
        .order_by(Dispute.id)
    ).all()
    db.session.rollback()
    changed = 0
    for dispute_id in due:
        try:
            changed += _escalate(dispute_id, now)
            db.session.commit()
        except Exception:  # one bad item must not stop the run; it is retried next time
            db.session.rollback()
            item_failed(f"Dispute {dispute_id}")
    return changed


def _escalate(dispute_id: int, now: datetime) -> int:
    dispute = locked_row(select(Dispute).where(Dispute.id == dispute_id), skip_locked=True)
    if dispute is None or not dispute.is_unresolved:
        return 0
    before, changed = audit_snapshot(dispute), 0
    if dispute.state == DisputeState.AWAITING_RESPONSE and dispute.respond_by <= now:
        DISPUTE_MACHINE.move(dispute, DisputeState.UNDER_REVIEW)
        changed = 1
    if dispute.escalated_at is None and dispute.review_by <= now:
        dispute.escalated_at = now
        record(
            None, "dispute.escalate", "dispute", dispute.id, before, audit_snapshot(dispute), now
        )
        dispute_escalated.send(dispute, now=now)
        changed = 1
    return changed
