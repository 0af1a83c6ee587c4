"""Operator console: the scheduled jobs, their last run and outcome, and "run now"."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..permissions import require_operator
from ..web.auth import actor
from . import demo_clock, history, jobs
from .forms import AdvanceClockForm

bp = Blueprint("scheduler", __name__, url_prefix="/operator/jobs")


@bp.route("/")
@login_required
def index() -> str:
    statuses = history.job_statuses(actor(), jobs.JOBS)
    return render_template("scheduler/index.html", statuses=statuses, **_clock_form())


def _clock_form(form: AdvanceClockForm | None = None) -> dict:
    if not demo_clock.enabled(current_app.config):
        return {"clock_form": None}
    return {"clock_form": form or AdvanceClockForm()}


@bp.post("/advance-clock")
@login_required
def advance_clock() -> Response | tuple[str, int]:
    require_operator(actor())
    form = AdvanceClockForm()
    if not demo_clock.enabled(current_app.config):
        abort(404)
    if not form.validate_on_submit():
        statuses = history.job_statuses(actor(), jobs.JOBS)
        return render_template("scheduler/index.html", statuses=statuses, clock_form=form), 422
    db.session.rollback()  # as in run_now: the jobs work in sessions of their own
    result = demo_clock.advance(current_app._get_current_object(), form.days.data)
    flash(
        f"The demo clock now reads {result.today:%d %b %Y} ({result.offset_days} days ahead);"
        f" the jobs changed {sum(result.changed.values())} item(s).",
        "error" if result.failures else "success",
    )
    for failure in result.failures[:5]:
        flash(f"Failed: {failure}", "error")
    return redirect(url_for("scheduler.index"))


@bp.post("/<name>/run")
@login_required
def run_now(name: str) -> Response:
    require_operator(actor())
    job = next((job for job in jobs.JOBS if job.name == name), None)
    if job is None:
        abort(404)
    # the job works in sessions of its own; on SQLite this request's open transaction
    # would hold the write lock they wait for
    db.session.rollback()
    try:
        changed = jobs.run(current_app._get_current_object(), job)
    except Exception as error:  # the run is recorded with its error; the operator sees it
        flash(f"{job.name} failed: {error}", "error")
    else:
        flash(f"{job.name} ran: {changed} item(s) changed.", "success")
    return redirect(url_for("scheduler.index"))
