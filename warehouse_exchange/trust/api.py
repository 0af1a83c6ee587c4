"""API twins of the trust pages: reviews, credit ratings, the blacklist and verification."""

from __future__ import annotations

from flask import request

from ..accounts.models import Organization
from ..adapters.clock import utc_now, utc_today
from ..errors import NotFound
from ..extensions import db
from ..files.services import read_upload
from ..web.api import ApiBlueprint, PaginationArgs, page_body
from ..web.auth import api_actor, api_login_required
from . import blacklist, credit, reviews, verification
from .schemas import (
    BlacklistEntrySchema,
    BlacklistInSchema,
    CreditSchema,
    PublicBlacklistSchema,
    ReplySchema,
    ReviewInSchema,
    ReviewPageSchema,
    ReviewSchema,
    TextSchema,
    VerificationInSchema,
    VerificationSchema,
)

blp = ApiBlueprint(
    "trust_api", __name__, description="Reviews, credit ratings, blacklist, verification"
)


@blp.get("/organizations/<id:organization_id>/reviews")
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, ReviewPageSchema)
def organization_reviews(args, organization_id: int):
    """Visible reviews about an organization, newest first."""
    return page_body(reviews.reviews_of(organization_id, args["page"], args["per_page"]))


@blp.get("/organizations/<id:organization_id>/credit")
@blp.response(200, CreditSchema)
def organization_credit(organization_id: int):
    """The organization's credit score and tier, and what raised or lowered them."""
    if db.session.get(Organization, organization_id) is None:
        raise NotFound("There is no such organization.")
    report = credit.credit_report(organization_id)
    if report is None:
        return {"organization_id": organization_id, "score": None, "tier": "unrated",
                "factors": [], "computed_at": None}  # fmt: skip
    return report


@blp.post("/bookings/<id:booking_id>/reviews")
@api_login_required
@blp.arguments(ReviewInSchema)
@blp.response(201, ReviewSchema)
@blp.refuses(403, "forbidden: only the parties to the lease.")
@blp.refuses(409, "lease_not_over; already_reviewed.")
def review_lease(args, booking_id: int):
    """Review the other party of a lease that is over (once per party)."""
    data = reviews.ReviewData(**args)
    return reviews.review_lease(api_actor(), booking_id, data, utc_now())


@blp.post("/reviews/<id:review_id>/reply")
@api_login_required
@blp.arguments(ReplySchema)
@blp.response(200, ReviewSchema)
@blp.refuses(403, "forbidden: only the reviewed organization.")
@blp.refuses(409, "conflict: the review was already answered.")
def reply(args, review_id: int):
    """Answer a review about your organization (once)."""
    return reviews.reply_to_review(api_actor(), review_id, args["reply"], utc_now())


@blp.post("/reviews/<id:review_id>/hide")
@api_login_required
@blp.arguments(TextSchema)
@blp.response(200, ReviewSchema)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(409, "conflict: the review is already hidden.")
def hide(args, review_id: int):
    """Hide an abusive review, with the reason (operators only)."""
    return reviews.hide_review(api_actor(), review_id, args["reason"], utc_now())


@blp.get("/blacklist")
@blp.response(200, PublicBlacklistSchema)
def public_blacklist():
    """Organizations on the blacklist now, and earlier entries."""
    return blacklist.public_blacklist(utc_today())


@blp.post("/blacklist")
@api_login_required
@blp.arguments(BlacklistInSchema)
@blp.response(201, BlacklistEntrySchema)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(404, "not_found: no such organization.")
@blp.refuses(409, "already_blacklisted.")
def blacklist_organization(args):
    """List an organization on the blacklist (operators only)."""
    return blacklist.blacklist_organization(
        api_actor(), args["organization_id"], args["reason"], args["ends_on"], utc_now()
    )


@blp.post("/blacklist/<id:entry_id>/lift")
@api_login_required
@blp.arguments(TextSchema)
@blp.response(200, BlacklistEntrySchema)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(409, "conflict: the entry was already lifted.")
def lift(args, entry_id: int):
    """Lift a blacklisting, with the reason (operators only)."""
    return blacklist.lift_blacklisting(api_actor(), entry_id, args["reason"], utc_now())


@blp.post("/verifications")
@api_login_required
@blp.arguments(VerificationInSchema, location="form")
@blp.response(201, VerificationSchema)
@blp.refuses(403, "forbidden: only an organization admin.")
@blp.refuses(409, "conflict: a request is already pending, or the organization is verified.")
@blp.refuses_while_storage_is_down()
def request_verification(args):
    """Ask for verification (organization admins): a multipart form with `documents` files."""
    documents = [
        (upload.filename or "", read_upload(upload.stream, "documents"))
        for upload in request.files.getlist("documents")
    ]
    data = verification.VerificationData(**args, documents=documents)
    return verification.request_verification(api_actor(), data, utc_now())


@blp.get("/verifications")
@api_login_required
@blp.response(200, VerificationSchema(many=True))
@blp.refuses(403, "forbidden: only platform operators.")
def pending_verifications():
    """Requests waiting for a decision (operators only)."""
    return verification.pending_verifications(api_actor())


@blp.get("/verifications/<id:request_id>")
@api_login_required
@blp.response(200, VerificationSchema)
def get_verification(request_id: int):
    """A request, for its organization and for operators."""
    return verification.get_verification(api_actor(), request_id)


@blp.post("/verifications/<id:request_id>/<any(approve, reject):decision>")
@api_login_required
@blp.arguments(TextSchema)
@blp.response(200, VerificationSchema)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(409, "verification_not_pending.")
def decide(args, request_id: int, decision: str):
    """Approve or reject a request; a rejection needs a reason (operators only)."""
    act = (
        verification.approve_verification
        if decision == "approve"
        else verification.reject_verification
    )
    return act(api_actor(), request_id, args["reason"], utc_now())
