"""Who may do what: checks shared by the services of every area. They read only what every
acting user has (the Actor below), so that this module stands below accounts, whose own
services use it too."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from .errors import Forbidden, Unauthorized


class Actor(Protocol):
    """What the checks read of a user (an accounts.models.User)."""

    is_authenticated: bool
    is_operator: bool
    organization_id: int | None
    organization: Any


ActingUser = TypeVar("ActingUser", bound=Actor)


def require_user(actor: ActingUser | None) -> ActingUser:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthorized("Log in first.")
    return actor


def require_owner(actor: ActingUser | None) -> ActingUser:
    actor = require_user(actor)
    if actor.organization is None or not actor.organization.owns_warehouses:
        raise Forbidden("Only warehouse-owner organizations can do this.")
    return actor


def require_operator(actor: ActingUser | None) -> ActingUser:
    actor = require_user(actor)
    if not actor.is_operator:
        raise Forbidden("Only platform operators can do this.")
    return actor


def require_same_organization(actor: Actor, organization_id: int, what: str) -> None:
    if actor.organization_id != organization_id:
        raise Forbidden(f"This {what} belongs to another organization.")
