"""The web layer: blueprints for pages and the JSON API, and what they share."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from .errors import register_error_handlers

#: 1 to 2147483647, the largest 32-bit INTEGER, without leading zeros
ID_PATTERN = (
    r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}"
    r"|21474[0-7]\d{4}|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
)


class IdConverter(IntegerConverter):
    """Row ids in URLs: 1 to the largest 32-bit INTEGER, so that an absurd id is a 404 rather
    than an overflow in the database driver.

    The range is in the pattern, not only in min and max: werkzeug matches a rule's pattern
    before its method and converts after, so an id the conversion refused made the other
    methods of the path answer 405 (with an Allow header naming them) instead of 404."""

    regex = ID_PATTERN

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def register(app: Flask) -> None:
    from ..accounts.views import bp as accounts
    from ..audit.views import bp as audit
    from ..bookings.views import bp as bookings
    from ..disputes.views import bp as disputes
    from ..escrow.views import bp as escrow
    from ..fx.views import bp as fx
    from ..home.views import bp as home
    from ..listings.views import bp as listings
    from ..notifications.views import bp as notifications
    from ..photos.views import bp as photos
    from ..scheduler.views import bp as scheduler
    from ..search.views import bp as search
    from ..shipments import arrival_views, stock_views  # noqa: F401  (routes of shipments)
    from ..shipments import views as shipment_views  # noqa: F401  (routes of shipments)
    from ..shipments.blueprint import bp as shipments
    from ..transfers.views import bp as transfers
    from ..trust.views import bp as trust
    from ..warehouses.views import bp as warehouses
    from . import auth, filters, input_guard, maps
    from .api_routes import register_api

    app.url_map.converters["id"] = IdConverter
    auth.init_login(app)
    filters.register(app)
    register_error_handlers(app)
    input_guard.register(app)
    blueprints = (
        search, accounts, warehouses, listings, bookings, escrow, fx, scheduler, notifications,
        shipments, trust, disputes, audit, transfers, home, photos,
    )  # fmt: skip
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    register_api(app)
    maps.register(app)
    _follow_demo_clock(app)


def _follow_demo_clock(app: Flask) -> None:
    """Outside production, each request reads the demo clock's offset (one small query), so
    that every process of the deployment shows the same day after `flask demo advance`."""
    from ..adapters.clock import clock_offset, utc_today
    from ..observability import UNHOOKED_BLUEPRINTS
    from ..scheduler import demo_clock

    if not demo_clock.enabled(app.config):
        return

    @app.before_request
    def load_demo_clock() -> None:
        if request.blueprint not in UNHOOKED_BLUEPRINTS:
            demo_clock.load_offset()

    @app.context_processor
    def demo_clock_reading() -> dict:
        return {"demo_offset_days": clock_offset().days, "demo_today": utc_today()}
