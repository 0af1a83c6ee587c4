"""The audit log page: operators only, newest first, optionally one subject's entries."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import login_required

from ..web.auth import actor
from . import services
from .rules import details

bp = Blueprint("audit", __name__)
bp.add_app_template_filter(details, "audit_details")


@bp.route("/operator/audit")
@login_required
def index() -> str:
    subject_type = request.args.get("subject_type", "")[:30]
    subject_id = request.args.get("subject_id", type=int)
    page = services.audit_log(
        actor(),
        request.args.get("page", 1, type=int),
        current_app.config["LIST_PER_PAGE"],
        subject_type,
        subject_id,
    )
    return render_template(
        "audit/index.html", page=page, subject_type=subject_type, subject_id=subject_id
    )
