"""Dispute pages: opening one on a booking, the thread, withdrawing; for operators the queue,
the case record with the decision form, and the guarantee reserve."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_now
from ..bookings.queries import get_booking
from ..errors import Conflict, InvalidInput, TooManyRequests
from ..escrow.forms import ReserveFundingForm
from ..files.services import file_response, read_upload
from ..permissions import require_operator
from ..web.auth import actor
from ..web.forms import render_form, show_errors
from ..web.query_args import page_arg
from . import commands, queries, records
from .commands import DisputeData, Upload
from .forms import DecisionForm, DisputeForm, MessageForm, to_minor

bp = Blueprint("disputes", __name__)


def _per_page() -> int:
    return current_app.config["LIST_PER_PAGE"]


def _uploads(name: str) -> list[Upload]:
    files = [f for f in request.files.getlist(name) if f.filename]
    return [Upload(f.filename, read_upload(f.stream, "evidence")) for f in files]


def _show_errors(form, error: InvalidInput) -> None:
    show_errors(form, error, {"files": "evidence", "claimed": "claimed"})


@bp.route("/bookings/<id:booking_id>/disputes/new", methods=["GET", "POST"])
@login_required
def new(booking_id: int):
    booking = get_booking(actor(), booking_id)
    form = DisputeForm()
    if form.validate_on_submit():
        try:
            data = DisputeData(
                form.category.data,
                form.description.data,
                to_minor(form.claimed.data, booking.currency, "claimed"),
                booking.currency,
                _uploads(form.evidence.name),
            )
            dispute = commands.open_dispute(actor(), booking_id, data, utc_now())
        except InvalidInput as error:
            _show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Dispute #{dispute.id} opened; the booking's escrow is frozen.", "success")
            return redirect(url_for("disputes.show", dispute_id=dispute.id))
    return render_form("disputes/new.html", form, booking=booking)


@bp.route("/disputes")
@login_required
def mine() -> str:
    page = queries.my_disputes(actor(), page_arg(), _per_page())
    return render_template("disputes/mine.html", page=page, now=utc_now())


def _show(dispute_id: int, form: MessageForm, status: int = 200, headers: dict | None = None):
    dispute = queries.get_dispute(actor(), dispute_id)
    failed = request.method == "POST" and bool(form.errors or form.form_errors)
    page = render_template("disputes/show.html", dispute=dispute, form=form, now=utc_now())
    return page, status if status != 200 else (422 if failed else 200), headers or {}


@bp.route("/disputes/<id:dispute_id>")
@login_required
def show(dispute_id: int):
    return _show(dispute_id, MessageForm(formdata=None))


@bp.post("/disputes/<id:dispute_id>/messages")
@login_required
def add_message(dispute_id: int):
    form, status, headers = MessageForm(), 200, {}
    if form.validate_on_submit():
        try:
            uploads = _uploads(form.evidence.name)
            commands.add_message(actor(), dispute_id, form.body.data, uploads, utc_now())
        except InvalidInput as error:
            _show_errors(form, error)
        except (Conflict, TooManyRequests) as error:
            form.form_errors.append(error.message)
            status, headers = error.status, error.headers
        else:
            flash("Message sent.", "success")
            return redirect(url_for("disputes.show", dispute_id=dispute_id) + "#thread")
    return _show(dispute_id, form, status, headers)


@bp.post("/disputes/<id:dispute_id>/withdraw")
@login_required
def withdraw(dispute_id: int) -> Response:
    commands.withdraw_dispute(actor(), dispute_id, utc_now())
    flash(f"Dispute #{dispute_id} withdrawn; the booking's escrow is released as usual.", "success")
    return redirect(url_for("disputes.show", dispute_id=dispute_id))


@bp.post("/disputes/<id:dispute_id>/take")
@login_required
def take(dispute_id: int) -> Response:
    commands.take_dispute(actor(), dispute_id, utc_now())
    flash(f"You took dispute #{dispute_id}.", "success")
    return redirect(url_for("disputes.decide", dispute_id=dispute_id))


@bp.route("/disputes/<id:dispute_id>/decision", methods=["GET", "POST"])
@login_required
def decide(dispute_id: int):
    if not actor().is_operator:
        queries.get_dispute(actor(), dispute_id)  # a stranger learns nothing: 404
        if request.method == "GET":  # a party reads the decision on the case page
            return redirect(url_for("disputes.show", dispute_id=dispute_id) + "#decision")
    record = records.case_record(actor(), dispute_id)
    form, status = DecisionForm(), None
    if form.validate_on_submit():
        try:
            decision = form.to_decision(record.dispute.currency)
            commands.decide_dispute(actor(), dispute_id, decision, utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            show_errors(form, InvalidInput(error.message, error.fields))
            status = 409
        else:
            flash(f"Dispute #{dispute_id} decided; the ledger has moved the money.", "success")
            return redirect(url_for("disputes.show", dispute_id=dispute_id))
    page, failed = render_form("disputes/decide.html", form, record=record, now=utc_now())
    return page, status or failed


@bp.route("/disputes/<id:dispute_id>/files/<id:file_id>")
@login_required
def evidence(dispute_id: int, file_id: int) -> Response:
    return file_response(queries.dispute_file(actor(), dispute_id, file_id))


@bp.route("/operator/disputes")
@login_required
def queue() -> str:
    resolved = request.args.get("show") == "closed"
    page = queries.dispute_queue(actor(), page_arg(), _per_page(), resolved)
    return render_template("disputes/queue.html", page=page, resolved=resolved, now=utc_now())


@bp.route("/operator/reserve")
@login_required
def reserve() -> str:
    require_operator(actor())
    return render_template(
        "disputes/reserve.html",
        reserves=records.reserve_overview(actor()),
        funding_form=ReserveFundingForm(),
    )


@bp.app_template_global()
def booking_disputes(booking_id: int) -> list:
    """The booking page's dispute panel: the booking's disputes, for its parties."""
    return queries.disputes_of_booking(actor(), booking_id)


@bp.app_template_global()
def dispute_awards() -> list:
    """The earnings page's awards: owner's shares that disputes' decisions released."""
    return queries.owner_awards(actor())
