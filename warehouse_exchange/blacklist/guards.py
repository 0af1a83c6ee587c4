"""The check other areas make before a blacklisted organization could trade: publishing a
listing, booking, accepting a booking, and (when they exist) offering or taking a transfer.
It imports nothing but the blacklist's models, so any service may call it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..errors import Forbidden
from ..extensions import db
from .models import BlacklistEntry


class OrganizationBlacklisted(Forbidden):
    code = "blacklisted"


def blacklisting(organization_id: int, today: date) -> BlacklistEntry | None:
    """The entry that keeps the organization on the blacklist today, if any."""
    entries = db.session.scalars(
        select(BlacklistEntry)
        .where(
            BlacklistEntry.organization_id == organization_id, BlacklistEntry.lifted_at.is_(None)
        )
        .order_by(BlacklistEntry.starts_on.desc(), BlacklistEntry.id.desc())
    )
    return next((entry for entry in entries if entry.applies_on(today)), None)


def require_not_blacklisted(organization_id: int | None, today: date, *, whose: str = "Your"):
    """Refuse when the organization is on the blacklist today; `whose` names it in the
    message ("Your organization", "The owner's organization")."""
    if organization_id is None:
        return
    entry = blacklisting(organization_id, today)
    if entry is not None:
        until = f" until {entry.ends_on}" if entry.ends_on else ""
        raise OrganizationBlacklisted(
            f"{whose} organization is on the blacklist{until} ({entry.reason}), and may not do"
            " this."
        )
