"""What waits for each role on its home page: one read-only function per role, each returning a
small dataclass of counts and the first few items. Every block costs a COUNT and one short
query with its relations loaded up front, however many rows there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..accounts.models import User
from ..permissions import require_user
from .exporter import ExporterHome, exporter_home
from .operator import OperatorHome, operator_home
from .owner import OwnerHome, owner_home


@dataclass(frozen=True)
class Home:
    owner: OwnerHome | None = None
    exporter: ExporterHome | None = None
    operator: OperatorHome | None = None


def home(actor: User | None, today: date) -> Home:
    """The blocks of every role the actor has: an organization that owns warehouses and
    rents space sees both."""
    actor = require_user(actor)
    if actor.is_operator:
        return Home(operator=operator_home(actor))
    organization = actor.organization
    return Home(
        owner=owner_home(actor, today) if organization.owns_warehouses else None,
        exporter=exporter_home(actor, today) if organization.rents_space else None,
    )
