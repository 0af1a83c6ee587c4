"""Credit ratings: the facts counted from recorded rows, and the rating kept on each
organization (recomputed when a fact changes, and nightly for what time alone changes)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, or_, select

from ..accounts.models import Organization, User
from ..bookings.models import Booking, BookingEvent
from ..disputes.models import Dispute
from ..errors import NotFound
from ..escrow.models import PaymentInstalment
from ..extensions import db
from ..fx.services import latest_rates
from ..listings.models import Listing
from ..money import Money, exponent
from ..unit_of_work import locked_row
from ..warehouses.models import Warehouse
from ..work_items import item_failed
from .models import CreditRating, Review
from .rules import Assessment, CreditFacts, assess


def booking_owner_id():
    """The owner organization of the booking's listing, as a correlated subquery."""
    return (
        select(Warehouse.organization_id)
        .join(Listing, Listing.warehouse_id == Warehouse.id)
        .where(Listing.id == Booking.listing_id)
        .scalar_subquery()
    )


def _completed_totals(organization_id: int) -> list[tuple[str, int]]:
    """Totals of the completed leases it took part in, per currency."""
    as_party = or_(Booking.tenant_id == organization_id, booking_owner_id() == organization_id)
    rows = db.session.execute(
        select(Booking.currency, func.count(), func.sum(Booking.total_minor))
        .where(Booking.state == "completed", as_party)
        .group_by(Booking.currency)
    )
    return [(currency, count, total) for currency, count, total in rows]


def _value_in_base(totals) -> int:
    base = current_app.config["BASE_CURRENCY"]
    rates = latest_rates(base)
    minor = sum(
        rates.convert(Money(int(total), currency), base).amount_minor
        for currency, _, total in totals
        if rates.knows(currency)
    )
    return minor // 10 ** exponent(base)


def _instalment_counts(organization_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(PaymentInstalment.paid_at, PaymentInstalment.due_on, PaymentInstalment.covered_at)
        .join(Booking, Booking.id == PaymentInstalment.booking_id)
        .where(Booking.tenant_id == organization_id)
    )
    counts = {"on_time": 0, "late": 0, "covered": 0}
    for paid_at, due_on, covered_at in rows:
        if covered_at is not None:
            counts["covered"] += 1
        elif paid_at is not None:
            counts["on_time" if paid_at.date() <= due_on else "late"] += 1
    return counts


def _count(statement) -> int:
    return db.session.scalar(statement) or 0


def _cancellations(organization_id: int) -> int:
    return _count(
        select(func.count())
        .select_from(BookingEvent)
        .join(User, User.id == BookingEvent.actor_id)
        .where(
            BookingEvent.to_state == "cancelled",
            BookingEvent.from_state.in_(("accepted", "confirmed")),
            User.organization_id == organization_id,
        )
    )


def gather_facts(organization: Organization, now: datetime) -> CreditFacts:
    """The organization's history as the score reads it, counted from recorded rows."""
    org_id = organization.id
    totals = _completed_totals(org_id)
    instalments = _instalment_counts(org_id)
    reviews, stars = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Review.aspect_1 + Review.aspect_2 + Review.communication), 0),
        ).where(Review.subject_id == org_id, Review.hidden_at.is_(None))
    ).one()
    return CreditFacts(
        verified=organization.verified,
        days_on_platform=max(0, (now - organization.created_at).days),
        leases_completed=sum(count for _, count, _ in totals),
        leases_value=_value_in_base(totals),
        instalments_on_time=instalments["on_time"],
        instalments_late=instalments["late"],
        instalments_covered=instalments["covered"],
        defaults=_count(
            select(func.count()).where(
                Booking.tenant_id == org_id, Booking.defaulted_at.is_not(None)
            )
        ),
        cancellations=_cancellations(org_id),
        disputes_against=_count(
            select(func.count()).where(
                Dispute.against_org_id == org_id, Dispute.state != "withdrawn"
            )
        ),
        disputes_lost=_count(select(func.count()).where(Dispute.lost_by_org_id == org_id)),
        reviews=reviews,
        review_stars=int(stars),
    )


def rate(organization: Organization, now: datetime) -> Assessment:
    """Recompute and keep the organization's rating, inside the caller's transaction: on
    the organization row for search, and with its facts and factors for the profile."""
    db.session.flush()  # the fact that triggered this may not be written yet
    facts = gather_facts(organization, now)
    assessment = assess(facts)
    record = db.session.get(CreditRating, organization.id) or CreditRating(
        organization_id=organization.id
    )
    record.score, record.tier = assessment.score, assessment.tier
    record.facts = facts.as_dict()
    record.factors = [list(factor) for factor in assessment.factors]
    record.computed_at = now
    db.session.add(record)
    organization.credit_score, organization.rating_tier = assessment.score, assessment.tier
    return assessment


def rate_by_id(organization_id: int, now: datetime) -> None:
    organization = db.session.get(Organization, organization_id)
    if organization is not None:
        rate(organization, now)


def rate_everyone(now: datetime) -> int:
    """The nightly job: every organization rated afresh, one transaction each, so that age
    on the platform and monthly payments (which send no signal) count. Two runners skip the
    organizations the other holds. Returns how many were rated."""
    ids = db.session.scalars(select(Organization.id).order_by(Organization.id)).all()
    db.session.rollback()
    done = 0
    for organization_id in ids:
        try:
            organization = locked_row(
                select(Organization).where(Organization.id == organization_id), skip_locked=True
            )
            if organization is not None:
                rate(organization, now)
                done += 1
            db.session.commit()
        except Exception:  # one bad organization must not stop the run
            db.session.rollback()
            item_failed(f"Organization {organization_id}")
    return done


def credit_report(organization_id: int) -> CreditRating | None:
    """The latest rating with its explanation (None before the first computation)."""
    if db.session.get(Organization, organization_id) is None:
        raise NotFound("No such organization.")
    return db.session.get(CreditRating, organization_id)
