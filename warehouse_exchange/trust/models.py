"""Trust: verification requests, reviews of finished leases, credit ratings (the blacklist's
entries are in blacklist/models.py, below the areas that consult it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User
from ..bookings.models import Booking
from ..catalog import RATING_TIERS, UNRATED
from ..extensions import db
from ..files.models import StoredFile
from ..models_base import UTCDateTime, utcnow

VERIFICATION_STATES = ("pending", "approved", "rejected")
#: the party a review is about: the owner (reviewed by its tenant) or the tenant
REVIEW_SUBJECTS = ("owner", "tenant")


class VerificationRequest(db.Model):
    """An organization's claim to be a registered enterprise, with its evidence, until an
    operator approves or rejects it."""

    __tablename__ = "verification_requests"
    __table_args__ = (
        CheckConstraint(f"state IN {VERIFICATION_STATES!r}", name="state_known"),
        CheckConstraint(
            "(state = 'pending') = (decided_at IS NULL)", name="decided_unless_pending"
        ),
        CheckConstraint(
            "state != 'rejected' OR decision_reason != ''", name="rejection_has_reason"
        ),
        Index("ix_verification_requests_organization", "organization_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    registration_number: Mapped[str] = mapped_column(String(60))
    #: ISO 3166-1 alpha-2 country whose register holds the number
    registration_country: Mapped[str] = mapped_column(String(2))
    address: Mapped[str] = mapped_column(String(300))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[str] = mapped_column(String(8), default="pending")
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: why it was rejected (shown to the organization), or an operator's note on approval
    decision_reason: Mapped[str] = mapped_column(String(500), default="")

    organization: Mapped[Organization] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    documents: Mapped[list[StoredFile]] = relationship(
        secondary="verification_documents", order_by=StoredFile.id
    )


class VerificationDocument(db.Model):
    """A file that backs a verification request (a register extract, a licence)."""

    __tablename__ = "verification_documents"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("verification_requests.id"), primary_key=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), primary_key=True)


class Review(db.Model):
    """One party's review of the other after a lease is over: 1 to 5 stars on three
    aspects that depend on whom it is about, a comment, and the other party's one answer."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint(f"subject_role IN {REVIEW_SUBJECTS!r}", name="subject_role_known"),
        CheckConstraint(
            "communication BETWEEN 1 AND 5"
            " AND aspect_1 BETWEEN 1 AND 5 AND aspect_2 BETWEEN 1 AND 5",
            name="stars_in_range",
        ),
        CheckConstraint("author_id != subject_id", name="not_about_oneself"),
        CheckConstraint("(hidden_at IS NULL) = (hidden_by_id IS NULL)", name="hidden_by_someone"),
        CheckConstraint("hidden_at IS NULL OR hidden_reason != ''", name="hiding_has_reason"),
        CheckConstraint("(reply IS NULL) = (replied_at IS NULL)", name="reply_is_dated"),
        # each party reviews each lease once
        UniqueConstraint("booking_id", "author_id"),
        Index("ix_reviews_subject", "subject_id", "hidden_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    #: the organization that wrote it, and the one it is about
    author_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    subject_role: Mapped[str] = mapped_column(String(6))
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: about an owner: space as described; about a tenant: paid on time
    aspect_1: Mapped[int] = mapped_column(Integer)
    #: about an owner: handling of the goods; about a tenant: goods as declared
    aspect_2: Mapped[int] = mapped_column(Integer)
    communication: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the reviewed organization's answer, once
    reply: Mapped[str | None] = mapped_column(String(2000))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: an operator hid it as abusive; it stays recorded, but is neither shown nor counted
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")

    booking: Mapped[Booking] = relationship()
    author: Mapped[Organization] = relationship(foreign_keys=[author_id])
    subject: Mapped[Organization] = relationship(foreign_keys=[subject_id])

    @property
    def stars(self) -> tuple[int, int, int]:
        return (self.aspect_1, self.aspect_2, self.communication)

    @property
    def average(self) -> float:
        return sum(self.stars) / 3


class CreditRating(db.Model):
    """The latest assessment of an organization: the facts it was computed from and what
    each factor added or took away, so that the profile can explain its tier."""

    __tablename__ = "credit_ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 1000", name="score_range"),
        CheckConstraint(f"tier IN {(*RATING_TIERS, UNRATED)!r}", name="tier_known"),
    )

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(7))
    #: trust.rules.CreditFacts as a dict
    facts: Mapped[dict] = mapped_column(JSON)
    #: [[label, points], ...] in the order rules.assess gives them
    factors: Mapped[list] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
