"""Where notifications come from. Every notification joins the transaction of the change it
tells about, so that it exists exactly when the change does.

Booking transitions arrive by the `booking_moved` signal. Three events have no signal: a new
request does not pass through `_move`, and escrow announces neither a refund falling due nor
a release. They are seen in the session instead: new bookings and refunds, and instalments
whose `released_at` was just set, are noted at each flush and told just before the commit,
when their ids and final state are known.
"""

from __future__ import annotations

from sqlalchemy import event, inspect

from ..accounts.models import User
from ..bookings.models import Booking
from ..bookings.signals import booking_moved
from ..escrow.models import Refund, ReleaseInstalment
from ..extensions import db
from . import messages, services
from .messages import owner_of

#: key in Session.info of the rows noted since the last commit
NOTED = "notifications.noted"


def _booking_link(booking: Booking) -> str:
    # a plain path: jobs run without a request, and url_for would need SERVER_NAME
    return f"/bookings/{booking.id}"


@booking_moved.connect
def tell_booking_moved(
    booking: Booking, *, from_state: str, to_state: str, actor: User | None, now, reason="", **_
):
    """Each party except the one that moved the booking hears of it; when the platform moved
    it (expiry, start and end days, an operator recording payment), both do."""
    if booking.id is None:
        db.session.flush()  # the link and the event key need the id
    acting = actor.organization_id if actor is not None else None
    actor_name = actor.organization.name if acting is not None else "The platform"
    for organization_id, to_owner in ((booking.tenant_id, False), (owner_of(booking), True)):
        if organization_id == acting:
            continue
        message = messages.booking_moved(
            booking, from_state, to_state, to_owner, actor_name, reason
        )
        key = f"booking:{booking.id}:{to_state}"  # bookings never enter a state twice
        services.notify(organization_id, message, _booking_link(booking), key, now)


def _tell_noted(row) -> None:
    if isinstance(row, Booking) and row.state == "requested":
        # an instant booking is accepted at once: the move to accepted tells the owner instead
        message, key = messages.booking_requested(row), f"booking:{row.id}:requested"
        services.notify(owner_of(row), message, _booking_link(row), key, row.created_at)
    elif isinstance(row, Refund) and row.state == "due":
        message, key = messages.refund_due(row), f"refund:{row.id}"
        booking = row.booking
        services.notify(booking.tenant_id, message, _booking_link(booking), key, row.created_at)
    elif isinstance(row, ReleaseInstalment):
        message, key = messages.released(row), f"release:{row.id}"
        booking = row.booking
        services.notify(owner_of(booking), message, _booking_link(booking), key, row.released_at)


def _just_released(row) -> bool:
    return isinstance(row, ReleaseInstalment) and any(
        value is not None for value in inspect(row).attrs.released_at.history.added
    )


@event.listens_for(db.session, "before_flush")
def _note(session, _flush_context, _instances) -> None:
    noted = session.info.setdefault(NOTED, [])
    noted.extend(row for row in session.new if isinstance(row, Booking | Refund))
    noted.extend(row for row in session.dirty if _just_released(row))


@event.listens_for(db.session, "before_commit")
def _tell_before_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the transaction may still change what it would tell
    session.flush()  # notes what is still unflushed, and gives every noted row its id
    for row in session.info.pop(NOTED, []):
        if inspect(row).persistent:  # not rolled back with a savepoint meanwhile
            _tell_noted(row)


@event.listens_for(db.session, "after_soft_rollback")
def _forget(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(NOTED, None)
