"""Inbound shipments of a lease: the goods on their way to the warehouse and their timeline."""

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

from ..accounts.models import User
from ..bookings.models import Booking
from ..extensions import db
from ..models_base import UTCDateTime, utcnow
from ..money import Money
from .rules import EVENT_KINDS, MODES, STATUSES


class Shipment(db.Model):
    """Goods a tenant announced as coming to the warehouse of one of its leases."""

    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint(f"mode IN {tuple(MODES)!r}", name="mode_known"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        Index("ix_shipments_booking", "booking_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    carrier: Mapped[str] = mapped_column(String(80))
    tracking_number: Mapped[str] = mapped_column(String(80))
    mode: Mapped[str] = mapped_column(String(10))
    expected_arrival: Mapped[date] = mapped_column(Date)
    #: the kind of the latest event by time ('announced' without events); kept by the service
    #: under a lock on this row
    status: Mapped[str] = mapped_column(String(20), default="announced")
    #: when the event that gives the status happened
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the earliest arrived or checked_in event: a shipment with one is never late
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    announced_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship()
    announced_by: Mapped[User] = relationship()
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", order_by="ShipmentLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[ShipmentEvent]] = relationship(
        back_populates="shipment",
        order_by="[ShipmentEvent.at, ShipmentEvent.id]",
        cascade="all, delete-orphan",
    )

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)


class ShipmentLine(db.Model):
    """One SKU of a shipment: how many units, their size and weight, value and customs data."""

    __tablename__ = "shipment_lines"
    __table_args__ = (
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint(
            "unit_length_cm > 0 AND unit_width_cm > 0 AND unit_height_cm > 0",
            name="dimensions_positive",
        ),
        CheckConstraint("unit_weight_kg > 0", name="weight_positive"),
        CheckConstraint("declared_value_minor >= 0", name="value_non_negative"),
        CheckConstraint("length(currency) = 3", name="currency_alpha3"),
        CheckConstraint("length(hs_code) BETWEEN 6 AND 10", name="hs_code_length"),
        CheckConstraint(
            "hazmat_class IS NULL OR hazmat_class BETWEEN 1 AND 9", name="hazmat_class_known"
        ),
        UniqueConstraint("shipment_id", "sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    units: Mapped[int] = mapped_column(Integer)
    unit_length_cm: Mapped[int] = mapped_column(Integer)
    unit_width_cm: Mapped[int] = mapped_column(Integer)
    unit_height_cm: Mapped[int] = mapped_column(Integer)
    unit_weight_kg: Mapped[int] = mapped_column(Integer)
    #: declared customs value of all the line's units
    declared_value_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    hs_code: Mapped[str] = mapped_column(String(10))
    hazmat_class: Mapped[int | None] = mapped_column(Integer)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")

    @property
    def declared_value(self) -> Money:
        return Money(self.declared_value_minor, self.currency)


class ShipmentEvent(db.Model):
    """One step of a shipment's timeline, as the tenant or the warehouse owner reported it."""

    __tablename__ = "shipment_events"
    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(EVENT_KINDS)!r}", name="kind_known"),
        Index("ix_shipment_events_timeline", "shipment_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    kind: Mapped[str] = mapped_column(String(20))
    #: when it happened (UTC), which may be before events added earlier
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shipment: Mapped[Shipment] = relationship(back_populates="events")
    added_by: Mapped[User] = relationship()
