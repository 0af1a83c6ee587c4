"""The JSON API under /api/v1, documented by flask-smorest from its marshmallow schemas."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api, Blueprint
from marshmallow import fields, validate

from ..extensions import csrf
from ..money import MAX_AMOUNT_MINOR
from ..pagination import MAX_PAGE
from .openapi import SECURITY_SCHEMES, DocumentedErrors
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


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose views also document the errors their use cases answer
    with; the errors an operation's shape implies (401, 404, 422...) come from web/openapi.py."""

    def refuses(self, status: int, description: str):
        """The usual error body with `status`; `description` says when (and its codes)."""
        return self.alt_response(status, schema=ErrorSchema, description=description)


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


def register_api(app: Flask) -> None:
    from ..accounts.api import blp as accounts
    from ..bookings.api import blp as bookings
    from ..disputes.api import blp as disputes
    from ..escrow.api import blp as escrow
    from ..fx.api import blp as fx
    from ..home.api import blp as home
    from ..listings.api import blp as listings
    from ..notifications.api import blp as notifications
    from ..search.api import blp as search
    from ..shipments.api import blp as shipments
    from ..shipments.api import carrier_blp as carriers
    from ..shipments.api import stock_blp as stock
    from ..transfers.api import blp as transfers
    from ..trust.api import blp as trust
    from ..warehouses.api import blp as warehouses

    api = WarehouseExchangeApi(
        app,
        spec_kwargs={
            "components": {"securitySchemes": SECURITY_SCHEMES},
            "extra_plugins": [DocumentedErrors(app)],
        },
    )
    blueprints = (
        accounts, warehouses, listings, bookings, escrow, search, fx, notifications, shipments,
        stock, carriers, trust, disputes, transfers, home,
    )  # fmt: skip
    for blueprint in blueprints:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
