"""The audit log page: operators only, newest first, optionally one subject's entries."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import login_required

from ..web.auth import actor
from ..web.query_args import id_arg, page_arg
from . import services
from .rules import details

bp = Blueprint("audit", __name__)
bp.add_app_template_filter(details, "audit_details")


@bp.route("/operator/audit")
@login_required
def index() -> str:
    subject_type = request.args.get("subject_type", "")[:30]
    subject_id = id_arg("subject_id")
    page = services.audit_log(
        actor(),
        page_arg(),
        current_app.config["LIST_PER_PAGE"],
        subject_type,
        subject_id,
    )
    return render_template(
        "audit/index.html", page=page, subject_type=subject_type, subject_id=subject_id
    )
