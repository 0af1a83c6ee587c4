"""Where notifications come from: the signals of bookings, escrow and shipments here, of
disputes and transfers in dispute_notices.py and transfer_notices.py. Every notification
joins the transaction of the change it tells about, so that it exists exactly when the
change does."""

from __future__ import annotations

from ..accounts.models import User
from ..bookings.models import Booking
from ..escrow.models import CardPayment, PaymentInstalment, Refund, ReleaseInstalment
from ..extensions import db
from ..shipments.models import CheckIn, Shipment
from . import messages, services


def _booking_link(booking: Booking) -> str:
    # a plain path: jobs run without a request, and url_for would need SERVER_NAME
    return f"/bookings/{booking.id}"


def tell_booking_moved(
    booking: Booking, *, from_state: str, to_state: str, actor: User | None, now, reason="", **_
):
    """Each party except the one that moved the booking hears of it; when the platform moved
    it (expiry, start and end days, an operator recording payment), both do."""
    if booking.id is None:
        db.session.flush()  # the link and the event key need the id
    acting = actor.organization_id if actor is not None else None
    actor_name = actor.organization.name if acting is not None else "The platform"
    for organization_id, to_owner in ((booking.tenant_id, False), (booking.owner_id, True)):
        if organization_id == acting:
            continue
        message = messages.booking_moved(
            booking, from_state, to_state, to_owner, actor_name, reason
        )
        key = f"booking:{booking.id}:{to_state}"  # bookings never enter a state twice
        services.notify(organization_id, message, _booking_link(booking), key, now)


def tell_lease_shortened(booking: Booking, *, old_end, actor: User | None, now, reason="", **_):
    acting = actor.organization_id if actor is not None else None
    key = f"lease-shortened:{booking.id}:{booking.end_date}"
    for organization_id in (booking.tenant_id, booking.owner_id):
        if organization_id != acting:
            message = messages.lease_shortened(booking, old_end, reason)
            services.notify(organization_id, message, _booking_link(booking), key, now)


def tell_booking_requested(booking: Booking, *, now, **_):
    message, key = messages.booking_requested(booking), f"booking:{booking.id}:requested"
    services.notify(booking.owner_id, message, _booking_link(booking), key, now)


def tell_refund_due(refund: Refund, *, now, **_):
    booking = refund.booking
    message, key = messages.refund_due(refund), f"refund:{refund.id}"
    link = _booking_link(booking)
    if refund.transfer_id is not None:  # owed to a taker, who sees the transfer, not the lease
        link = f"/transfers/{refund.transfer_id}"
    services.notify(refund.payee_id, message, link, key, now)


def tell_released(instalment: ReleaseInstalment, *, now, **_):
    booking = instalment.booking
    message, key = messages.released(instalment), f"release:{instalment.id}"
    services.notify(booking.owner_id, message, _booking_link(booking), key, now)


def tell_card_charge_failed(payment: CardPayment, *, now, **_):
    booking = payment.booking
    message, key = messages.card_declined(payment), f"card-declined:{payment.id}"
    services.notify(booking.tenant_id, message, _booking_link(booking), key, now)


def tell_instalment_covered(instalment: PaymentInstalment, *, now, **_):
    booking = instalment.booking
    key = f"instalment-covered:{instalment.id}"
    for organization_id, to_owner in ((booking.tenant_id, False), (booking.owner_id, True)):
        message = messages.instalment_covered(instalment, to_owner)
        services.notify(organization_id, message, _booking_link(booking), key, now)


def tell_checked_in(check_in: CheckIn, *, now, over_capacity: bool, **_):
    """The tenant hears at once what the owner counted; both hear when it overfills the lease."""
    shipment, booking = check_in.shipment, check_in.shipment.booking
    link = f"/shipments/{shipment.id}"
    message = messages.goods_received(check_in)
    services.notify(booking.tenant_id, message, link, f"check-in:{check_in.id}", now)
    if not over_capacity:
        return
    key = f"over-capacity:{check_in.id}"
    for organization_id, to_owner in ((booking.tenant_id, False), (booking.owner_id, True)):
        message = messages.over_capacity(check_in, to_owner)
        services.notify(organization_id, message, f"/bookings/{booking.id}/stock", key, now)


def _tell_owner(shipment: Shipment, message, key: str, now) -> None:
    link = f"/shipments/{shipment.id}"
    services.notify(shipment.booking.owner_id, message, link, key, now)


def tell_shipment_announced(shipment: Shipment, *, now, **_):
    message = messages.shipment_announced(shipment)
    _tell_owner(shipment, message, f"shipment:{shipment.id}:announced", now)


def tell_shipment_changed(shipment: Shipment, *, changes, now, **_):
    # each change is its own event: the time tells them apart
    key = f"shipment:{shipment.id}:changed:{now.isoformat()}"
    _tell_owner(shipment, messages.shipment_changed(shipment, changes), key, now)


def tell_shipment_cancelled(shipment: Shipment, *, now, **_):
    message = messages.shipment_cancelled(shipment)
    _tell_owner(shipment, message, f"shipment:{shipment.id}:cancelled", now)


def tell_login_locked(user: User, *, failures: int, until, now, **_):
    """The owner hears of each lock-out once: the lock-out's end makes the event its own."""
    message = messages.login_locked(user, failures, until)
    key = f"login-locked:{user.id}:{until:%Y%m%dT%H%M%S}"
    services.email_account_owner(user, message, "/login", key, now)
