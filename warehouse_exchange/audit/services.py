"""Writing the audit log (inside the caller's unit of work) and reading it (operators only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..models_base import utcnow
from ..pagination import Page, paginate
from ..permissions import require_operator
from .models import AuditEntry


def record(
    actor: User | None,
    action: str,
    subject_type: str,
    subject_id: int,
    before: dict | None,
    after: dict | None,
    now: datetime | None,
) -> AuditEntry:
    """Add the action to the log; it commits (or not) with the change it describes. Without
    `now` (a use case that takes no time), the database's clock stamps it."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        before=before,
        after=after,
        at=now or utcnow(),
    )
    db.session.add(entry)
    return entry


def audit_log(
    actor: User, page: int, per_page: int, subject_type: str = "", subject_id: int | None = None
) -> Page[AuditEntry]:
    """The newest entries first, optionally those of one subject."""
    require_operator(actor)
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if subject_type:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    return paginate(query, page, per_page)


def last_suspension_reason(user: User) -> str | None:
    """Why the operators suspended `user`, while suspended."""
    if user.active:
        return None
    entry = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == user.id,
               AuditEntry.action == "user.suspend")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )  # fmt: skip
    return (entry.after or {}).get("reason") if entry else None
