"""The errors every API operation documents without being told, read from the view itself so
that a new endpoint cannot forget them.

An apispec plugin sees each operation as flask-smorest registers it, with the URL rule and so
the view function: `api_login_required` marks the views that need a bearer token, Flask-Limiter
knows the rate-limited ones, the rule knows the path ids and the operation its inputs. Errors
that only a use case knows (a 409 when capacity is taken, a 403 for the wrong role) are
documented on the view with `@blp.alt_response(..., schema=ErrorSchema)`.
"""

from __future__ import annotations

from http import HTTPStatus

from apispec import BasePlugin
from flask import Flask
from flask_limiter.util import get_qualified_name
from werkzeug.routing import PathConverter, Rule, UnicodeConverter

from ..extensions import limiter

BEARER_AUTH = "bearerAuth"
CARRIER_AUTH = "carrierToken"
SECURITY_SCHEMES = {
    BEARER_AUTH: {"type": "http", "scheme": "bearer", "description": "POST /api/v1/tokens"},
    CARRIER_AUTH: {
        "type": "http",
        "scheme": "bearer",
        "description": "The carrier token a shipper issued for one shipment",
    },
}

MALFORMED_JSON = 400
NO_VALID_TOKEN = 401
NO_SUCH_ROW = 404
BODY_TOO_LARGE = 413
INVALID_INPUT = 422
RATE_LIMITED = 429


def requires_api_token(view) -> bool:
    """Set by `web.auth.api_login_required`; `functools.wraps` carries it through every
    decorator stacked above it."""
    return getattr(view, "requires_api_token", False)


def is_rate_limited(view) -> bool:
    # Flask-Limiter records each decorated view by qualified name and offers no public lookup.
    return get_qualified_name(view) in limiter._marked_for_limiting


def takes_input(operation: dict, rule: Rule) -> bool:
    """A body, query arguments, or a free-text path segment (web/input_guard.py reads all)."""
    query = any(parameter.get("in") == "query" for parameter in operation.get("parameters", ()))
    free_text_path = any(
        isinstance(converter, (UnicodeConverter, PathConverter))
        for converter in rule._converters.values()  # werkzeug keeps them by argument name
    )
    return "requestBody" in operation or query or free_text_path


def has_json_body(operation: dict) -> bool:
    return "application/json" in operation.get("requestBody", {}).get("content", {})


def errors_of(operation: dict, rule: Rule, view) -> list[int]:
    errors = []
    if has_json_body(operation):
        errors.append(MALFORMED_JSON)  # not JSON, not UTF-8, or nested too deep
    if "requestBody" in operation:
        errors.append(BODY_TOO_LARGE)
    if operation.get("security"):  # a bearer token, or a carrier token (set by its views)
        errors.append(NO_VALID_TOKEN)
    if rule.arguments:
        errors.append(NO_SUCH_ROW)
    if takes_input(operation, rule):
        errors.append(INVALID_INPUT)
    if is_rate_limited(view):
        errors.append(RATE_LIMITED)
    return errors


class DocumentedErrors(BasePlugin):
    """Marks bearer-token operations as such and adds the errors their shape implies."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view = self.app.view_functions[rule.endpoint]
        for operation in operations.values():
            if requires_api_token(view):
                operation["security"] = [{BEARER_AUTH: []}]
            responses = operation.setdefault("responses", {})
            for status in errors_of(operation, rule, view):
                if status not in responses and str(status) not in responses:
                    # flask-smorest registers a response per status, named after it, that
                    # carries ErrorSchema
                    responses[status] = HTTPStatus(status).name
