"""The money of a booking cancelled or lapsed: what escrow holds goes back to the tenant, less
the rent the listing's cancellation policy keeps for the owner; an owner who cancels a paid
lease returns the fees and pays the guarantee reserve a penalty."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from ..bookings.models import Booking
from ..ledger import services as ledger
from ..ledger.services import Leg
from ..listings.rules import CANCELLATION_POLICIES
from ..money import allocate
from .payments import fee_legs, scheduled_payments
from .refunds import owe_refund, unowed_escrow_minor
from .releases import to_owner


def settle_cancelled_escrow(booking: Booking, now: datetime, by_owner: bool) -> None:
    """What escrow holds for a cancelled or lapsed booking is owed back to the tenant, except
    that a tenant cancelling a paid lease leaves the owner the rent its listing's policy keeps.
    An owner cancelling a paid lease returns the fees too, and owes the guarantee reserve a
    penalty, taken from the owner's next releases."""
    instalments = scheduled_payments(booking.id)
    paid_rent = sum(i.rent_minor for i in instalments if i.paid_at is not None)
    if not instalments:  # paid before payment plans existed, if at all: up front
        paid_rent = booking.subtotal_minor
    confirmed = any(event.to_state == "confirmed" for event in booking.events)
    if confirmed and by_owner:
        _return_fees(booking)
        _charge_owner_penalty(booking)
    elif confirmed and booking.state == "cancelled":
        # a dispute decided before the cancellation already split the rent escrow held
        rent_held = min(paid_rent, unowed_escrow_minor(booking))
        _leave_owner_the_kept_rent(booking, rent_held, now.date())
    remaining = unowed_escrow_minor(booking)
    if remaining > 0:
        owe_refund(booking, remaining, _refund_reason(booking, by_owner), now)


def _leave_owner_the_kept_rent(booking: Booking, rent_held: int, cancelled_on: date) -> None:
    """The policy's share of the rent paid so far and still held in escrow (all of it up
    front; the instalments paid of a monthly lease) stays with the owner."""
    policy = CANCELLATION_POLICIES[booking.listing.cancellation_policy]
    refund_bp = policy.refund_bp(cancelled_on, booking.start_date)
    _refunded, kept = allocate(rent_held, [refund_bp, 10_000 - refund_bp])
    if kept:
        ledger.post(
            f"cancellation-kept:{booking.id}",
            "compensation",
            to_owner(booking, kept),
            booking_id=booking.id,
            memo=f"Rent kept under the {booking.listing.cancellation_policy} policy",
        )


def _charge_owner_penalty(booking: Booking) -> None:
    rate_bp = current_app.config["OWNER_CANCELLATION_PENALTY_BP"]
    penalty, _rest = allocate(booking.subtotal_minor, [rate_bp, 10_000 - rate_bp])
    if penalty:
        ledger.post(
            f"owner-penalty:{booking.id}",
            "penalty",
            [
                Leg(ledger.payable(booking.owner_id, booking.currency), -penalty, booking.id),
                Leg(ledger.reserve(booking.currency), penalty, booking.id),
            ],
            booking_id=booking.id,
            memo="The owner cancelled a paid lease: penalty into the guarantee reserve",
        )


def fees_split(booking: Booking) -> tuple[int, int]:
    """The commission and guarantee fee split off so far: those of the paid instalments."""
    instalments = scheduled_payments(booking.id)
    if not instalments and ledger.posted(f"fees:{booking.id}") is not None:
        # paid before payment plans existed: all of them at once, under the old key
        return booking.commission_minor, booking.guarantee_fee_minor
    paid = [i for i in instalments if i.paid_at is not None]
    return sum(i.commission_minor for i in paid), sum(i.guarantee_fee_minor for i in paid)


def _return_fees(booking: Booking) -> None:
    commission, fee = fees_split(booking)
    legs = fee_legs(booking, -commission, -fee)
    if legs:
        ledger.post(
            f"fees-returned:{booking.id}",
            "fee_return",
            legs,
            booking_id=booking.id,
            memo="The owner cancelled: commission and guarantee fee go back to the tenant",
        )


def _refund_reason(booking: Booking, by_owner: bool) -> str:
    if booking.state == "expired":
        return "Booking not paid in full in time"
    return f"Booking cancelled by {'the owner' if by_owner else 'the tenant'}"
