"""Inbound shipments of a lease: the goods on their way to the warehouse, their timeline, the
owner's check-in, the stock they become, the units released outbound, and carriers' tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..bookings.models import Booking
from ..extensions import db
from ..files.models import StoredFile
from ..goods import AFTER_GOODS, UnitSizeColumns
from ..models_base import UTCDateTime, utcnow
from ..money import Money
from .rules import (
    CANCELLED,
    EVENT_KINDS,
    MODES,
    STATUSES,
    first_check_in_day,
    is_late,
    line_discrepancy,
)


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
    #: why the tenant cancelled it (status cancelled)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))

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
    check_in: Mapped[CheckIn | None] = relationship(back_populates="shipment")

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)

    @property
    def has_discrepancy(self) -> bool:
        return self.check_in is not None and self.check_in.has_discrepancy

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    def is_late(self, today: date) -> bool:
        """Expected before today, not arrived, and not cancelled."""
        return not self.cancelled and is_late(self.expected_arrival, self.arrived_at, today)

    @property
    def check_in_from(self) -> date:
        """The first day the owner checks these goods in, in the warehouse's time zone."""
        consent = db.session.get(EarlyArrival, self.booking_id)
        return first_check_in_day(self.booking.start_date, consent.from_date if consent else None)

    @property
    def declared_values(self) -> list[Money]:
        """The declared value of all the goods, one sum per currency, in the lines' order."""
        totals: dict[str, Money] = {}
        for line in self.lines:
            value = line.declared_value
            totals[line.currency] = (
                totals[line.currency] + value if line.currency in totals else value
            )
        return list(totals.values())


class EarlyArrival(db.Model):
    """The warehouse owner's consent that a lease's goods come in before its first day."""

    __tablename__ = "early_arrivals"

    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), primary_key=True)
    #: the first day goods are checked in, before the lease's own first day
    from_date: Mapped[date] = mapped_column(Date)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    granted_by: Mapped[User] = relationship()


class ShipmentLine(UnitSizeColumns, db.Model):
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
    # here the size and weight of one unit (UnitSizeColumns)
    #: declared customs value of all the line's units
    declared_value_minor: Mapped[int] = mapped_column(BigInteger, sort_order=AFTER_GOODS)
    currency: Mapped[str] = mapped_column(String(3), sort_order=AFTER_GOODS)
    hs_code: Mapped[str] = mapped_column(String(10), sort_order=AFTER_GOODS)
    hazmat_class: Mapped[int | None] = mapped_column(Integer, sort_order=AFTER_GOODS)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")

    @property
    def declared_value(self) -> Money:
        return Money(self.declared_value_minor, self.currency)


class ShipmentEvent(db.Model):
    """One step of a shipment's timeline, as the tenant or the warehouse owner reported it."""

    __tablename__ = "shipment_events"
    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(EVENT_KINDS)!r}", name="kind_known"),
        CheckConstraint("(added_by_id IS NULL) <> (carrier_token_id IS NULL)", name="one_reporter"),
        Index("ix_shipment_events_timeline", "shipment_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    kind: Mapped[str] = mapped_column(String(20))
    #: when it happened (UTC), which may be before events added earlier
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    #: the member of a party who reported it, or else the carrier token it came with
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    carrier_token_id: Mapped[int | None] = mapped_column(ForeignKey("carrier_tokens.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shipment: Mapped[Shipment] = relationship(back_populates="events")
    added_by: Mapped[User | None] = relationship()
    carrier_token: Mapped[CarrierToken | None] = relationship()

    @property
    def reporter(self) -> str:
        if self.added_by is not None:
            return self.added_by.name
        return f"carrier ({self.carrier_token.name})"


#: the photos and documents the owner took at a check-in
check_in_files = Table(
    "check_in_files",
    db.metadata,
    Column("check_in_id", ForeignKey("check_ins.id"), primary_key=True),
    Column("stored_file_id", ForeignKey("stored_files.id"), primary_key=True, unique=True),
)


class CheckIn(db.Model):
    """The warehouse owner's count of a shipment's goods on arrival: one per shipment."""

    __tablename__ = "check_ins"
    __table_args__ = (Index("ix_check_ins_booking", "booking_id", "checked_in_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), unique=True)
    #: the shipment's lease, copied so that stock and the first check-in are found directly
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(1000), default="")
    checked_in_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    shipment: Mapped[Shipment] = relationship(back_populates="check_in")
    checked_in_by: Mapped[User] = relationship()
    lines: Mapped[list[CheckInLine]] = relationship(
        back_populates="check_in", order_by="CheckInLine.id", cascade="all, delete-orphan"
    )
    files: Mapped[list[StoredFile]] = relationship(secondary=check_in_files, order_by=StoredFile.id)

    @property
    def has_discrepancy(self) -> bool:
        return any(line.has_discrepancy for line in self.lines)


class CheckInLine(db.Model):
    """What arrived of one announced SKU: units in good order and units damaged. Missing and
    over-delivered units follow from the announced count."""

    __tablename__ = "check_in_lines"
    __table_args__ = (
        CheckConstraint("received_good >= 0 AND damaged >= 0", name="counts_non_negative"),
        UniqueConstraint("check_in_id", "shipment_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("check_ins.id"))
    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("shipment_lines.id"))
    received_good: Mapped[int] = mapped_column(Integer)
    damaged: Mapped[int] = mapped_column(Integer)

    check_in: Mapped[CheckIn] = relationship(back_populates="lines")
    shipment_line: Mapped[ShipmentLine] = relationship()

    @property
    def sku(self) -> str:
        return self.shipment_line.sku

    @property
    def announced(self) -> int:
        return self.shipment_line.units

    @property
    def missing(self) -> int:
        return line_discrepancy(self.announced, self.received_good, self.damaged)[0]

    @property
    def over_delivered(self) -> int:
        return line_discrepancy(self.announced, self.received_good, self.damaged)[1]

    @property
    def has_discrepancy(self) -> bool:
        return bool(self.damaged or self.missing or self.over_delivered)


class StockItem(db.Model):
    """Units of one SKU a lease holds in the warehouse: what was checked in less what left.
    The CHECK is the guarantee that no more leaves than came in; check-ins and releases
    update the row under a lock in their own transaction."""

    __tablename__ = "stock_items"
    __table_args__ = (
        CheckConstraint(
            "received_good >= 0 AND received_damaged >= 0 AND released >= 0",
            name="counts_non_negative",
        ),
        CheckConstraint("released <= received_good + received_damaged", name="released_held"),
        CheckConstraint(
            "unit_length_cm > 0 AND unit_width_cm > 0 AND unit_height_cm > 0 "
            "AND unit_weight_kg > 0",
            name="unit_size_positive",
        ),
        UniqueConstraint("booking_id", "sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    received_good: Mapped[int] = mapped_column(Integer, default=0)
    received_damaged: Mapped[int] = mapped_column(Integer, default=0)
    released: Mapped[int] = mapped_column(Integer, default=0)
    #: the size and weight of one unit as last announced: what the space it takes is reckoned by
    unit_length_cm: Mapped[int] = mapped_column(Integer)
    unit_width_cm: Mapped[int] = mapped_column(Integer)
    unit_height_cm: Mapped[int] = mapped_column(Integer)
    unit_weight_kg: Mapped[int] = mapped_column(Integer)

    booking: Mapped[Booking] = relationship()

    @property
    def on_hand(self) -> int:
        return self.received_good + self.received_damaged - self.released


class OutboundRelease(db.Model):
    """Units of one SKU the warehouse owner shipped out of a lease."""

    __tablename__ = "outbound_releases"
    __table_args__ = (
        CheckConstraint("units > 0", name="units_positive"),
        Index("ix_outbound_releases_booking", "booking_id", "shipped_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"))
    units: Mapped[int] = mapped_column(Integer)
    shipped_on: Mapped[date] = mapped_column(Date)
    #: the carrier and its reference (waybill, collection number)
    reference: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(String(500), default="")
    released_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stock_item: Mapped[StockItem] = relationship()
    released_by: Mapped[User] = relationship()

    @property
    def sku(self) -> str:
        return self.stock_item.sku


class CarrierToken(db.Model):
    """A bearer token the tenant gives its carrier: it reads one shipment and adds transit
    events to it, until it expires or is revoked."""

    __tablename__ = "carrier_tokens"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_issue"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    #: who it is for, as the tenant named it
    name: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the bearer token; the token is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shipment: Mapped[Shipment] = relationship()
    created_by: Mapped[User] = relationship()

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
