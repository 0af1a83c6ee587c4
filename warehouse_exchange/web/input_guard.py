"""Refuse NUL characters in any submitted text before a view sees it: PostgreSQL cannot store
them, and no legitimate input contains one."""

from __future__ import annotations

from flask import Flask, request

from ..errors import InvalidInput


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def refuse_nul_characters() -> None:
    submitted = [request.args.to_dict(flat=False), request.view_args or {}]
    if request.mimetype == "application/x-www-form-urlencoded" or request.mimetype.startswith(
        "multipart/"
    ):
        submitted.append(request.form.to_dict(flat=False))
    if request.is_json:
        submitted.append(request.get_json(silent=True))
    if any(_contains_nul(part) for part in submitted):
        raise InvalidInput("Text may not contain NUL characters.")


def register(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
