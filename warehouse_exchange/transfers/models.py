"""Transfers: a tenant hands the rest of a lease (all or part of its units, from an effective
day on) to another exporter, who pays the asking price into escrow."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User
from ..bookings.models import Booking
from ..extensions import db
from ..goods import AFTER_GOODS, SkuProfileColumns
from ..listings.models import Listing
from ..models_base import UTCDateTime, utcnow
from ..money import Money
from .rules import OPEN_STATES, TRANSFER_MACHINE, TransferState

_OPEN = TRANSFER_MACHINE.sql_in(OPEN_STATES)


class Transfer(SkuProfileColumns, db.Model):
    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint(TRANSFER_MACHINE.sql_in(), name="state_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price_minor > 0", name="price_positive"),
        CheckConstraint(
            "state NOT IN ('requested', 'owner_approved', 'completed', 'refused')"
            " OR taker_id IS NOT NULL",
            name="requested_has_taker",
        ),
        CheckConstraint("taker_id IS NULL OR taker_id <> tenant_id", name="taker_not_tenant"),
        # one open transfer per lease: a second offer would sell the same days twice
        Index(
            "uq_transfers_open_booking",
            "booking_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        # search's "transfers on offer" filter and badge look offers up by listing
        Index("ix_transfers_listing_state", "listing_id", "state"),
        Index("ix_transfers_state_effective", "state", "effective_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the lease offered
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    #: the lease's listing, copied so that search finds offers without joining bookings
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    #: the organization handing the lease on
    tenant_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    offered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the first day that belongs to the taker (the lease keeps the days before it)
    effective_date: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    #: what the taker pays the tenant, in the lease's currency
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    #: whether the owner must approve the taker (the listing's term when it was offered)
    consent_required: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(15), default=TransferState.OFFERED)
    #: the exporter taking the lease over, and the goods it declared
    taker_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # here the taker's goods (SkuProfileColumns), unknown until it asks for the lease
    goods_optional = True
    #: who approved, refused or withdrew it, and why
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), sort_order=AFTER_GOODS
    )
    reason: Mapped[str] = mapped_column(String(500), default="", sort_order=AFTER_GOODS)
    #: at completion: the taker's new lease, the tenant's continuation of the units it keeps,
    #: the platform's fee and the escrow that followed the days handed on
    new_booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id"), sort_order=AFTER_GOODS
    )
    continuation_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id"), sort_order=AFTER_GOODS
    )
    fee_minor: Mapped[int | None] = mapped_column(BigInteger, sort_order=AFTER_GOODS)
    escrow_moved_minor: Mapped[int | None] = mapped_column(BigInteger, sort_order=AFTER_GOODS)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, sort_order=AFTER_GOODS
    )
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, sort_order=AFTER_GOODS)
    #: when the owner gave its consent to the taker (None: not given, or not needed)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, sort_order=AFTER_GOODS)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, sort_order=AFTER_GOODS)

    booking: Mapped[Booking] = relationship(foreign_keys=[booking_id])
    listing: Mapped[Listing] = relationship()
    tenant: Mapped[Organization] = relationship(foreign_keys=[tenant_id])
    taker: Mapped[Organization | None] = relationship(foreign_keys=[taker_id])
    offered_by: Mapped[User] = relationship(foreign_keys=[offered_by_id])
    new_booking: Mapped[Booking | None] = relationship(foreign_keys=[new_booking_id])
    continuation: Mapped[Booking | None] = relationship(foreign_keys=[continuation_id])

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)

    @property
    def fee(self) -> Money | None:
        return None if self.fee_minor is None else Money(self.fee_minor, self.currency)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
