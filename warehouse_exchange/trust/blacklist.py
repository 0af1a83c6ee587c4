"""Use cases of the blacklist: an operator lists an organization (its open requests are
declined, the other parties of its running leases and the operators are told) or lifts it;
the public credit page shows who is listed and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import Organization, User
from ..audit.services import record
from ..blacklist.guards import blacklisting
from ..blacklist.models import BlacklistEntry
from ..bookings.commands import decline_for_platform
from ..bookings.models import Booking
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..listings.models import Listing
from ..notifications.messages import Message
from ..notifications.services import notify
from ..permissions import require_operator
from ..unit_of_work import locked_row, use_case
from ..validation import require_text
from ..warehouses.models import Warehouse
from .credit import booking_owner_id

#: leases that go on when a party is listed, flagged to the other party and to operators
RUNNING_STATES = ("accepted", "confirmed", "active")


class AlreadyBlacklisted(Conflict):
    pass


def _bookings_of(organization_id: int, states) -> list[Booking]:
    query = (
        select(Booking)
        .where(
            Booking.state.in_(states),
            or_(Booking.tenant_id == organization_id, booking_owner_id() == organization_id),
        )
        .order_by(Booking.id)
    )
    return list(db.session.scalars(query))


def _locked_organization(organization_id: int) -> Organization:
    if isinstance(organization_id, bool) or not isinstance(organization_id, int):
        raise InvalidInput("Choose an organization.", {"organization_id": "Required."})
    if db.session.get(Organization, organization_id) is None:
        raise NotFound("No such organization.")
    return locked_row(select(Organization).where(Organization.id == organization_id))


def _decline_open_requests(organization: Organization, reason: str, now: datetime) -> None:
    why = f"{organization.name} is on the platform's blacklist: {reason}"
    for booking in _bookings_of(organization.id, ("requested",)):
        decline_for_platform(booking.id, why[:500], now)


def _flag_running_leases(entry: BlacklistEntry, now: datetime) -> None:
    organization, reason = entry.organization, entry.reason
    for booking in _bookings_of(organization.id, RUNNING_STATES):
        owner_id = booking.listing.warehouse.organization_id
        other = owner_id if booking.tenant_id == organization.id else booking.tenant_id
        message = Message(
            "party_blacklisted",
            f"{organization.name}, a party to booking #{booking.id}, is blacklisted",
            f"The platform has blacklisted {organization.name}: {reason}. The lease goes on as"
            " agreed and escrow still protects you; the operators watch it. Tell them of"
            " anything wrong.",
        )
        notify(
            other, message, f"/bookings/{booking.id}", f"blacklisted:{entry.id}:{booking.id}", now
        )


@use_case
def blacklist_organization(
    actor: User | None, organization_id: int, reason: str, ends_on: date | None, now: datetime
) -> BlacklistEntry:
    actor = require_operator(actor)
    reason = require_text(reason, "reason", 500)
    today = now.date()
    if ends_on is not None and ends_on < today:
        raise InvalidInput("The end date is in the past.", {"ends_on": "Today or later."})
    organization = _locked_organization(organization_id)
    if blacklisting(organization.id, today) is not None:
        raise AlreadyBlacklisted(f"{organization.name} is already on the blacklist.")
    entry = BlacklistEntry(
        organization=organization, reason=reason, starts_on=today, ends_on=ends_on,
        listed_by_id=actor.id, created_at=now,
    )  # fmt: skip
    db.session.add(entry)
    organization.blacklisted = True
    db.session.flush()
    _decline_open_requests(organization, reason, now)
    _flag_running_leases(entry, now)
    after = {"blacklisted": True, "entry_id": entry.id, "reason": reason,
             "ends_on": ends_on.isoformat() if ends_on else None}  # fmt: skip
    record(actor, "blacklist.add", "organization", organization.id, {"blacklisted": False},
           after, now)  # fmt: skip
    db.session.commit()
    return entry


@use_case
def lift_blacklisting(actor: User | None, entry_id: int, reason: str, now: datetime):
    actor = require_operator(actor)
    reason = require_text(reason, "reason", 500)
    entry = db.session.get(BlacklistEntry, entry_id)
    if entry is None:
        raise NotFound("No such blacklist entry.")
    organization = _locked_organization(entry.organization_id)
    db.session.refresh(entry)
    if not entry.applies_on(now.date()):
        raise Conflict("This blacklisting has already ended.")
    entry.lifted_at, entry.lifted_by_id, entry.lift_reason = now, actor.id, reason
    db.session.flush()
    organization.blacklisted = blacklisting(organization.id, now.date()) is not None
    after = {"blacklisted": organization.blacklisted, "entry_id": entry.id, "reason": reason}
    record(actor, "blacklist.lift", "organization", organization.id, {"blacklisted": True},
           after, now)  # fmt: skip
    db.session.commit()
    return entry


def end_lapsed_blacklistings(now: datetime) -> int:
    """The job: organizations whose listing has passed its end date come off the list (for
    search; the guard already reads the dates). Returns how many came off."""
    listed = db.session.scalars(
        select(Organization.id).where(Organization.blacklisted.is_(True))
    ).all()
    db.session.rollback()
    ended = 0
    for organization_id in listed:
        organization = locked_row(
            select(Organization).where(Organization.id == organization_id), skip_locked=True
        )
        if organization is not None and blacklisting(organization_id, now.date()) is None:
            organization.blacklisted = False
            ended += 1
        db.session.commit()
    return ended


@dataclass(frozen=True)
class PublicBlacklist:
    current: list[BlacklistEntry]
    #: entries that ended or were lifted, newest first
    earlier: list[BlacklistEntry]


def public_blacklist(today: date, earlier_limit: int = 50) -> PublicBlacklist:
    entries = db.session.scalars(
        select(BlacklistEntry).order_by(BlacklistEntry.starts_on.desc(), BlacklistEntry.id.desc())
    ).all()
    current = [entry for entry in entries if entry.applies_on(today)]
    earlier = [entry for entry in entries if not entry.applies_on(today)][:earlier_limit]
    return PublicBlacklist(current, earlier)


def flagged_leases(actor: User | None) -> list[Booking]:
    """Running leases with a blacklisted party, for operators to watch."""
    require_operator(actor)
    tenant, owner = aliased(Organization), aliased(Organization)
    query = (
        select(Booking)
        .join(tenant, tenant.id == Booking.tenant_id)
        .join(Listing, Listing.id == Booking.listing_id)
        .join(Warehouse, Warehouse.id == Listing.warehouse_id)
        .join(owner, owner.id == Warehouse.organization_id)
        .where(
            Booking.state.in_(RUNNING_STATES),
            or_(tenant.blacklisted.is_(True), owner.blacklisted.is_(True)),
        )
        .order_by(Booking.start_date, Booking.id)
    )
    return list(db.session.scalars(query))


def organizations_to_list(actor: User | None) -> list[Organization]:
    """Organizations not on the blacklist, by name, for the operator's form."""
    require_operator(actor)
    query = select(Organization).where(Organization.blacklisted.is_(False))
    return list(db.session.scalars(query.order_by(Organization.name)))
