"""What disputes do when other areas act: a frozen escrow refuses the changes that would move
it, inside the transaction of the change. (notifications/dispute_notices.py tells the parties
of each step of a dispute.)"""

from __future__ import annotations

from ..bookings.models import Booking
from ..bookings.signals import booking_cancelled, lease_shortened
from ..errors import Conflict
from .models import unresolved_dispute_id


class EscrowFrozen(Conflict):
    """The booking's escrow is frozen by an unresolved dispute."""


@booking_cancelled.connect
@lease_shortened.connect
def refuse_while_disputed(booking: Booking, **_kw):
    """Cancelling a lease or ending it early moves its escrow, which an open dispute froze:
    the operator's decision comes first (this undoes the whole use case)."""
    unresolved = unresolved_dispute_id(booking.id)
    if unresolved is not None:
        raise EscrowFrozen(
            f"Booking {booking.id} has an open dispute (#{unresolved}); its escrow is frozen"
            " until an operator decides or the dispute is withdrawn."
        )
