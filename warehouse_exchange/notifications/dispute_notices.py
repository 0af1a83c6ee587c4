"""What the parties to a dispute hear at each step, inside the transaction of the step.
Operators have no organization and so no inbox: an escalated case comes to them at the top
of their queue, flagged, and in the audit log."""

from __future__ import annotations

from ..disputes.models import Dispute, DisputeMessage
from .messages import Message
from .services import notify


def _link(dispute: Dispute) -> str:
    return f"/disputes/{dispute.id}"  # a plain path: jobs run without a request


def _parties(dispute: Dispute) -> tuple[int, int]:
    return dispute.opened_by_org_id, dispute.against_org_id


def tell_opened(dispute: Dispute, *, now, **_):
    message = Message(
        "dispute_opened",
        f"A dispute was opened on booking #{dispute.booking_id}",
        f"{dispute.opener.name} claims {dispute.claimed.format()} ({dispute.category_label}):"
        f" {dispute.description[:500]} The booking's escrow is frozen until an operator"
        f" decides. Answer by {dispute.respond_by:%Y-%m-%d %H:%M} UTC.",
    )
    notify(dispute.against_org_id, message, _link(dispute), f"dispute:{dispute.id}:opened", now)


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


def tell_escalated(dispute: Dispute, *, now, **_):
    text = Message(
        "dispute_escalated",
        f"Dispute #{dispute.id} is overdue and escalated",
        "No decision was made by the review deadline. The case is escalated to the"
        " platform's senior operators; the escrow stays frozen until they decide.",
    )
    for organization_id in _parties(dispute):
        notify(organization_id, text, _link(dispute), f"dispute:{dispute.id}:escalated", now)
