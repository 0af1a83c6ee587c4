"""Operators suspend a user account (it can no longer log in or use its API tokens, and its
sessions end everywhere) and reinstate it; the audit log records both with the reason (its
receivers of the signals sent here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from ..errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..pagination import Page, paginate
from ..permissions import require_operator
from ..unit_of_work import locked_row, use_case
from ..validation import require_text
from .models import Organization, User
from .sessions import end_sessions
from .signals import user_reinstated, user_suspended

#: longest text the operators' user search looks for
MAX_QUERY_LENGTH = 120


class AlreadySuspended(Conflict):
    pass


class NotSuspended(Conflict):
    pass


def find_users(actor: User | None, text: str, page: int, per_page: int) -> Page[User]:
    """Users whose email, name or organization contains `text`, suspended ones first."""
    require_operator(actor)
    query = select(User).outerjoin(Organization, Organization.id == User.organization_id)
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    if text:
        query = query.where(
            or_(
                User.email.icontains(text, autoescape=True),
                User.name.icontains(text, autoescape=True),
                Organization.name.icontains(text, autoescape=True),
            )
        )
    return paginate(query.order_by(User.active, User.email), page, per_page)


def get_user(actor: User | None, user_id: int) -> User:
    require_operator(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def _locked_user(user_id: int) -> User:
    user = locked_row(select(User).where(User.id == user_id))
    if user is None:
        raise NotFound("No such user.")
    return user


@use_case
def suspend_user(actor: User | None, user_id: int, reason: str, now: datetime) -> User:
    actor = require_operator(actor)
    reason = require_text(reason, "reason", 500)
    if user_id == actor.id:
        raise Forbidden("You cannot suspend your own account.")
    user = _locked_user(user_id)
    if not user.active:
        raise AlreadySuspended(f"{user.email} is already suspended.")
    user.active = False
    end_sessions(user)
    user_suspended.send(user, actor=actor, reason=reason, now=now)
    db.session.commit()
    return user


@use_case
def reinstate_user(actor: User | None, user_id: int, reason: str, now: datetime) -> User:
    actor = require_operator(actor)
    reason = require_text(reason, "reason", 500)
    user = _locked_user(user_id)
    if user.active:
        raise NotSuspended(f"{user.email} is not suspended.")
    user.active = True
    user_reinstated.send(user, actor=actor, reason=reason, now=now)
    db.session.commit()
    return user
