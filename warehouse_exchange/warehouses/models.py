"""Warehouses (physical sites) and the temperature zones they run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization
from ..catalog import HAZMAT_BITS, SERVICE_BITS, from_mask
from ..extensions import db
from ..models_base import UTCDateTime, utcnow


class Warehouse(db.Model):
    __tablename__ = "warehouses"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'archived')", name="status_known"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        CheckConstraint("max_pallet_height_cm > 0", name="pallet_height_positive"),
        CheckConstraint("max_pallet_weight_kg > 0", name="pallet_weight_positive"),
        CheckConstraint("floor_load_kg_m2 > 0", name="floor_load_positive"),
        CheckConstraint("hazmat_mask >= 0 AND services_mask >= 0", name="masks_non_negative"),
        Index("ix_warehouses_position", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    #: ISO 3166-1 alpha-2
    country: Mapped[str] = mapped_column(String(2), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    #: IANA zone; lease days are whole days in this zone
    timezone: Mapped[str] = mapped_column(String(64))
    bonded: Mapped[bool] = mapped_column(Boolean, default=False)
    #: bit (1 << n) set for each UN hazard class n accepted
    hazmat_mask: Mapped[int] = mapped_column(Integer, default=0)
    max_pallet_height_cm: Mapped[int] = mapped_column(Integer)
    max_pallet_weight_kg: Mapped[int] = mapped_column(Integer)
    floor_load_kg_m2: Mapped[int] = mapped_column(Integer)
    #: bits from catalog.SERVICE_BITS
    services_mask: Mapped[int] = mapped_column(Integer, default=0)
    #: comma-separated certifications, e.g. "ISO 9001, AEO, GDP"
    certifications: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    temperature_zones: Mapped[list[TemperatureZone]] = relationship(
        back_populates="warehouse", cascade="all, delete-orphan", order_by="TemperatureZone.min_c"
    )

    @property
    def hazmat_classes(self) -> list[int]:
        return from_mask(self.hazmat_mask, HAZMAT_BITS)

    @property
    def services(self) -> list[str]:
        return from_mask(self.services_mask, SERVICE_BITS)

    @property
    def certification_list(self) -> list[str]:
        return [c.strip() for c in self.certifications.split(",") if c.strip()]


class TemperatureZone(db.Model):
    __tablename__ = "temperature_zones"
    __table_args__ = (
        CheckConstraint("kind IN ('ambient', 'chilled', 'frozen')", name="kind_known"),
        CheckConstraint("min_c <= max_c", name="range_ordered"),
        UniqueConstraint("warehouse_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    min_c: Mapped[int] = mapped_column(Integer)
    max_c: Mapped[int] = mapped_column(Integer)

    warehouse: Mapped[Warehouse] = relationship(back_populates="temperature_zones")
