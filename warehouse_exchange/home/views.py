"""The home page a member lands on after logging in: a block per role of the organization."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_today
from ..shipments.rules import is_late
from ..web.auth import actor
from . import services

bp = Blueprint("home", __name__)


@bp.route("/home")
@login_required
def index() -> str:
    today = utc_today()
    return render_template(
        "home/index.html",
        home=services.home(actor(), today),
        today=today,
        is_late=is_late,
        arrivals_page="shipments.arrivals" in current_app.view_functions,
    )


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Browsers and feed readers ask for /favicon.ico whatever the page's <link rel=icon>."""
    return redirect(url_for("static", filename="favicon.svg"), 301)
