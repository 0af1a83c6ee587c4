"""API twins of the exchange-rate console."""

from __future__ import annotations

from flask import current_app

from ..adapters.clock import utc_today
from ..web.api import ApiBlueprint
from ..web.auth import api_actor, api_login_required
from . import services
from .schemas import ExchangeRateInSchema, ExchangeRateSchema

blp = ApiBlueprint("fx_api", __name__, url_prefix="/exchange-rates", description="Exchange rates")


@blp.get("")
@blp.response(200, ExchangeRateSchema(many=True))
def latest():
    """The newest rate of every currency."""
    base = current_app.config["BASE_CURRENCY"]
    table = services.latest_rates(base)
    return [
        {"currency": c, "rate": r, "rate_date": table.dates[c], "base": base}
        for c, r in sorted(table.rates.items())
    ]


@blp.post("")
@api_login_required
@blp.arguments(ExchangeRateInSchema)
@blp.response(201, ExchangeRateSchema)
@blp.refuses(403, "forbidden: only platform operators.")
def record(args):
    """Record a rate (operators only)."""
    base = current_app.config["BASE_CURRENCY"]
    record = services.record_rate(
        api_actor(), args["currency"], args["rate"], args["rate_date"], base, utc_today()
    )
    return {
        "currency": record.currency,
        "rate": record.rate,
        "rate_date": record.rate_date,
        "base": base,
    }
