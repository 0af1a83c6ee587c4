"""The inbox page, marking notifications read, email settings, and the unread badge."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_now
from ..web.auth import actor
from ..web.errors import wants_json
from ..web.forms import render_form
from ..web.query_args import page_arg
from ..web.redirects import local_url
from . import services
from .forms import EmailSettingsForm
from .kinds import KINDS

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_badge() -> dict:
    """The unread count in the navigation of every page of a member of an organization."""
    if not has_request_context() or wants_json() or not current_user.is_authenticated:
        return {}
    return {"unread_notifications": services.unread_count(actor())}


@bp.route("/notifications")
@login_required
def index() -> str:
    page = services.inbox(actor(), page_arg(), current_app.config["LIST_PER_PAGE"])
    return render_template("notifications/index.html", page=page, kinds=KINDS)


def _back() -> Response:
    return redirect(local_url(request.form.get("next"), url_for("notifications.index")))


@bp.post("/notifications/<id:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> Response:
    services.mark_read(actor(), notification_id, utc_now())
    return _back()


@bp.post("/notifications/read-all")
@login_required
def mark_all_read() -> Response:
    count = services.mark_all_read(actor(), utc_now())
    flash(f"{count} notification{'' if count == 1 else 's'} marked as read.", "success")
    return _back()


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response | tuple[str, int]:
    form = EmailSettingsForm()
    if form.validate_on_submit():
        chosen = set(form.email_kinds.data or ())
        services.set_email_preferences(actor(), {kind: kind in chosen for kind in KINDS})
        flash("Email settings saved.", "success")
        return redirect(url_for("notifications.settings"))
    if request.method == "GET":
        wanted = services.email_preferences(actor())
        form.email_kinds.data = [kind for kind, on in wanted.items() if on]
    return render_form("notifications/settings.html", form)
