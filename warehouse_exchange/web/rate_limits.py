"""Per-address limits on what a password guesser or a bot repeats: log-in, and making
accounts. Each is shared by a page and its API twin, so that switching between them gains
nothing. Counts live in RATELIMIT_STORAGE_URI: Redis, when several workers must share them."""

from __future__ import annotations

from flask import current_app

from ..extensions import limiter
from .api import ErrorSchema

#: the log-in page and POST /api/v1/tokens
login_limit = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    scope="login",
    methods=["POST"],
    error_message="Too many log-in attempts from your address. Try again later.",
)

#: registration and invitation acceptance, pages and API
signup_limit = limiter.shared_limit(
    lambda: current_app.config["SIGNUP_RATE_LIMIT"],
    scope="signup",
    methods=["POST"],
    error_message="Too many new accounts from your address. Try again later.",
)

#: how the API documents the answer of a limit (blp.alt_response(429, **THROTTLED))
THROTTLED = {
    "schema": ErrorSchema,
    "description": "Too many attempts from this client address, or (log-in) with this email"
    " address, which then refuses even the right password for a while. Nothing was done.",
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer"},
        }
    },
}
