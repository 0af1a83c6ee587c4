"""Files people upload as evidence: check-in photos, verification documents, dispute proof."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, utcnow
from .rules import ACCEPTED_TYPES


class StoredFile(db.Model):
    """An uploaded file: its bytes are in the file store under `storage_key`. Who may read it
    is decided by the record that refers to it (a check-in, a dispute, a verification)."""

    __tablename__ = "stored_files"
    __table_args__ = (
        CheckConstraint(f"content_type IN {tuple(sorted(ACCEPTED_TYPES))!r}", name="type_accepted"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(32), unique=True)
    #: the name the uploader gave it, made safe to show and to offer as a download name
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
