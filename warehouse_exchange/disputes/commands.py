"""Use cases that change disputes: a party opens one (freezing the booking's escrow), the
parties and operators write in its thread, the opener may withdraw it, an operator takes and
decides it; with the checks they make and the locks they take."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..audit.services import record
from ..bookings.commands import lock_booking
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..errors import Conflict, Forbidden, InvalidInput, TooManyRequests
from ..extensions import db
from ..files.services import store_upload
from ..money import MAX_AMOUNT_MINOR, require_currency
from ..permissions import require_operator, require_user
from ..unit_of_work import locked_row, use_case
from ..validation import require_int, require_text
from . import settlement
from .models import Dispute, DisputeMessage, unresolved_dispute_id
from .queries import booking_parties, get_dispute
from .rules import (
    CATEGORIES,
    DISPUTABLE_BOOKING_STATES,
    DISPUTE_MACHINE,
    MAX_TEXT,
    DisputeState,
    deadlines,
    loser,
)
from .signals import (
    dispute_decided,
    dispute_message_added,
    dispute_opened,
    dispute_withdrawn,
)

MAX_FILES = 5


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class DisputeData:
    category: str
    description: str
    claimed_minor: int
    currency: str
    files: list[Upload] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    tenant_share_minor: int
    owner_share_minor: int
    reserve_payout_minor: int
    currency: str
    reasons: str


def audit_snapshot(dispute: Dispute) -> dict:
    """The fields an operator's action changes, for the audit log."""
    return {
        "state": dispute.state,
        "taken_by_id": dispute.taken_by_id,
        "escalated_at": dispute.escalated_at.isoformat() if dispute.escalated_at else None,
        "frozen_minor": dispute.frozen_minor,
        "tenant_share_minor": dispute.tenant_share_minor,
        "owner_share_minor": dispute.owner_share_minor,
        "reserve_payout_minor": dispute.reserve_payout_minor,
        "currency": dispute.currency,
        "lost_by_org_id": dispute.lost_by_org_id,
    }


def _check_files(files: list[Upload], field_name: str) -> None:
    if len(files) > MAX_FILES:
        raise InvalidInput(
            f"At most {MAX_FILES} files at once.", {field_name: f"At most {MAX_FILES} files."}
        )


def _check_evidence(files: list[Upload], field_name: str) -> None:
    if not files:
        raise InvalidInput(
            f"Attach at least one file as `{field_name}`: an image or a PDF.",
            {field_name: "Choose at least one file."},
        )
    _check_files(files, field_name)


class ThreadTooBusy(TooManyRequests):
    code = "too_many_messages"


def _check_message_rate(dispute: Dispute, actor: User, now: datetime) -> None:
    """A party writes at most DISPUTE_MESSAGES_PER_HOUR messages in one thread in any hour,
    counted in the database (under the dispute's row lock) so that the limit holds however
    many processes serve the party. Operators mediate and are not limited."""
    if actor.is_operator:
        return
    limit = current_app.config["DISPUTE_MESSAGES_PER_HOUR"]
    window = timedelta(hours=1)
    recent = db.session.scalars(
        select(DisputeMessage.created_at)
        .where(
            DisputeMessage.dispute_id == dispute.id,
            DisputeMessage.organization_id == actor.organization_id,
            DisputeMessage.created_at > now - window,
        )
        .order_by(DisputeMessage.created_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return
    wait = math.ceil((recent[-1] + window - now).total_seconds())
    raise ThreadTooBusy(
        f"Your organization has written {limit} messages in dispute #{dispute.id} within the"
        f" last hour, the most allowed; you can write again in {math.ceil(wait / 60)} min.",
        wait,
    )


def _check_claim(data: DisputeData, booking: Booking) -> tuple[str, str, int]:
    if data.category not in CATEGORIES:
        raise InvalidInput("Choose a category.", {"category": "Not a known category."})
    description = require_text(data.description, "description", MAX_TEXT)
    amount = require_int(data.claimed_minor, "claimed", minimum=0, maximum=MAX_AMOUNT_MINOR)
    if require_currency(data.currency) != booking.currency:
        raise InvalidInput(
            f"Booking {booking.id} is billed in {booking.currency}.",
            {"currency": f"Must be {booking.currency}."},
        )
    _check_files(data.files, "files")
    return data.category, description, amount


def _check_disputable(booking: Booking) -> None:
    if booking.state not in DISPUTABLE_BOOKING_STATES:
        raise Conflict(
            f"Booking {booking.id} is {booking.state}; only paid leases can be disputed."
        )
    unresolved = unresolved_dispute_id(booking.id)
    if unresolved is not None:
        raise Conflict(f"Booking {booking.id} already has an open dispute (#{unresolved}).")


@use_case
def open_dispute(actor: User, booking_id: int, data: DisputeData, now: datetime) -> Dispute:
    """A party to a paid lease claims something: the booking's escrow is frozen, and the other
    party is told and has DISPUTE_RESPONSE_DAYS to answer."""
    booking = get_booking(require_user(actor), booking_id)
    tenant, owner = booking_parties(booking)
    if actor.organization_id not in (tenant, owner):
        raise Forbidden("Only the tenant or the owner of a booking can open a dispute on it.")
    booking = lock_booking(booking.id)  # one opener at a time; the unique index backs it
    _check_disputable(booking)
    category, description, claimed = _check_claim(data, booking)
    config = current_app.config
    respond_by, review_by = deadlines(
        now, config["DISPUTE_RESPONSE_DAYS"], config["DISPUTE_REVIEW_DAYS"]
    )
    dispute = Dispute(
        booking=booking,
        category=category,
        description=description,
        claimed_minor=claimed,
        currency=booking.currency,
        opened_by_id=actor.id,
        opened_by_org_id=actor.organization_id,
        against_org_id=owner if actor.organization_id == tenant else tenant,
        opened_at=now,
        respond_by=respond_by,
        review_by=review_by,
    )
    db.session.add(dispute)
    _add_message(dispute, actor, description, data.files, now, "files")
    # the receivers tell the other party at once
    DISPUTE_MACHINE.move(dispute, DisputeState.AWAITING_RESPONSE)
    dispute_opened.send(dispute, now=now)
    db.session.commit()
    return dispute


def _add_message(
    dispute: Dispute, actor: User, body: str, files: list[Upload], now: datetime, field_name: str
) -> DisputeMessage:
    message = DisputeMessage(
        dispute=dispute,
        author_id=actor.id,
        organization_id=actor.organization_id,
        body=body,
        created_at=now,
    )
    db.session.add(message)
    message.files = [store_upload(actor, f.filename, f.data, field_name) for f in files]
    db.session.flush()
    return message


def _locked(actor: User, dispute_id: int) -> Dispute:
    """The dispute, visible to the actor, locked after its booking (payments lock the booking
    first too, so that the two never wait for each other in opposite orders)."""
    dispute = get_dispute(actor, dispute_id)
    lock_booking(dispute.booking_id)
    return locked_row(select(Dispute).where(Dispute.id == dispute.id))


@use_case
def add_message(
    actor: User, dispute_id: int, body: str, files: list[Upload], now: datetime
) -> DisputeMessage:
    """A party or an operator writes in the thread of an unresolved dispute. The other party's
    first reply ends its response window: the case goes to review."""
    dispute = _locked(actor, dispute_id)
    if not dispute.is_unresolved:
        raise Conflict(f"Dispute #{dispute.id} is {dispute.state}; its thread is closed.")
    body = require_text(body, "body", MAX_TEXT)
    _check_files(files, "files")
    _check_message_rate(dispute, actor, now)
    message = _add_message(dispute, actor, body, files, now, "files")
    if (
        dispute.state == DisputeState.AWAITING_RESPONSE
        and actor.organization_id == dispute.against_org_id
    ):
        DISPUTE_MACHINE.move(dispute, DisputeState.UNDER_REVIEW)
    dispute_message_added.send(message, now=now)
    db.session.commit()
    return message


def add_evidence(
    actor: User, dispute_id: int, body: str, files: list[Upload], now: datetime
) -> DisputeMessage:
    """A message whose point is its files: at least one, or nothing is written."""
    _check_evidence(files, "files")
    return add_message(actor, dispute_id, body, files, now)


@use_case
def withdraw_dispute(actor: User, dispute_id: int, now: datetime) -> Dispute:
    """The opener gives up the claim: the freeze lifts and no money moves."""
    dispute = _locked(actor, dispute_id)
    if actor.organization_id != dispute.opened_by_org_id:
        raise Forbidden("Only the party that opened a dispute can withdraw it.")
    DISPUTE_MACHINE.move(dispute, DisputeState.WITHDRAWN)
    dispute.withdrawn_at = now
    dispute_withdrawn.send(dispute, now=now)
    db.session.commit()
    return dispute


@use_case
def take_dispute(actor: User, dispute_id: int, now: datetime) -> Dispute:
    """An operator takes the case on: it is under review from now on, by them."""
    require_operator(actor)
    dispute = _locked(actor, dispute_id)
    if not dispute.is_unresolved:
        raise Conflict(f"Dispute #{dispute.id} is {dispute.state}; there is nothing to take.")
    before = audit_snapshot(dispute)
    if dispute.state != DisputeState.UNDER_REVIEW:
        DISPUTE_MACHINE.move(dispute, DisputeState.UNDER_REVIEW)
    dispute.taken_by_id, dispute.taken_at = actor.id, now
    record(actor, "dispute.take", "dispute", dispute.id, before, audit_snapshot(dispute), now)
    db.session.commit()
    return dispute


def _check_decision(dispute: Dispute, decision: Decision) -> tuple[int, int, int, str]:
    if require_currency(decision.currency) != dispute.currency:
        raise InvalidInput(
            f"Dispute #{dispute.id} is in {dispute.currency}.",
            {"currency": f"Must be {dispute.currency}."},
        )
    tenant, owner, payout = (
        require_int(value, name, minimum=0, maximum=MAX_AMOUNT_MINOR)
        for value, name in (
            (decision.tenant_share_minor, "tenant_share"),
            (decision.owner_share_minor, "owner_share"),
            (decision.reserve_payout_minor, "reserve_payout"),
        )
    )
    reasons = require_text(decision.reasons, "reasons", MAX_TEXT)
    frozen = settlement.frozen_minor(dispute.booking)
    if tenant + owner != frozen:
        frozen_text = dispute.money(frozen).format()
        raise InvalidInput(
            f"The shares must split exactly the frozen {frozen_text}, no more and no less.",
            {"tenant_share": f"Tenant and owner shares must add up to {frozen_text}."},
        )
    limit = settlement.owner_share_limit_minor(dispute.booking)
    if owner > limit:
        limit_text = dispute.money(limit).format()
        raise InvalidInput(
            f"The owner's share is at most {limit_text}, the rent escrow holds for months not yet"
            " released; the rest of the frozen escrow goes back to the tenant.",
            {"owner_share": f"At most {limit_text}."},
        )
    _check_payout(dispute, payout)
    return tenant, owner, payout, reasons


def _check_payout(dispute: Dispute, payout: int) -> None:
    if not payout:
        return
    if not settlement.reserve_may_pay(dispute):
        raise InvalidInput(
            "The guarantee reserve pays only a tenant whose owner failed to provide the space.",
            {"reserve_payout": "Only on a tenant's claim that the space was not available."},
        )
    limit = settlement.case_limit_minor(dispute.currency)
    if payout > limit:
        raise InvalidInput(
            f"The reserve pays at most {dispute.money(limit).format()} on one case.",
            {"reserve_payout": f"At most {dispute.money(limit).format()}."},
        )


@use_case
def decide_dispute(actor: User, dispute_id: int, decision: Decision, now: datetime) -> Dispute:
    """The operator's decision, executed by the ledger at once: the frozen escrow is split
    between the parties, and the guarantee reserve may pay the tenant's loss beyond it."""
    require_operator(actor)
    dispute = _locked(actor, dispute_id)
    DISPUTE_MACHINE.check(dispute.state, DisputeState.RESOLVED)
    tenant, owner, payout, reasons = _check_decision(dispute, decision)
    before = audit_snapshot(dispute)
    dispute.frozen_minor = tenant + owner
    dispute.tenant_share_minor, dispute.owner_share_minor = tenant, owner
    dispute.reserve_payout_minor, dispute.reasons = payout, reasons
    dispute.decided_at, dispute.decided_by_id = now, actor.id
    DISPUTE_MACHINE.move(dispute, DisputeState.RESOLVED)
    settlement.execute(dispute, now)
    lost = loser(dispute.frozen_minor, tenant, owner, payout)
    tenant_id, owner_id = booking_parties(dispute.booking)
    dispute.lost_by_org_id = {"tenant": tenant_id, "owner": owner_id}.get(lost)
    record(actor, "dispute.decide", "dispute", dispute.id, before, audit_snapshot(dispute), now)
    dispute_decided.send(dispute, now=now)
    db.session.commit()
    return dispute
