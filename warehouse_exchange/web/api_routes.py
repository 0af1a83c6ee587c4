"""The JSON API under /api/v1, documented by flask-smorest from its marshmallow schemas: the
areas' API blueprints, registered on top of them all."""

from __future__ import annotations

from flask import Flask

from ..extensions import csrf
from .api import WarehouseExchangeApi
from .openapi import SECURITY_SCHEMES, DocumentedErrors


def register_api(app: Flask) -> None:
    from ..accounts.api import blp as accounts
    from ..bookings.api import blp as bookings
    from ..disputes.api import blp as disputes
    from ..escrow.api import blp as escrow
    from ..fx.api import blp as fx
    from ..home.api import blp as home
    from ..listings.api import blp as listings
    from ..notifications.api import blp as notifications
    from ..photos.api import blp as photos
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
        stock, carriers, trust, disputes, transfers, home, photos,
    )  # fmt: skip
    for blueprint in blueprints:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
