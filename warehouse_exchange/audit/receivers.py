"""The audit log records what operators do in the areas below it, from their signals, in
the transaction of the action."""

from __future__ import annotations

from datetime import datetime

from ..accounts.models import User
from .services import record


def record_suspension(user: User, *, actor: User, reason: str, now: datetime, **_):
    record(actor, "user.suspend", "user", user.id, {"active": True},
           {"active": False, "reason": reason}, now)  # fmt: skip


def record_reinstatement(user: User, *, actor: User, reason: str, now: datetime, **_):
    record(actor, "user.reinstate", "user", user.id, {"active": False},
           {"active": True, "reason": reason}, now)  # fmt: skip
