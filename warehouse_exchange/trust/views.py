"""Trust pages: asking for verification, the operators' verification queue and blacklist,
reviewing a lease, answering or hiding a review, and the public credit page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_now, utc_today
from ..bookings.queries import get_booking
from ..errors import InvalidInput
from ..files.services import file_response, read_upload
from ..permissions import require_operator
from ..web.auth import actor
from ..web.forms import render_form, show_errors
from . import blacklist, reviews, verification
from .forms import BlacklistForm, ReviewForm, TextForm, VerificationForm
from .rules import ASPECTS

bp = Blueprint("trust", __name__)


@bp.route("/credit")
def credit() -> str:
    """Public: who is on the blacklist, why and since when; and what the tiers mean."""
    return render_template("trust/credit.html", blacklist=blacklist.public_blacklist(utc_today()))


# verification


def _verification_data(form: VerificationForm) -> verification.VerificationData:
    files = [f for f in (form.documents.data or []) if f and f.filename]
    return verification.VerificationData(
        registration_number=form.registration_number.data,
        registration_country=form.registration_country.data,
        address=form.address.data,
        contact_name=form.contact_name.data,
        contact_email=form.contact_email.data,
        contact_phone=form.contact_phone.data or "",
        documents=[(f.filename, read_upload(f.stream, "documents")) for f in files],
    )


@bp.route("/trust/verification", methods=["GET", "POST"])
@login_required
def verification_page() -> str | Response:
    form = VerificationForm()
    if form.validate_on_submit():
        try:
            verification.request_verification(actor(), _verification_data(form), utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash("Thank you: an operator will check your documents.", "success")
            return redirect(url_for("trust.verification_page"))
    latest = verification.latest_verification(actor())
    return render_form("trust/verification.html", form, latest=latest)


@bp.route("/trust/verifications/<id:request_id>/documents/<id:file_id>")
@login_required
def verification_document(request_id: int, file_id: int) -> Response:
    return file_response(verification.verification_document(actor(), request_id, file_id))


@bp.route("/trust/operator/verifications")
@login_required
def verification_queue() -> str:
    return render_template(
        "trust/verification_queue.html", requests=verification.pending_verifications(actor())
    )


@bp.route("/trust/operator/verifications/<id:request_id>")
@login_required
def verification_decision(request_id: int) -> str | Response:
    require_operator(actor())
    request_ = verification.get_verification(actor(), request_id)
    return render_form("trust/verification_decision.html", TextForm(), request_=request_)


@bp.post("/trust/operator/verifications/<id:request_id>/<any(approve, reject):decision>")
@login_required
def decide_verification(request_id: int, decision: str) -> str | Response:
    form = TextForm()
    if not form.validate_on_submit():
        abort(400)
    decide = (
        verification.approve_verification
        if decision == "approve"
        else verification.reject_verification
    )
    try:
        decided = decide(actor(), request_id, form.text.data, utc_now())
    except InvalidInput as error:
        show_errors(form, error, {"reason": "text", "note": "text"})
        request_ = verification.get_verification(actor(), request_id)
        return render_form("trust/verification_decision.html", form, request_=request_)
    flash(f"{decided.organization.name}: verification {decided.state}.", "success")
    return redirect(url_for("trust.verification_queue"))


# reviews


@bp.route("/trust/bookings/<id:booking_id>/review", methods=["GET", "POST"])
@login_required
def review(booking_id: int) -> str | Response:
    booking = get_booking(actor(), booking_id)
    chance = reviews.review_chance(actor(), booking)
    form = ReviewForm()
    form.label_for(chance.subject_role or "owner")
    if form.validate_on_submit():
        data = reviews.ReviewData(
            form.aspect_1.data, form.aspect_2.data, form.communication.data, form.comment.data
        )
        try:
            made = reviews.review_lease(actor(), booking_id, data, utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash("Thank you for your review.", "success")
            return redirect(
                url_for("accounts.organization", organization_id=made.subject_id, _anchor="reviews")
            )
    return render_form("trust/review.html", form, booking=booking, chance=chance, aspects=ASPECTS)


@bp.post("/trust/reviews/<id:review_id>/<any(reply, hide):action>")
@login_required
def answer_review(review_id: int, action: str) -> Response:
    form = TextForm()
    if not form.validate_on_submit():
        abort(400)
    act = reviews.reply_to_review if action == "reply" else reviews.hide_review
    try:
        done = act(actor(), review_id, form.text.data, utc_now())
    except InvalidInput as error:
        flash(error.message, "error")
        return redirect(url_for("trust.credit"))
    flash("Your answer is published." if action == "reply" else "The review is hidden.", "success")
    return redirect(
        url_for("accounts.organization", organization_id=done.subject_id, _anchor="reviews")
    )


# blacklist


def _render_blacklist(form: BlacklistForm, lift_form: TextForm):
    form.organization_id.choices = [("", "Choose…")] + [
        (str(o.id), o.name) for o in blacklist.organizations_to_list(actor())
    ]
    return render_form(
        "trust/blacklist.html",
        form,
        lift_form=lift_form,
        blacklist=blacklist.public_blacklist(utc_today()),
        flagged=blacklist.flagged_leases(actor()),
    )


@bp.route("/trust/operator/blacklist", methods=["GET", "POST"])
@login_required
def blacklist_page() -> str | Response:
    require_operator(actor())
    form = BlacklistForm()
    if form.validate_on_submit():
        try:
            entry = blacklist.blacklist_organization(
                actor(),
                form.organization_id.data or 0,
                form.reason.data,
                form.ends_on.data,
                utc_now(),
            )
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(f"{entry.organization.name} is on the blacklist.", "success")
            return redirect(url_for("trust.blacklist_page"))
    return _render_blacklist(form, TextForm())


@bp.post("/trust/operator/blacklist/<id:entry_id>/lift")
@login_required
def lift(entry_id: int) -> Response:
    form = TextForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        entry = blacklist.lift_blacklisting(actor(), entry_id, form.text.data, utc_now())
    except InvalidInput as error:
        flash(f"{error.message} Give the reason for lifting it.", "error")
    else:
        flash(f"{entry.organization.name} is off the blacklist.", "success")
    return redirect(url_for("trust.blacklist_page"))
