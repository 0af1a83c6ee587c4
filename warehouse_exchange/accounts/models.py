"""Organizations, their members, invitations and API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog import RATING_TIERS, UNRATED
from ..extensions import db
from ..models_base import UTCDateTime, utcnow


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("kind IN ('owner', 'exporter', 'both')", name="kind_known"),
        CheckConstraint(
            "credit_score IS NULL OR (credit_score BETWEEN 0 AND 1000)", name="credit_score_range"
        ),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        CheckConstraint(f"rating_tier IN {(*RATING_TIERS, UNRATED)!r}", name="rating_tier_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: owner, exporter or both
    kind: Mapped[str] = mapped_column(String(10))
    #: ISO 3166-1 alpha-2 country of registration
    country: Mapped[str] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    #: 0-1000, computed from the organization's history; NULL while unrated
    credit_score: Mapped[int | None] = mapped_column(Integer)
    # The trust area keeps these three current, so that search filters and sorts on a join
    # rather than computing them per row.
    #: AAA to C, or "unrated" below the minimum history
    rating_tier: Mapped[str] = mapped_column(String(7), default=UNRATED, server_default=UNRATED)
    #: an operator approved the organization's verification request
    verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: on the blacklist now: it may not publish, book or transfer
    blacklisted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organization")

    @property
    def owns_warehouses(self) -> bool:
        return self.kind in ("owner", "both")

    @property
    def rents_space(self) -> bool:
        return self.kind in ("exporter", "both")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'member', 'operator')", name="role_known"),
        CheckConstraint(
            "(role = 'operator') = (organization_id IS NULL)", name="operators_have_no_organization"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-case so that the UNIQUE constraint is case-insensitive
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    #: admin (may invite members), member, or operator (platform staff, no organization)
    role: Mapped[str] = mapped_column(String(10))
    #: False while an operator has suspended the account: no log-in, no API token works
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: part of the id every session and remember-me cookie carries (see `get_id`); raising it
    #: ends all of the user's sessions everywhere (log-out, new password, suspension)
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization | None] = relationship(back_populates="members")

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    #: SHA-256 of the token in the invitation link; the token itself is never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the bearer token; the token is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the token is refused from this moment on; every token has one
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when the token last authenticated a request, kept to within API_TOKEN_LAST_USE_SECONDS
    #: so that reading with a token does not write on every request
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def status(self, now: datetime) -> str:
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


class LoginThrottle(db.Model):
    """Failed log-ins with one email address, counted in the database so that every worker
    sees the same count, and the lock-out they led to. Keyed by the address typed in, whether
    or not it has an account, so that a lock-out tells nobody which addresses are registered."""

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)

    #: lower-case, as in users.email
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    #: failed log-ins since window_started_at
    failures: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: log-in with this address is refused until then, whatever the password
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def count_failure(
        self, now: datetime, window: timedelta, limit: int, lockout: timedelta
    ) -> bool:
        """Count one failure in the current window (a new one once the last has passed);
        the limit-th failure locks the address for `lockout`. True when it did."""
        if self.window_started_at + window <= now:
            self.failures, self.window_started_at = 0, now
        self.failures += 1
        if self.failures < limit:
            return False
        self.failures, self.window_started_at, self.locked_until = 0, now, now + lockout
        return True
