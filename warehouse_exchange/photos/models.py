"""Photos of a warehouse (docks, racking, cold rooms) or of a listing's space, each kept in
three renditions made at upload: the original re-encoded without metadata, a display size and
a thumbnail. The raw upload itself is never kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..files.models import StoredFile
from ..models_base import UTCDateTime, utcnow

#: the renditions kept of each photo, by the name used in URLs
SIZES = ("original", "display", "thumb")


def _one_cover_per(parent: str) -> Index:
    """At most one cover among a parent's photos: a partial unique index on the parent."""
    where = text(f"is_cover AND {parent} IS NOT NULL")
    return Index(
        f"uq_photos_{parent}_cover",
        parent,
        unique=True,
        postgresql_where=where,
        sqlite_where=where,
    )


class Photo(db.Model):
    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint("(warehouse_id IS NULL) <> (listing_id IS NULL)", name="one_parent"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        CheckConstraint("length(alt_text) > 0", name="alt_text_given"),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
        UniqueConstraint("warehouse_id", "position"),
        UniqueConstraint("listing_id", "position"),
        _one_cover_per("warehouse_id"),
        _one_cover_per("listing_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int | None] = mapped_column(
        ForeignKey("warehouses.id", ondelete="CASCADE"), index=True
    )
    listing_id: Mapped[int | None] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    #: the order the gallery shows them in, from 0
    position: Mapped[int] = mapped_column(Integer)
    alt_text: Mapped[str] = mapped_column(String(200))
    is_cover: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the upright picture's size in pixels, after orientation was applied
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    original_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    display_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    thumb_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    original_file: Mapped[StoredFile] = relationship(foreign_keys=[original_file_id])
    display_file: Mapped[StoredFile] = relationship(foreign_keys=[display_file_id])
    thumb_file: Mapped[StoredFile] = relationship(foreign_keys=[thumb_file_id])

    def file(self, size: str) -> StoredFile:
        return getattr(self, f"{size}_file")

    @property
    def parent_kind(self) -> str:
        return "warehouses" if self.warehouse_id is not None else "listings"

    @property
    def parent_id(self) -> int:
        return self.warehouse_id if self.warehouse_id is not None else self.listing_id

    def size_of(self, longest: int) -> tuple[int, int]:
        """The pixel size of a rendition whose longest side is at most `longest`."""
        scale = min(1.0, longest / max(self.width, self.height))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))
