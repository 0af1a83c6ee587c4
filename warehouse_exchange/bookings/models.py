"""Bookings (leases), their history, and the per-day capacity ledger of each listing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User
from ..extensions import db
from ..goods import AFTER_GOODS, SkuProfileColumns
from ..listings.models import Listing
from ..models_base import UTCDateTime, utcnow
from ..money import Money
from .rules import BOOKING_MACHINE, PAYMENT_PLANS


class CapacityDay(db.Model):
    """Units of one listing held on one day. The CHECK is the guarantee against overbooking:
    every hold updates these rows in the booking's own transaction."""

    __tablename__ = "capacity_days"
    __table_args__ = (
        CheckConstraint("held >= 0", name="held_non_negative"),
        CheckConstraint("held <= capacity", name="held_within_capacity"),
    )

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: the listing's quantity, copied so that the database itself can compare
    capacity: Mapped[int] = mapped_column(Integer)
    held: Mapped[int] = mapped_column(Integer, default=0)


class Booking(SkuProfileColumns, db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(BOOKING_MACHINE.sql_in(), name="state_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("start_date <= end_date", name="dates_ordered"),
        CheckConstraint(
            "(subtotal_minor > 0 OR transferred_from_id IS NOT NULL) AND subtotal_minor >= 0 "
            "AND commission_minor >= 0 AND guarantee_fee_minor >= 0 "
            "AND total_minor = subtotal_minor + commission_minor + guarantee_fee_minor",
            name="quote_adds_up",
        ),
        CheckConstraint("sku_count > 0", name="sku_count_positive"),
        CheckConstraint(f"payment_plan IN {PAYMENT_PLANS!r}", name="payment_plan_known"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_bookings_listing_state", "listing_id", "state"),
        Index("ix_bookings_tenant_state", "tenant_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    #: the exporter organization that rents the space
    tenant_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    #: last day of the lease (inclusive)
    end_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10))
    #: True while the booking's units are counted in capacity_days
    holds_capacity: Mapped[bool] = mapped_column(default=False)
    # here the SKU profile of the goods, as declared by the tenant (SkuProfileColumns)
    #: the quote, fixed when the request is made, in the listing's currency
    currency: Mapped[str] = mapped_column(String(3), sort_order=AFTER_GOODS)
    subtotal_minor: Mapped[int] = mapped_column(BigInteger, sort_order=AFTER_GOODS)
    commission_minor: Mapped[int] = mapped_column(BigInteger, sort_order=AFTER_GOODS)
    guarantee_fee_minor: Mapped[int] = mapped_column(BigInteger, sort_order=AFTER_GOODS)
    total_minor: Mapped[int] = mapped_column(BigInteger, sort_order=AFTER_GOODS)
    #: "upfront" (the whole total at confirmation) or "monthly" (one instalment a month)
    payment_plan: Mapped[str] = mapped_column(String(10), default="upfront", sort_order=AFTER_GOODS)
    #: the last day agreed at first, when the lease was made to end earlier
    original_end_date: Mapped[date | None] = mapped_column(Date, sort_order=AFTER_GOODS)
    #: the lease this one took over days of, by a transfer (its rent is the escrow that
    #: followed those days, nothing when the owner had been paid for them already)
    transferred_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id"), sort_order=AFTER_GOODS
    )
    #: when the tenant first missed an instalment that the guarantee reserve then covered
    defaulted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, sort_order=AFTER_GOODS)
    #: the client's key for this request; a replayed POST finds the first booking
    idempotency_key: Mapped[str | None] = mapped_column(String(64), sort_order=AFTER_GOODS)
    #: when an unanswered request lapses
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, sort_order=AFTER_GOODS)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, sort_order=AFTER_GOODS
    )

    listing: Mapped[Listing] = relationship()
    tenant: Mapped[Organization] = relationship()
    requested_by: Mapped[User] = relationship()
    events: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", order_by="BookingEvent.id", cascade="all, delete-orphan"
    )
    # `payment_instalments`, what the tenant pays by when, is attached by escrow, which makes
    # them (escrow/booking_instalments.py): bookings stay below escrow

    def money(self, minor: int) -> Money:
        return Money(minor, self.currency)

    @property
    def owner_id(self) -> int:
        """The organization that owns the listing's warehouse: the other party to the lease."""
        return self.listing.warehouse.organization_id


class BookingEvent(db.Model):
    """One transition of a booking: who moved it, when, from what to what, and why."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    #: NULL when the platform itself moved it (expiry, start and end days)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
