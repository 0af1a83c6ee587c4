"""Reads of disputes: one dispute and its evidence files for the parties and operators, an
organization's disputes and the awards it won as owner, the operators' queue, and the
disputes of one booking."""

from __future__ import annotations

from sqlalchemy import or_, select

from ..accounts.models import User
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..errors import NotFound
from ..extensions import db
from ..files.models import StoredFile
from ..pagination import Page, paginate
from ..permissions import require_operator, require_user
from .models import Dispute, DisputeMessage, dispute_message_files
from .rules import (
    UNRESOLVED_STATES,
    DisputeState,
)


def booking_parties(booking: Booking) -> tuple[int, int]:
    """The tenant's and the owner's organization: the two parties of any dispute on it."""
    return booking.tenant_id, booking.owner_id


def dispute_by_id(dispute_id: int) -> Dispute:
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound("No such dispute.")
    return dispute


def get_dispute(actor: User, dispute_id: int) -> Dispute:
    """A dispute, for the booking's parties and for operators only."""
    dispute = dispute_by_id(dispute_id)
    actor = require_user(actor)
    if not actor.is_operator and actor.organization_id not in booking_parties(dispute.booking):
        raise NotFound("No such dispute.")
    return dispute


def dispute_file(actor: User, dispute_id: int, file_id: int) -> StoredFile:
    """An evidence file of the dispute's thread, for those who may read the dispute."""
    dispute = get_dispute(actor, dispute_id)
    stored = db.session.scalar(
        select(StoredFile)
        .join(dispute_message_files, dispute_message_files.c.stored_file_id == StoredFile.id)
        .join(DisputeMessage, DisputeMessage.id == dispute_message_files.c.message_id)
        .where(DisputeMessage.dispute_id == dispute.id, StoredFile.id == file_id)
    )
    if stored is None:
        raise NotFound("No such file in this dispute.")
    return stored


def my_disputes(actor: User, page: int, per_page: int) -> Page[Dispute]:
    """Disputes the actor's organization opened or has against it, the newest first."""
    organization_id = require_user(actor).organization_id
    query = (
        select(Dispute)
        .where(
            or_(
                Dispute.opened_by_org_id == organization_id,
                Dispute.against_org_id == organization_id,
            )
        )
        .order_by(Dispute.opened_at.desc(), Dispute.id.desc())
    )
    return paginate(query, page, per_page)


def owner_awards(actor: User) -> list[Dispute]:
    """Decided disputes that released part of a lease's escrow to the actor's organization as
    its owner, the newest first: money the owner's release schedule does not list."""
    organization_id = require_user(actor).organization_id
    query = (
        select(Dispute)
        .join(Booking, Booking.id == Dispute.booking_id)
        .where(
            or_(
                Dispute.opened_by_org_id == organization_id,
                Dispute.against_org_id == organization_id,
            ),
            Booking.tenant_id != organization_id,
            Dispute.state == DisputeState.RESOLVED,
            Dispute.owner_share_minor > 0,
        )
        .order_by(Dispute.decided_at.desc(), Dispute.id.desc())
    )
    return list(db.session.scalars(query))


def dispute_queue(actor: User, page: int, per_page: int, resolved: bool = False) -> Page[Dispute]:
    """Operators' queue: unresolved cases, escalated first, then the nearest deadline."""
    require_operator(actor)
    if resolved:
        query = select(Dispute).where(Dispute.state.not_in(UNRESOLVED_STATES))
        query = query.order_by(Dispute.id.desc())
    else:
        query = (
            select(Dispute)
            .where(Dispute.state.in_(UNRESOLVED_STATES))
            .order_by(Dispute.escalated_at.is_(None), Dispute.review_by, Dispute.id)
        )
    return paginate(query, page, per_page)


def disputes_of_booking(actor: User, booking_id: int) -> list[Dispute]:
    booking = get_booking(actor, booking_id)
    return list(
        db.session.scalars(
            select(Dispute).where(Dispute.booking_id == booking.id).order_by(Dispute.id)
        )
    )
