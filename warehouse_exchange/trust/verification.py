"""Use cases of verification: an organization asks with its registration and documents; an
operator approves (the organization is verified) or rejects it with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import normalize_email
from ..audit.services import record
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import store_upload
from ..notifications.messages import Message
from ..notifications.services import notify
from ..permissions import require_operator, require_user
from ..unit_of_work import locked_row, use_case
from ..validation import require_country, require_text
from .credit import rate
from .models import VerificationRequest

MAX_DOCUMENTS = 5


class VerificationNotPending(Conflict):
    pass


@dataclass(frozen=True)
class VerificationData:
    registration_number: str
    registration_country: str
    address: str
    contact_name: str
    contact_email: str
    contact_phone: str = ""
    #: (file name, bytes) of each document, as uploaded
    documents: list[tuple[str, bytes]] = field(default_factory=list)


def _require_admin(actor: User | None) -> User:
    actor = require_user(actor)
    if actor.organization is None or actor.role != "admin":
        raise Forbidden("Only an organization admin can ask for verification.")
    return actor


def _check_documents(documents: list) -> None:
    if not documents:
        raise InvalidInput(
            "Attach at least one document.",
            {"documents": "A register extract or licence, as an image or a PDF."},
        )
    if len(documents) > MAX_DOCUMENTS:
        raise InvalidInput(
            f"Attach at most {MAX_DOCUMENTS} documents.", {"documents": "Too many files."}
        )


def _open_request(organization_id: int) -> VerificationRequest | None:
    return db.session.scalar(
        select(VerificationRequest).where(
            VerificationRequest.organization_id == organization_id,
            VerificationRequest.state == "pending",
        )
    )


@use_case
def request_verification(
    actor: User | None, data: VerificationData, now: datetime
) -> VerificationRequest:
    actor = _require_admin(actor)
    if actor.organization.verified:
        raise Conflict("Your organization is already verified.")
    if _open_request(actor.organization_id) is not None:
        raise Conflict("Your organization's verification request is waiting for an operator.")
    request = VerificationRequest(
        organization_id=actor.organization_id,
        registration_number=require_text(data.registration_number, "registration_number", 60),
        registration_country=require_country(data.registration_country, "registration_country"),
        address=require_text(data.address, "address", 300),
        contact_name=require_text(data.contact_name, "contact_name", 120),
        contact_email=normalize_email(data.contact_email, "contact_email"),
        contact_phone=require_text(data.contact_phone, "contact_phone", 40, required=False),
        state="pending",
        submitted_by=actor,
        submitted_at=now,
    )
    _check_documents(data.documents)
    request.documents = [
        store_upload(actor, name, content, field="documents") for name, content in data.documents
    ]
    db.session.add(request)
    db.session.commit()
    return request


def get_verification(actor: User | None, request_id: int) -> VerificationRequest:
    """A request, for operators and for the members of its organization."""
    actor = require_user(actor)
    request = db.session.get(VerificationRequest, request_id)
    if request is None or not (
        actor.is_operator or actor.organization_id == request.organization_id
    ):
        raise NotFound("No such verification request.")
    return request


def verification_document(actor: User | None, request_id: int, file_id: int) -> StoredFile:
    request = get_verification(actor, request_id)
    for document in request.documents:
        if document.id == file_id:
            return document
    raise NotFound("No such document.")


def latest_verification(actor: User | None) -> VerificationRequest | None:
    actor = require_user(actor)
    return db.session.scalar(
        select(VerificationRequest)
        .where(VerificationRequest.organization_id == actor.organization_id)
        .order_by(VerificationRequest.submitted_at.desc(), VerificationRequest.id.desc())
        .limit(1)
    )


def pending_verifications(actor: User | None) -> list[VerificationRequest]:
    require_operator(actor)
    return list(
        db.session.scalars(
            select(VerificationRequest)
            .where(VerificationRequest.state == "pending")
            .order_by(VerificationRequest.submitted_at, VerificationRequest.id)
        )
    )


def _decide(actor, request_id: int, state: str, reason: str, now: datetime):
    actor = require_operator(actor)
    if db.session.get(VerificationRequest, request_id) is None:
        raise NotFound("No such verification request.")
    request = locked_row(select(VerificationRequest).where(VerificationRequest.id == request_id))
    if request.state != "pending":
        raise VerificationNotPending(f"This request was already {request.state}.")
    request.state, request.decision_reason = state, reason
    request.decided_by, request.decided_at = actor, now
    action = "verification.approve" if state == "approved" else "verification.reject"
    after = {"state": state, "reason": reason, "organization_id": request.organization_id}
    record(actor, action, "verification_request", request.id, {"state": "pending"}, after, now)
    return request


@use_case
def approve_verification(
    actor: User | None, request_id: int, note: str, now: datetime
) -> VerificationRequest:
    note = require_text(note, "note", 500, required=False)
    request = _decide(actor, request_id, "approved", note, now)
    request.organization.verified = True
    rate(request.organization, now)
    _tell(request, "Your organization is verified",
          "An operator checked your registration: your profile, warehouses and listings now"
          " carry the verified badge.", now)  # fmt: skip
    db.session.commit()
    return request


@use_case
def reject_verification(
    actor: User | None, request_id: int, reason: str, now: datetime
) -> VerificationRequest:
    reason = require_text(reason, "reason", 500)
    request = _decide(actor, request_id, "rejected", reason, now)
    _tell(request, "Your verification request was rejected",
          f"Reason: {reason}. Correct it and ask again.", now)  # fmt: skip
    db.session.commit()
    return request


def _tell(request: VerificationRequest, subject: str, body: str, now: datetime) -> None:
    notify(
        request.organization_id,
        Message("verification_decided", subject, body),
        "/trust/verification",
        f"verification:{request.id}",
        now,
    )
