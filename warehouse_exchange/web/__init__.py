"""The web layer: blueprints for pages and the JSON API, and what they share."""

from __future__ import annotations

from flask import Flask

from .errors import register_error_handlers


def register(app: Flask) -> None:
    from ..accounts.views import bp as accounts
    from ..fx.views import bp as fx
    from ..listings.views import bp as listings
    from ..search.views import bp as search
    from ..warehouses.views import bp as warehouses
    from . import auth, filters
    from .api import register_api

    auth.init_login(app)
    filters.register(app)
    register_error_handlers(app)
    for blueprint in (search, accounts, warehouses, listings, fx):
        app.register_blueprint(blueprint)
    register_api(app)
