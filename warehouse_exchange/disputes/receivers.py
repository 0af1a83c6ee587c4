"""What disputes do when other areas act: a frozen escrow refuses the changes that would move
it, inside the transaction of the change, and holds back its releases (escrow asks through
its hooks). (notifications/dispute_notices.py tells the parties of each step of a dispute.)"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from ..bookings.models import Booking
from ..errors import Conflict
from ..extensions import db
from .models import Dispute, unresolved_dispute_id
from .rules import UNRESOLVED_STATES


class EscrowFrozen(Conflict):
    """The booking's escrow is frozen by an unresolved dispute."""


def refuse_while_disputed(booking: Booking, **_kw):
    """Cancelling a lease or ending it early moves its escrow, which an open dispute froze:
    the operator's decision comes first (this undoes the whole use case)."""
    unresolved = unresolved_dispute_id(booking.id)
    if unresolved is not None:
        raise EscrowFrozen(
            f"Booking {booking.id} has an open dispute (#{unresolved}); its escrow is frozen"
            " until an operator decides or the dispute is withdrawn."
        )


def disputed(booking_id: ColumnElement[int]) -> ColumnElement[bool]:
    """An unresolved dispute freezes the booking's escrow: no release until it is decided."""
    return (
        select(Dispute.id)
        .where(Dispute.booking_id == booking_id, Dispute.state.in_(UNRESOLVED_STATES))
        .exists()
    )


def settling_dispute(booking_id: int) -> Dispute | None:
    """The latest decided dispute on the booking: its decision split what escrow held."""
    return db.session.scalar(
        select(Dispute)
        .where(Dispute.booking_id == booking_id, Dispute.decided_at.is_not(None))
        .order_by(Dispute.decided_at.desc())
        .limit(1)
    )
