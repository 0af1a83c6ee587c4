"""One place that maps domain and HTTP errors to responses: JSON under /api, pages elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import db

API_PREFIX = "/api/"


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(messages) -> dict:
    """webargs nests errors by location ({"json": {"field": ["msg"]}}); keep field -> message."""
    flat: dict[str, str] = {}
    for location_errors in (messages or {}).values():
        if not isinstance(location_errors, dict):
            continue
        for field, problems in location_errors.items():
            flat[field] = (
                "; ".join(map(str, problems)) if isinstance(problems, list) else str(problems)
            )
    return flat


def handle_domain_error(error: DomainError):
    headers = error.headers()
    if wants_json():
        body = jsonify(error_body(error.code, error.message, error.fields))
        return body, error.status, headers
    page = render_template("error.html", status=error.status, message=error.message)
    return page, error.status, headers


def handle_http_exception(error: HTTPException):
    if not wants_json():
        if error.code is None or error.code < 400:  # redirects stay what they are
            return error
        page = render_template("error.html", status=error.code, message=error.description)
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return page, error.code, headers  # e.g. Allow on a 405, Retry-After on a 429
    data = getattr(error, "data", None) or {}
    fields = _flatten(data.get("messages"))
    code = (error.name or "error").lower().replace(" ", "_")
    message = "Some fields are invalid." if fields else (error.description or error.name)
    response = jsonify(error_body(code, message, fields))
    return response, error.code or 500


def rollback_after_failure(error: BaseException | None) -> None:
    """A request that failed must not leave its half-done work, or a failed transaction,
    in a session that something later could reuse."""
    if error is not None:
        db.session.rollback()


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.teardown_request(rollback_after_failure)
