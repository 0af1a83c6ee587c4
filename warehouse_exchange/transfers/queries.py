"""Reads of transfers: one transfer for whoever may see it, the offers open to exporters, an
organization's transfers, those that take payment, a lease's offers and splits, the fair
price guide and the warning when the tenant's goods would not fit what it keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import and_, or_, select

from ..accounts.models import User
from ..bookings.models import Booking
from ..bookings.queries import get_booking
from ..errors import Forbidden, NotFound
from ..escrow.releases import booking_releases
from ..extensions import db
from ..money import Money
from ..pagination import Page, paginate
from ..permissions import require_operator, require_user
from ..shipments.stock import lease_space_used
from .models import Transfer
from .rules import (
    TransferState,
    split_escrow,
)


def unreleased_value(booking: Booking, effective: date, quantity: int) -> Money:
    """The guide to a fair price: the tenant's escrow that would follow `quantity` units
    from the effective day on (the releases not yet made that fall due from that day)."""
    moving = sum(
        release.amount_minor
        for release in booking_releases(booking.id)
        if release.released_at is None and release.due_on >= effective
    )
    taken, _kept = split_escrow(moving, quantity, booking.quantity - quantity)
    return Money(taken, booking.currency)


@dataclass(frozen=True)
class GoodsLeftOver:
    """The tenant's goods on hand on a lease take more space than the units it would keep."""

    #: space the goods take, in the listing's unit (rounded up to a tenth)
    used: Decimal
    #: units the tenant keeps after the transfer
    kept: int


def goods_left_over(booking: Booking, quantity: int) -> GoodsLeftOver | None:
    """Whether the goods checked in on the lease would not fit in the units the tenant keeps
    after handing `quantity` on (None: they fit, or nothing is on hand)."""
    used = lease_space_used(booking)
    kept = max(0, booking.quantity - quantity)
    if used <= kept:
        return None
    shown = used.quantize(Decimal("0.1"), ROUND_CEILING)
    if shown == shown.to_integral_value():
        shown = shown.quantize(Decimal(1))
    return GoodsLeftOver(shown, kept)


def goods_left_over_of(actor: User, transfer: Transfer) -> GoodsLeftOver | None:
    """The warning of an open transfer, for the tenant, the owner and operators only: the
    tenant's stock is not for the exporters browsing offers."""
    actor = require_user(actor)
    readers = (transfer.tenant_id, owner_of(transfer))
    if not transfer.is_open or not (actor.is_operator or actor.organization_id in readers):
        return None
    return goods_left_over(transfer.booking, transfer.quantity)


def transfer_by_id(transfer_id: int) -> Transfer:
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFound("No such transfer.")
    return transfer


def owner_of(transfer: Transfer) -> int:
    return transfer.listing.warehouse.organization_id


def get_transfer(actor: User, transfer_id: int) -> Transfer:
    """An offer is seen by everyone logged in (any exporter may ask for it); once asked for,
    only by its parties (tenant, taker, owner) and operators."""
    transfer = transfer_by_id(transfer_id)
    actor = require_user(actor)
    parties = (transfer.tenant_id, transfer.taker_id, owner_of(transfer))
    if (
        transfer.state == TransferState.OFFERED
        or actor.is_operator
        or actor.organization_id in parties
    ):
        return transfer
    raise NotFound("No such transfer.")


def offers(today: date, page: int, per_page: int, listing_id: int | None = None) -> Page:
    """Transfers on offer that can still be taken, the soonest first."""
    query = select(Transfer).where(
        Transfer.state == TransferState.OFFERED, Transfer.effective_date > today
    )
    if listing_id is not None:
        query = query.where(Transfer.listing_id == listing_id)
    return paginate(query.order_by(Transfer.effective_date, Transfer.id), page, per_page)


def my_transfers(actor: User, page: int, per_page: int) -> Page:
    """Transfers the actor's organization offered, asked for, or must answer as owner."""
    from ..listings.models import Listing
    from ..warehouses.models import Warehouse

    organization_id = require_user(actor).organization_id
    owned = select(Listing.id).join(Warehouse).where(Warehouse.organization_id == organization_id)
    query = select(Transfer).where(
        or_(
            Transfer.tenant_id == organization_id,
            Transfer.taker_id == organization_id,
            Transfer.listing_id.in_(owned),
        )
    )
    return paginate(query.order_by(Transfer.id.desc()), page, per_page)


def awaiting_payment(actor: User) -> list[Transfer]:
    """For operators, who record the takers' bank transfers: transfers that take payment."""
    require_operator(actor)
    return list(db.session.scalars(payable_transfers()))


def payable_transfers(today: date | None = None):
    """SQL: transfers that take the taker's payment (from `today` on: not yet lapsed)."""
    payable = or_(
        Transfer.state == TransferState.OWNER_APPROVED,
        and_(Transfer.state == TransferState.REQUESTED, Transfer.consent_required.is_(False)),
    )
    query = select(Transfer).where(payable).order_by(Transfer.effective_date, Transfer.id)
    return query if today is None else query.where(Transfer.effective_date > today)


def offers_on_lease(booking_id: int) -> list[Transfer]:
    return list(
        db.session.scalars(
            select(Transfer).where(Transfer.booking_id == booking_id).order_by(Transfer.id.desc())
        )
    )


@dataclass(frozen=True)
class LeaseSplit:
    """How a completed transfer touched a lease: `original` is the lease it split, `taken`
    the taker's new lease, `kept` the tenant's continuation of the units it kept."""

    role: str
    transfer: Transfer

    @property
    def kept_units(self) -> int:
        return self.transfer.booking.quantity - self.transfer.quantity


def lease_splits(booking: Booking) -> list[LeaseSplit]:
    """The completed transfers that made this lease or split it, oldest first."""
    transfers = db.session.scalars(
        select(Transfer)
        .where(
            Transfer.state == TransferState.COMPLETED,
            or_(
                Transfer.booking_id == booking.id,
                Transfer.new_booking_id == booking.id,
                Transfer.continuation_id == booking.id,
            ),
        )
        .order_by(Transfer.id)
    )
    return [LeaseSplit(_role_of(booking, transfer), transfer) for transfer in transfers]


def _role_of(booking: Booking, transfer: Transfer) -> str:
    if transfer.booking_id == booking.id:
        return "original"
    return "taken" if transfer.new_booking_id == booking.id else "kept"


def lease_to_offer(actor: User, booking_id: int) -> Booking:
    """The lease whose offer page the actor opens: its tenant's only."""
    booking = get_booking(actor, booking_id)
    if actor.organization_id != booking.tenant_id:
        raise Forbidden("Only the lease's tenant can offer it for transfer.")
    return booking
