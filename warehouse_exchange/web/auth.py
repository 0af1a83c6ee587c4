"""Who is asking: the session log-in for pages, a bearer token (and only that) for the API.

The API is exempt from CSRF, so it must never act on a session cookie: API views get their
actor from `api_actor()`, which reads the Authorization header alone.
"""

from __future__ import annotations

import functools

from flask import Flask, flash, g, redirect, request, url_for
from flask_login import current_user

from ..accounts.models import User
from ..accounts.services import user_for_api_token
from ..accounts.sessions import user_for_session
from ..adapters.clock import utc_now
from ..errors import Unauthorized
from ..extensions import login_manager

API_ACTOR_KEY = "warehouse_exchange.api_actor"
API_REFUSAL_KEY = "warehouse_exchange.api_token_refusal"
TOKEN_HELP = "Send a bearer token: POST /api/v1/tokens with email and password."


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in to continue."

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return user_for_session(session_id)

    @app.before_request
    def forget_the_previous_requests_user() -> None:
        # Flask-Login keeps the user on g, which outlives a request when one app context spans
        # several (a test client inside a pushed context): each request must read its own
        # cookies, or a session ended meanwhile would go on.
        g.pop("_login_user", None)

    @login_manager.unauthorized_handler
    def unauthorized():
        flash(login_manager.login_message, "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def actor() -> User | None:
    """The logged-in user of a page (services take the actor as an argument)."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def api_actor() -> User | None:
    """The user whose bearer token came with this API request, if any."""
    # Cached per request, not on g: g lives as long as the app context, which may span requests.
    if API_ACTOR_KEY not in request.environ:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        valid = scheme.lower() == "bearer" and token.strip()
        user = None
        if valid:
            try:
                user = user_for_api_token(token.strip(), utc_now())
            except Unauthorized as refusal:  # e.g. expired: api_login_required says so
                request.environ[API_REFUSAL_KEY] = refusal
        request.environ[API_ACTOR_KEY] = user
    return request.environ[API_ACTOR_KEY]


def api_login_required(view):
    """API views: a valid bearer token or a 401 JSON error, never a redirect. The mark it
    leaves makes the OpenAPI document show the bearer security and the 401 (web/openapi.py)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if api_actor() is None:
            raise request.environ.get(API_REFUSAL_KEY) or Unauthorized(TOKEN_HELP)
        return view(*args, **kwargs)

    wrapper.requires_api_token = True
    return wrapper
