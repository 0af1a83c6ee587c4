"""What the JSON API under /api/v1 is built from: its blueprints, money and error schemas,
and paging. The areas' api and schemas modules use these; web/api_routes.py puts the areas'
blueprints together under /api/v1, so that this module imports no area."""

from __future__ import annotations

from flask_smorest import Api, Blueprint
from marshmallow import fields, validate

from ..money import MAX_AMOUNT_MINOR
from ..pagination import MAX_PAGE
from .schema import Schema


def minor_units(**kwargs) -> fields.Integer:
    """An amount of money in minor units: its sign is the service's to judge, its size is at
    most the largest sum the platform handles."""
    bound = validate.Range(-MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR)
    return fields.Integer(strict=True, validate=bound, **kwargs)


class MoneySchema(Schema):
    amount_minor = minor_units(required=True, metadata={"description": "Minor units"})
    currency = fields.String(required=True, metadata={"description": "ISO 4217 code"})


class ErrorDetailSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.String())


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class WarehouseExchangeApi(Api):
    """flask-smorest registers an app-wide HTTP error handler; ours in web/errors.py already
    answers JSON under /api and HTML elsewhere, so that one is left out.

    No catch-all "default" response either: each operation lists the errors it really
    answers (web/openapi.py), so that a client, and the contract test, can rely on the list."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        return None


STORAGE_UNAVAILABLE = (
    "storage_unavailable: the file store cannot be reached just now; nothing was saved."
    " Try again after Retry-After seconds."
)


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose views also document the errors their use cases answer
    with; the errors an operation's shape implies (401, 404, 422...) come from web/openapi.py."""

    def refuses(self, status: int, description: str):
        """The usual error body with `status`; `description` says when (and its codes)."""
        return self.alt_response(status, schema=ErrorSchema, description=description)

    def refuses_while_storage_is_down(self):
        """For operations that keep uploaded files: the file store may be unreachable."""
        return self.refuses(503, STORAGE_UNAVAILABLE)


class PaginationArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))


def page_body(page) -> dict:
    """A service's Page as the API's {"results", "page", "per_page", "total"} envelope."""
    return {
        "results": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }
