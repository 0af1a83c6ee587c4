"""Use cases of accounts: registration, log-in, members, invitations and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..catalog import ORGANIZATION_KINDS
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from ..extensions import db
from ..unit_of_work import use_case
from ..validation import require_country, require_int, require_text
from . import throttling
from .models import ApiToken, Invitation, Organization, User
from .passwords import password_problem


@dataclass(frozen=True)
class Registration:
    organization_name: str
    kind: str
    country: str
    name: str
    email: str
    password: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str | None, field: str = "email") -> str:
    try:
        return validate_email(email or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise InvalidInput("Enter a valid email address.", {field: str(error)}) from error


def acceptable_password(password: str | None, *personal: str | None) -> str:
    """`password`, unless the policy refuses it for the person `personal` describes (their
    email address, name and organization name)."""
    problem = password_problem(password or "", personal)
    if problem is not None:
        raise InvalidInput("Choose another password.", {"password": problem})
    return password


def _email_is_free(email: str) -> None:
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InvalidInput("That email address already has an account.", {"email": "Already used."})


@use_case
def register_organization(data: Registration) -> User:
    """Create an organization with its first user, who becomes its admin."""
    organization_name = require_text(data.organization_name, "organization_name", 120)
    if data.kind not in ORGANIZATION_KINDS:
        raise InvalidInput("Choose owner, exporter or both.", {"kind": "Unknown kind."})
    email = normalize_email(data.email)
    _email_is_free(email)
    if db.session.scalar(select(Organization.id).where(Organization.name == organization_name)):
        raise InvalidInput(
            "An organization with that name exists.", {"organization_name": "Already registered."}
        )
    organization = Organization(
        name=organization_name, kind=data.kind, country=require_country(data.country)
    )
    user = User(
        email=email,
        name=require_text(data.name, "name", 120),
        password_hash=generate_password_hash(
            acceptable_password(data.password, email, data.name, organization_name)
        ),
        organization=organization,
        role="admin",
    )
    db.session.add_all([organization, user])
    db.session.commit()
    return user


def login_email(email: str | None) -> str:
    """The address as accounts store it, so that "Owner@Example.com " and "owner@example.com"
    are one account and one count of failed log-ins; what is no address stays as typed."""
    try:
        return normalize_email(email)
    except InvalidInput:
        return (email or "").strip().lower()[:254]


@use_case
def authenticate(email: str, password: str, now: datetime) -> User:
    """The user with this email and password. Failures are counted per email address, which
    locks out after too many (throttling.py). The password is hashed even when no account has
    the address, so that the time of the answer does not tell whether one has."""
    address = login_email(email)
    user = db.session.scalar(select(User).where(User.email == address))
    stored_hash = user.password_hash if user is not None else throttling.dummy_password_hash()
    correct = check_password_hash(stored_hash, password or "") and user is not None
    throttling.settle_attempt(address, user, correct, now)
    if not correct:
        raise Unauthorized("Wrong email or password.")
    if not user.active:
        raise Unauthorized("This account is suspended; the platform's operators can reinstate it.")
    return user


@use_case
def create_operator(email: str, name: str, password: str) -> User:
    email = normalize_email(email)
    _email_is_free(email)
    user = User(
        email=email,
        name=require_text(name, "name", 120),
        password_hash=generate_password_hash(acceptable_password(password, email, name)),
        role="operator",
    )
    db.session.add(user)
    db.session.commit()
    return user


@use_case
def invite_member(
    actor: User, email: str, now: datetime, valid_days: int
) -> tuple[Invitation, str]:
    """An organization admin invites someone by email; returns the invitation and its secret."""
    if actor.role != "admin":
        raise Forbidden("Only an organization admin can invite members.")
    email = normalize_email(email)
    _email_is_free(email)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization_id=actor.organization_id,
        email=email,
        token_hash=_hash_token(token),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation, token


def find_invitation(token: str, now: datetime) -> Invitation:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash_token(token or ""))
    )
    if invitation is None:
        raise NotFound("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used.")
    if invitation.expires_at <= now:
        raise Conflict("This invitation has expired; ask for a new one.")
    return invitation


@use_case
def accept_invitation(token: str, name: str, password: str, now: datetime) -> User:
    invitation = find_invitation(token, now)
    _email_is_free(invitation.email)
    user = User(
        email=invitation.email,
        name=require_text(name, "name", 120),
        password_hash=generate_password_hash(
            acceptable_password(password, invitation.email, name, invitation.organization.name)
        ),
        organization_id=invitation.organization_id,
        role="member",
    )
    invitation.accepted_at = now
    db.session.add(user)
    db.session.commit()
    return user


def list_members(actor: User) -> list[User]:
    if actor.organization_id is None:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.organization_id == actor.organization_id).order_by(User.name)
        )
    )


def pending_invitations(actor: User, now: datetime) -> list[Invitation]:
    if actor.organization_id is None:
        return []
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organization_id == actor.organization_id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.created_at.desc())
        )
    )


class InvalidApiToken(Unauthorized):
    """A bearer token was sent but is not one the API accepts."""

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class ApiTokenExpired(InvalidApiToken):
    code = "token_expired"


def max_token_days() -> int:
    return int(current_app.config["API_TOKEN_VALID_DAYS"])


@use_case
def issue_api_token(
    actor: User, name: str, now: datetime, valid_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new bearer token for the actor, valid for `valid_days` (at most, and by default,
    API_TOKEN_VALID_DAYS); returns the record and the secret, which is never stored."""
    longest = max_token_days()
    days = longest if valid_days is None else valid_days
    days = require_int(days, "expires_in_days", minimum=1, maximum=longest)
    token = "wx_" + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=actor.id,
        name=require_text(name, "name", 80),
        token_hash=_hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(record)
    db.session.commit()
    return record, token


def list_api_tokens(actor: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == actor.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


@use_case
def revoke_api_token(actor: User, token_id: int, now: datetime) -> ApiToken:
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != actor.id:
        raise NotFound("No such API token.")
    if record.revoked_at is None:
        record.revoked_at = now
        db.session.commit()
    return record


def user_for_api_token(token: str, now: datetime) -> User:
    """The user a bearer token stands for, or InvalidApiToken saying why not.

    Its last use is written only when the stored one is older than API_TOKEN_LAST_USE_SECONDS:
    reading with a token must not turn every request into a write."""
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if record is None or record.revoked_at is not None:
        raise InvalidApiToken("This API token is unknown or revoked; create a new one.")
    if record.expires_at <= now:
        raise ApiTokenExpired(
            f"This API token expired on {record.expires_at:%Y-%m-%d %H:%M} UTC; create a new one."
        )
    if not record.user.active:
        raise InvalidApiToken(
            "This account is suspended; the platform's operators can reinstate it."
        )
    _note_use(record, now)
    return record.user


def _note_use(record: ApiToken, now: datetime) -> None:
    interval = timedelta(seconds=current_app.config["API_TOKEN_LAST_USE_SECONDS"])
    if record.last_used_at is None or now - record.last_used_at >= interval:
        record.last_used_at = now
        db.session.commit()


def get_organization(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("No such organization.")
    return organization
