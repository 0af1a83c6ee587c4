"""What each event says to each party: subject and body of a notification, as plain text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask import current_app

from .. import catalog
from ..bookings.models import Booking
from ..escrow.rules import instalment_reference
from .kinds import KIND_OF_STATE

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..escrow.models import CardPayment, PaymentInstalment, Refund, ReleaseInstalment
    from ..shipments.models import CheckIn, Shipment


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    body: str


def _owner_name(booking: Booking) -> str:
    return booking.listing.warehouse.organization.name


def _what(booking: Booking) -> str:
    """ "10 pallet positions at “Title” (Hall 3, Hamburg) from 2026-12-01 to 2027-01-31"."""
    listing, warehouse = booking.listing, booking.listing.warehouse
    one, many = catalog.UNIT_NOUNS[listing.unit]
    units = f"{booking.quantity} {one if booking.quantity == 1 else many}"
    return (
        f"{units} at “{listing.title}” ({warehouse.name}, {warehouse.city}) "
        f"from {booking.start_date} to {booking.end_date}"
    )


def _total(booking: Booking) -> str:
    return booking.money(booking.total_minor).format()


def booking_requested(booking: Booking) -> Message:
    """To the owner, when a tenant asks for space."""
    deadline = f"{booking.expires_at:%Y-%m-%d %H:%M} UTC" if booking.expires_at else "soon"
    return Message(
        "booking_requested",
        f"New booking request #{booking.id} from {booking.tenant.name}",
        f"{booking.tenant.name} asks for {_what(booking)}. Accept or decline it by {deadline};"
        " after that the request lapses.",
    )


def _accepted(booking: Booking, to_owner: bool) -> tuple[str, str]:
    if to_owner:  # only the tenant accepts its own request: an instant booking
        return (
            f"Instant booking #{booking.id} from {booking.tenant.name}",
            f"{booking.tenant.name} booked {_what(booking)} by instant booking; the units are"
            f" held for them. The lease is confirmed once they pay {_total(booking)} into"
            " escrow.",
        )
    hours = current_app.config["BOOKING_PAYMENT_WINDOW_HOURS"]
    what_to_pay = (
        "the first monthly instalment" if booking.payment_plan == "monthly" else _total(booking)
    )
    return (
        f"Booking #{booking.id} accepted by {_owner_name(booking)}",
        f"{_owner_name(booking)} accepted your request for {_what(booking)}. Pay"
        f" {what_to_pay} into escrow within {hours} hours to confirm the lease; the booking"
        " page shows how.",
    )


def _expired(booking: Booking, from_state: str, to_owner: bool) -> tuple[str, str]:
    if from_state == "requested":
        body = (
            f"The request from {booking.tenant.name} for {_what(booking)} was not answered in"
            " time and has lapsed."
            if to_owner
            else f"{_owner_name(booking)} did not answer your request for {_what(booking)} in"
            " time, so it has lapsed. Nothing is held for you."
        )
        return f"Booking request #{booking.id} expired", body
    body = (
        f"{booking.tenant.name} did not pay booking #{booking.id} in full in time; the units"
        " are free again."
        if to_owner
        else f"Booking #{booking.id} for {_what(booking)} was not paid in full in time and has"
        " lapsed; the space is free again. Anything you paid is owed back to you."
    )
    return f"Booking #{booking.id} expired unpaid", body


def _other_moves(
    booking: Booking, to_state: str, to_owner: bool, actor_name: str, reason: str
) -> tuple[str, str]:
    number, what = booking.id, _what(booking)
    because = f" Reason: {reason.rstrip('.')}." if reason else ""
    if to_state == "declined":
        return (
            f"Booking request #{number} declined by {actor_name}",
            f"{actor_name} declined your request for {what}.{because}",
        )
    if to_state == "cancelled":
        return f"Booking #{number} cancelled by {actor_name}", (
            f"{actor_name} cancelled booking #{number} for {what}.{because}"
        )
    if to_state == "confirmed" and booking.payment_plan == "monthly":
        return f"Booking #{number} confirmed: first instalment paid", (
            f"{booking.tenant.name} paid the first monthly instalment into escrow for {what};"
            " the rest is paid month by month, and the guarantee reserve covers a missed month."
            if to_owner
            else f"Escrow holds your first monthly instalment for {what}. The lease is"
            " confirmed; the booking page shows when each later instalment is due."
        )
    if to_state == "confirmed":
        return f"Booking #{number} paid and confirmed", (
            f"{booking.tenant.name} paid {_total(booking)} into escrow for {what}. The owner's "
            "share is released from escrow as the lease runs."
            if to_owner
            else f"Escrow holds your payment of {_total(booking)} for {what}. The lease is "
            "confirmed."
        )
    if to_state == "active":
        return f"Lease #{number} has started", f"The lease of {what} has started."
    return f"Lease #{number} is completed", f"The lease of {what} is completed."


def booking_moved(
    booking: Booking, from_state: str, to_state: str, to_owner: bool, actor_name: str, reason: str
) -> Message:
    """To one party, when a booking moves from one state to another."""
    if to_state == "accepted":
        subject, body = _accepted(booking, to_owner)
    elif to_state == "expired":
        subject, body = _expired(booking, from_state, to_owner)
    else:
        subject, body = _other_moves(booking, to_state, to_owner, actor_name, reason)
    return Message(KIND_OF_STATE[to_state], subject, body)


def refund_due(refund: Refund) -> Message:
    """To the tenant (or the taker of a transfer), when escrow owes it money back."""
    booking = refund.booking
    if refund.transfer_id is not None:
        return Message(
            "refund_due",
            f"Refund of {refund.amount.format()} due for transfer #{refund.transfer_id}",
            f"{refund.reason}: the {refund.amount.format()} you paid is owed back to you from"
            " escrow. The platform sends it back the way it came.",
        )
    return Message(
        "refund_due",
        f"Refund of {refund.amount.format()} due for booking #{booking.id}",
        f"{refund.reason}: {refund.amount.format()} is owed back to you from escrow for"
        f" {_what(booking)}. The platform sends it to you by bank transfer.",
    )


def released(instalment: ReleaseInstalment) -> Message:
    """To the owner, when an instalment of the rent leaves escrow for it."""
    booking = instalment.booking
    return Message(
        "release",
        f"{instalment.amount.format()} released to you for booking #{booking.id}",
        f"Instalment {instalment.sequence} of the rent for {_what(booking)} left escrow and is"
        " now in your earnings, to be paid out to your bank account.",
    )


def lease_ending(booking: Booking, days: int) -> Message:
    """To the tenant, 14 and 3 days before the last day of its lease."""
    return Message(
        "lease_ending",
        f"Lease #{booking.id} ends in {days} days",
        f"Your lease of {_what(booking)} ends on {booking.end_date:%Y-%m-%d}. Plan the"
        " outbound shipment of your goods, or ask the owner for a new booking to stay.",
    )


def request_waiting(booking: Booking) -> Message:
    """To the owner, while a request nears its deadline unanswered."""
    return Message(
        "request_waiting",
        f"Booking request #{booking.id} still waits for your answer",
        f"{booking.tenant.name} asked for {_what(booking)}. The request lapses at"
        f" {booking.expires_at:%Y-%m-%d %H:%M} UTC unless you accept or decline it.",
    )


def instalment_due(instalment: PaymentInstalment, days: int) -> Message:
    """To the tenant, a few days before a monthly instalment falls due."""
    booking = instalment.booking
    return Message(
        "instalment_due",
        f"Instalment {instalment.sequence} of booking #{booking.id} is due in {days} days",
        f"Pay {instalment.amount.format()} into escrow by {instalment.due_on:%Y-%m-%d} for"
        f" {_what(booking)}, quoting the reference"
        f" {instalment_reference(booking.id, instalment.sequence)} (the booking page shows the"
        " bank account). A missed instalment is paid to the owner by the guarantee reserve and"
        " counts as a default.",
    )


def instalment_covered(instalment: PaymentInstalment, to_owner: bool) -> Message:
    """To both parties, when the guarantee reserve paid a month the tenant missed."""
    booking = instalment.booking
    subject = f"Instalment {instalment.sequence} of booking #{booking.id} missed"
    if to_owner:
        body = (
            f"{booking.tenant.name} did not pay instalment {instalment.sequence}"
            f" ({instalment.amount.format()}, due {instalment.due_on:%Y-%m-%d}) for"
            f" {_what(booking)}. The guarantee reserve pays that month's rent into escrow, so"
            " your release goes ahead as scheduled."
        )
    else:
        body = (
            f"Instalment {instalment.sequence} ({instalment.amount.format()}, due"
            f" {instalment.due_on:%Y-%m-%d}) for {_what(booking)} was not paid within the"
            " grace period. The guarantee reserve paid the owner that month's rent; your"
            " organization is recorded as in default, and you still owe the instalment."
        )
    return Message("instalment_covered", subject, body)


def lease_shortened(booking: Booking, old_end: date, reason: str) -> Message:
    """To the party that did not shorten the lease."""
    subject = f"Booking #{booking.id} now ends on {booking.end_date:%Y-%m-%d}"
    body = (
        f"The lease of {_what(booking)} was to end on {old_end:%Y-%m-%d}; it now ends on"
        f" {booking.end_date:%Y-%m-%d}. {reason}"
    )
    return Message("lease_shortened", subject, body)


def card_declined(payment: CardPayment) -> Message:
    """To the tenant, when its saved card did not pay a monthly instalment."""
    booking = payment.booking
    subject = f"Your card did not pay the instalment of booking #{booking.id}"
    body = (
        f"We tried to charge {payment.amount.format()} for {_what(booking)} to the card you"
        f" saved: {payment.decline_message} Pay it from the booking page, by card or by bank"
        " transfer, before the grace period ends; we try the saved card again tomorrow."
    )
    return Message("card_declined", subject, body)


def _found(check_in: CheckIn) -> str:
    """ "BT-01: 3 damaged, 2 missing; BT-02: 5 over-delivered"."""
    parts = []
    for line in check_in.lines:
        amiss = [
            f"{count} {what}"
            for count, what in (
                (line.damaged, "damaged"),
                (line.missing, "missing"),
                (line.over_delivered, "more than announced"),
            )
            if count
        ]
        if amiss:
            parts.append(f"{line.sku}: {', '.join(amiss)}")
    return "; ".join(parts)


def goods_received(check_in: CheckIn) -> Message:
    """To the tenant, when the warehouse owner has counted a shipment's goods."""
    shipment = check_in.shipment
    booking = shipment.booking
    what = f"Shipment #{shipment.id} ({shipment.carrier} {shipment.tracking_number})"
    if not check_in.has_discrepancy:
        return Message(
            "goods_received",
            f"{what} checked in",
            f"{_owner_name(booking)} checked in every announced unit of {what.lower()} in good"
            f" order for booking #{booking.id}.",
        )
    return Message(
        "goods_received",
        f"{what} checked in with discrepancies",
        f"{_owner_name(booking)} checked in {what.lower()} for booking #{booking.id} and"
        f" found: {_found(check_in)}. The shipment page shows the counts and photos; a"
        " discrepancy can be the ground of a dispute.",
    )


def over_capacity(check_in: CheckIn, to_owner: bool) -> Message:
    """To both parties, when a check-in makes a lease store more than it rents."""
    booking = check_in.shipment.booking
    one, many = catalog.UNIT_NOUNS[booking.listing.unit]
    rented = f"{booking.quantity} {one if booking.quantity == 1 else many}"
    body = (
        f"After the check-in of shipment #{check_in.shipment.id}, {booking.tenant.name} stores"
        f" more than the {rented} booking #{booking.id} rents. Agree with them on more space or"
        " an outbound release."
        if to_owner
        else f"After the check-in of shipment #{check_in.shipment.id}, your goods take more"
        f" than the {rented} booking #{booking.id} rents. Book more space or ship units out."
    )
    return Message("lease_over_capacity", f"Booking #{booking.id} is over its space", body)


def _shipment(shipment: Shipment) -> str:
    """ "Shipment #7 (Maersk MAEU1234567, 2 SKUs, 300 units) to booking #12 at Hall 3"."""
    booking, lines = shipment.booking, len(shipment.lines)
    return (
        f"Shipment #{shipment.id} ({shipment.carrier} {shipment.tracking_number}, {lines}"
        f" SKU{'' if lines == 1 else 's'}, {shipment.units} units) to booking #{booking.id} at"
        f" {booking.listing.warehouse.name}"
    )


def _check_in_day(shipment: Shipment) -> str:
    first = shipment.check_in_from
    if shipment.expected_arrival >= first:
        return ""
    return (
        f" It is expected before {first}, the first day you check the lease's goods in: agree"
        " to an early arrival on the lease's shipments page, or the goods wait for that day."
    )


def shipment_announced(shipment: Shipment) -> Message:
    """To the owner, when a tenant announces goods coming to its warehouse."""
    tenant = shipment.booking.tenant.name
    return Message(
        "shipment_announced",
        f"{tenant} announced shipment #{shipment.id}, expected {shipment.expected_arrival}",
        f"{tenant} announced {_shipment(shipment)}, expected on {shipment.expected_arrival}."
        f"{_check_in_day(shipment)} Your arrivals list shows it, with its check-in.",
    )


def shipment_changed(shipment: Shipment, changes: list[tuple[str, str, str]]) -> Message:
    """To the owner, when the tenant changes a shipment on its way."""
    what = "; ".join(f"{name}: {before} → {after}" for name, before, after in changes)
    return Message(
        "shipment_changed",
        f"Shipment #{shipment.id} changed: now expected {shipment.expected_arrival}",
        f"{shipment.booking.tenant.name} changed {_shipment(shipment)}. {what}."
        f"{_check_in_day(shipment)}",
    )


def shipment_cancelled(shipment: Shipment) -> Message:
    """To the owner, when the tenant calls a shipment off."""
    because = f" Reason: {shipment.cancel_reason.rstrip('.')}." if shipment.cancel_reason else ""
    return Message(
        "shipment_cancelled",
        f"Shipment #{shipment.id} cancelled by {shipment.booking.tenant.name}",
        f"{shipment.booking.tenant.name} cancelled {_shipment(shipment)}, which was expected"
        f" on {shipment.expected_arrival}; nothing is coming with it.{because}",
    )


def login_locked(user: User, failures: int, until: datetime) -> Message:
    """To the owner of an account whose email address was locked out of log-in. Not one of
    the KINDS: it goes to that person only, and cannot be switched off."""
    return Message(
        "login_locked",
        "Log-in to your Warehouse Exchange account is paused",
        f"There were {failures} failed log-ins with {user.email} in a short time, so log-in"
        f" with this address is paused until {until:%Y-%m-%d %H:%M} UTC, even with the right"
        " password. If that was you, wait and try again. If it was not, someone may be"
        " guessing your password: nothing was changed, and a long password used nowhere else"
        " keeps the account safe.",
    )
