"""Use cases of reviews: each party reviews the other once after a lease is over, the reviewed
party answers once, and an operator hides an abusive review with a recorded reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select

from ..accounts.models import User
from ..bookings.models import Booking, BookingEvent
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..notifications.messages import Message
from ..notifications.services import notify
from ..pagination import Page, paginate
from ..permissions import require_operator, require_user
from ..unit_of_work import locked_row, use_case
from ..validation import require_text
from .credit import rate
from .models import Review
from .rules import ASPECTS, lease_is_over

STAR_FIELDS = ("aspect_1", "aspect_2", "communication")


class AlreadyReviewed(Conflict):
    pass


class LeaseNotOver(Conflict):
    pass


@dataclass(frozen=True)
class ReviewData:
    aspect_1: int | None
    aspect_2: int | None
    communication: int | None
    comment: str = ""


def _check_stars(data: ReviewData, subject_role: str) -> None:
    problems = {}
    for name, label in zip(STAR_FIELDS, ASPECTS[subject_role], strict=True):
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            problems[name] = f"{label}: give 1 to 5 stars."
    if problems:
        raise InvalidInput("Rate each aspect with 1 to 5 stars.", problems)


def was_confirmed(booking: Booking) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    BookingEvent.booking_id == booking.id, BookingEvent.to_state == "confirmed"
                )
            )
        )
    )


def _reviewing_party(actor: User, booking: Booking) -> tuple[int, str]:
    """The organization the actor's review is about, and its role in the lease."""
    if actor.organization_id == booking.tenant_id:
        return booking.owner_id, "owner"
    if actor.organization_id == booking.owner_id:
        return booking.tenant_id, "tenant"
    raise Forbidden("Only the parties to a lease can review it.")


def _own_review(organization_id: int, booking_id: int) -> Review | None:
    return db.session.scalar(
        select(Review).where(Review.booking_id == booking_id, Review.author_id == organization_id)
    )


@use_case
def review_lease(actor: User | None, booking_id: int, data: ReviewData, now: datetime) -> Review:
    actor = require_user(actor)
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("No such booking.")
    subject_id, role = _reviewing_party(actor, booking)
    if not lease_is_over(booking.state, was_confirmed(booking)):
        raise LeaseNotOver("The lease is not over yet; review it once it has ended.")
    if _own_review(actor.organization_id, booking.id) is not None:
        raise AlreadyReviewed("Your organization has already reviewed this lease.")
    _check_stars(data, role)
    review = Review(
        booking=booking, author_id=actor.organization_id, subject_id=subject_id,
        subject_role=role, written_by_id=actor.id, aspect_1=data.aspect_1,
        aspect_2=data.aspect_2, communication=data.communication,
        comment=require_text(data.comment, "comment", 2000, required=False), created_at=now,
    )  # fmt: skip
    db.session.add(review)
    db.session.flush()
    rate(review.subject, now)
    notify(
        subject_id,
        Message("review_received", f"{actor.organization.name} reviewed you",
                f"{actor.organization.name} reviewed lease #{booking.id}"
                f" ({review.average:.1f} of 5). You may answer it once on your profile."),
        f"/organizations/{subject_id}#reviews",
        f"review:{review.id}",
        now,
    )  # fmt: skip
    db.session.commit()
    return review


def _locked_review(review_id: int) -> Review:
    if db.session.get(Review, review_id) is None:
        raise NotFound("No such review.")
    return locked_row(select(Review).where(Review.id == review_id))


@use_case
def reply_to_review(actor: User | None, review_id: int, text: str, now: datetime) -> Review:
    actor = require_user(actor)
    review = _locked_review(review_id)
    if review.hidden_at is not None:
        raise NotFound("No such review.")
    if actor.organization_id != review.subject_id:
        raise Forbidden("Only the organization a review is about can answer it.")
    if review.reply is not None:
        raise Conflict("This review has already been answered.")
    review.reply = require_text(text, "reply", 2000)
    review.replied_at, review.replied_by_id = now, actor.id
    db.session.commit()
    return review


@use_case
def hide_review(actor: User | None, review_id: int, reason: str, now: datetime) -> Review:
    actor = require_operator(actor)
    reason = require_text(reason, "reason", 500)
    review = _locked_review(review_id)
    if review.hidden_at is not None:
        raise Conflict("This review is already hidden.")
    review.hidden_at, review.hidden_by_id, review.hidden_reason = now, actor.id, reason
    db.session.flush()
    rate(review.subject, now)
    db.session.commit()
    return review


def reviews_of(organization_id: int, page: int, per_page: int) -> Page[Review]:
    """Visible reviews about an organization, newest first."""
    query = (
        select(Review)
        .where(Review.subject_id == organization_id, Review.hidden_at.is_(None))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    return paginate(query, page, per_page)


def listing_reviews(listing_id: int, limit: int = 5) -> list[Review]:
    """Visible reviews of the owner from leases of this listing, newest first."""
    query = (
        select(Review)
        .join(Booking, Booking.id == Review.booking_id)
        .where(
            Booking.listing_id == listing_id,
            Review.subject_role == "owner",
            Review.hidden_at.is_(None),
        )
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    #: mean stars over every aspect of every visible review, or None without reviews
    average: float | None
    #: role -> (aspect label, mean stars) for the reviews about it in that role
    aspects: dict[str, list[tuple[str, float]]]

    def as_json(self) -> dict:
        return {
            "count": self.count,
            "average": self.average,
            "aspects": {
                role: {label: value for label, value in pairs}
                for role, pairs in self.aspects.items()
            },
        }


def review_summary(organization_id: int) -> ReviewSummary:
    rows = db.session.execute(
        select(
            Review.subject_role,
            func.count(),
            func.avg(Review.aspect_1),
            func.avg(Review.aspect_2),
            func.avg(Review.communication),
        )
        .where(Review.subject_id == organization_id, Review.hidden_at.is_(None))
        .group_by(Review.subject_role)
    ).all()
    count = sum(row[1] for row in rows)
    aspects = {
        role: [
            (label, round(float(mean), 2)) for label, mean in zip(ASPECTS[role], means, strict=True)
        ]
        for role, _, *means in rows
    }
    total = sum(float(mean) * n for _, n, *means in rows for mean in means)
    average = round(total / (3 * count), 2) if count else None
    return ReviewSummary(count, average, aspects)


@dataclass(frozen=True)
class ReviewChance:
    """What the actor may do about reviewing a lease: shown on the booking page."""

    can_review: bool
    own_review: Review | None
    subject_role: str | None


def review_chance(actor: User | None, booking: Booking) -> ReviewChance:
    if actor is None or actor.organization_id is None:
        return ReviewChance(False, None, None)
    try:
        _, role = _reviewing_party(actor, booking)
    except Forbidden:
        return ReviewChance(False, None, None)
    own = _own_review(actor.organization_id, booking.id)
    over = lease_is_over(booking.state, was_confirmed(booking))
    return ReviewChance(over and own is None, own, role)
