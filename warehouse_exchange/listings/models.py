"""Listings: offers of capacity in one warehouse."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog import CATEGORY_BITS, HAZMAT_BITS, from_mask
from ..extensions import db
from ..models_base import UTCDateTime, utcnow
from ..money import Money
from ..warehouses.models import Warehouse
from .rules import LISTING_MACHINE, ListingStatus


class Listing(db.Model):
    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("unit IN ('pallet', 'cbm', 'sqm')", name="unit_known"),
        CheckConstraint(LISTING_MACHINE.sql_in(), name="status_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("min_quantity >= 1 AND min_quantity <= quantity", name="min_quantity_fits"),
        CheckConstraint("min_term_days >= 1", name="min_term_positive"),
        CheckConstraint("available_from <= available_to", name="window_ordered"),
        CheckConstraint("price_minor > 0", name="price_positive"),
        CheckConstraint("length(currency) = 3", name="currency_alpha3"),
        CheckConstraint(
            "max_unit_length_cm > 0 AND max_unit_width_cm > 0 AND max_unit_height_cm > 0",
            name="dimensions_positive",
        ),
        CheckConstraint("max_unit_weight_kg > 0", name="weight_positive"),
        CheckConstraint("temperature_min_c <= temperature_max_c", name="temperature_ordered"),
        CheckConstraint("hazmat_mask >= 0 AND categories_mask > 0", name="masks_valid"),
        CheckConstraint(
            "cancellation_policy IN ('flexible', 'moderate', 'strict')", name="policy_known"
        ),
        CheckConstraint("first_release IN ('start_day', 'check_in')", name="first_release_known"),
        Index("ix_listings_search", "status", "unit", "available_from", "available_to"),
        Index("ix_listings_price", "currency", "price_minor"),
        Index("ix_listings_price_rank", "status", "price_rank", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(2000), default="")
    #: pallet, cbm or sqm
    unit: Mapped[str] = mapped_column(String(6))
    #: units on offer on every day of the window
    quantity: Mapped[int] = mapped_column(Integer)
    available_from: Mapped[date] = mapped_column(Date)
    #: last day that can be leased (inclusive)
    available_to: Mapped[date] = mapped_column(Date)
    #: price of one unit for seven days, in minor units of `currency`
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    #: the weekly unit price in minor units of the base currency at the latest rate, as a
    #: float: a sort key that an index can serve (converting to any currency keeps its
    #: order), never shown or summed. +inf when the currency has no rate yet, so such
    #: listings sort last. fx.services keeps it current.
    price_rank: Mapped[float] = mapped_column(Float, default=float("inf"))
    min_quantity: Mapped[int] = mapped_column(Integer, default=1)
    min_term_days: Mapped[int] = mapped_column(Integer, default=7)
    max_unit_length_cm: Mapped[int] = mapped_column(Integer)
    max_unit_width_cm: Mapped[int] = mapped_column(Integer)
    max_unit_height_cm: Mapped[int] = mapped_column(Integer)
    max_unit_weight_kg: Mapped[int] = mapped_column(Integer)
    #: the range the space is kept in; goods match when it lies inside what they tolerate
    temperature_min_c: Mapped[int] = mapped_column(Integer)
    temperature_max_c: Mapped[int] = mapped_column(Integer)
    #: bit (1 << n) for each UN hazard class n accepted; 0 means no dangerous goods
    hazmat_mask: Mapped[int] = mapped_column(Integer, default=0)
    #: bits from catalog.CATEGORY_BITS
    categories_mask: Mapped[int] = mapped_column(Integer)
    instant_book: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a key of listings.rules.CANCELLATION_POLICIES
    cancellation_policy: Mapped[str] = mapped_column(String(10), default="moderate")
    #: a key of listings.rules.FIRST_RELEASES
    first_release: Mapped[str] = mapped_column(
        String(10), default="start_day", server_default="start_day"
    )
    #: a lease here is transferred to another exporter only with the owner's approval
    transfer_consent: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    status: Mapped[str] = mapped_column(String(10), default=ListingStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    warehouse: Mapped[Warehouse] = relationship()

    @property
    def unit_price(self) -> Money:
        return Money(self.price_minor, self.currency)

    @property
    def hazmat_classes(self) -> list[int]:
        return from_mask(self.hazmat_mask, HAZMAT_BITS)

    @property
    def categories(self) -> list[str]:
        return from_mask(self.categories_mask, CATEGORY_BITS)
