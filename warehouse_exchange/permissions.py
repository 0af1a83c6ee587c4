"""Who may do what: checks shared by the services of every area."""

from __future__ import annotations

from .accounts.models import User
from .errors import Forbidden, Unauthorized


def require_user(actor: User | None) -> User:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthorized("Log in first.")
    return actor


def require_owner(actor: User | None) -> User:
    actor = require_user(actor)
    if actor.organization is None or not actor.organization.owns_warehouses:
        raise Forbidden("Only warehouse-owner organizations can do this.")
    return actor


def require_operator(actor: User | None) -> User:
    actor = require_user(actor)
    if not actor.is_operator:
        raise Forbidden("Only platform operators can do this.")
    return actor


def require_same_organization(actor: User, organization_id: int, what: str) -> None:
    if actor.organization_id != organization_id:
        raise Forbidden(f"This {what} belongs to another organization.")
