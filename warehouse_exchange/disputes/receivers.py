"""What disputes do when other areas act: a frozen escrow refuses the changes that would move
it and holds back its releases (escrow asks through its hooks), and the parties are told of
each step, inside the transaction of the change. Operators have no organization and so no
inbox: an escalated case comes to them at the top of their queue, flagged, and in the audit
log."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from ..bookings.models import Booking
from ..bookings.signals import booking_cancelled, lease_shortened
from ..errors import Conflict
from ..escrow.hooks import finds_settlement, freezes_escrow
from ..extensions import db
from ..notifications.messages import Message
from ..notifications.services import notify
from .models import Dispute, DisputeMessage, unresolved_dispute_id
from .rules import UNRESOLVED_STATES
from .signals import dispute_decided, dispute_escalated, dispute_message_added, dispute_opened


class EscrowFrozen(Conflict):
    """The booking's escrow is frozen by an unresolved dispute."""


@booking_cancelled.connect
@lease_shortened.connect
def refuse_while_disputed(booking: Booking, **_kw):
    """Cancelling a lease or ending it early moves its escrow, which an open dispute froze:
    the operator's decision comes first (this undoes the whole use case)."""
    unresolved = unresolved_dispute_id(booking.id)
    if unresolved is not None:
        raise EscrowFrozen(
            f"Booking {booking.id} has an open dispute (#{unresolved}); its escrow is frozen"
            " until an operator decides or the dispute is withdrawn."
        )


@freezes_escrow
def disputed(booking_id: ColumnElement[int]) -> ColumnElement[bool]:
    """An unresolved dispute freezes the booking's escrow: no release until it is decided."""
    return (
        select(Dispute.id)
        .where(Dispute.booking_id == booking_id, Dispute.state.in_(UNRESOLVED_STATES))
        .exists()
    )


@finds_settlement
def settling_dispute(booking_id: int) -> Dispute | None:
    """The latest decided dispute on the booking: its decision split what escrow held."""
    return db.session.scalar(
        select(Dispute)
        .where(Dispute.booking_id == booking_id, Dispute.decided_at.is_not(None))
        .order_by(Dispute.decided_at.desc())
        .limit(1)
    )


def _link(dispute: Dispute) -> str:
    return f"/disputes/{dispute.id}"  # a plain path: jobs run without a request


def _parties(dispute: Dispute) -> tuple[int, int]:
    return dispute.opened_by_org_id, dispute.against_org_id


@dispute_opened.connect
def tell_opened(dispute: Dispute, *, now, **_):
    message = Message(
        "dispute_opened",
        f"A dispute was opened on booking #{dispute.booking_id}",
        f"{dispute.opener.name} claims {dispute.claimed.format()} ({dispute.category_label}):"
        f" {dispute.description[:500]} The booking's escrow is frozen until an operator"
        f" decides. Answer by {dispute.respond_by:%Y-%m-%d %H:%M} UTC.",
    )
    notify(dispute.against_org_id, message, _link(dispute), f"dispute:{dispute.id}:opened", now)


@dispute_message_added.connect
def tell_message(message: DisputeMessage, *, now, **_):
    dispute = message.dispute
    author = message.author.organization.name if message.organization_id else "An operator"
    text = Message(
        "dispute_message",
        f"New message in dispute #{dispute.id}",
        f"{author} wrote: {message.body[:500]}",
    )
    for organization_id in _parties(dispute):
        if organization_id != message.organization_id:
            key = f"dispute-message:{message.id}"
            notify(organization_id, text, _link(dispute), key, now)


@dispute_decided.connect
def tell_decided(dispute: Dispute, *, now, **_):
    extra = dispute.money(dispute.reserve_payout_minor).format()
    payout = (
        f" The guarantee reserve pays the tenant {extra} more."
        if dispute.reserve_payout_minor
        else ""
    )
    text = Message(
        "dispute_decided",
        f"Dispute #{dispute.id} is decided",
        f"Of the frozen {dispute.money(dispute.frozen_minor).format()}, the tenant gets"
        f" {dispute.money(dispute.tenant_share_minor).format()} back and the owner"
        f" {dispute.money(dispute.owner_share_minor).format()}.{payout}"
        f" Reasons: {dispute.reasons[:800]}",
    )
    for organization_id in _parties(dispute):
        notify(organization_id, text, _link(dispute), f"dispute:{dispute.id}:decided", now)


@dispute_escalated.connect
def tell_escalated(dispute: Dispute, *, now, **_):
    text = Message(
        "dispute_escalated",
        f"Dispute #{dispute.id} is overdue and escalated",
        "No decision was made by the review deadline. The case is escalated to the"
        " platform's senior operators; the escrow stays frozen until they decide.",
    )
    for organization_id in _parties(dispute):
        notify(organization_id, text, _link(dispute), f"dispute:{dispute.id}:escalated", now)
