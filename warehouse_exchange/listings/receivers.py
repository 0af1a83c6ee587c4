"""Listings follow what the areas below them announce: a new exchange rate re-ranks the
listings priced in its currency, an archived warehouse archives its listings."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..warehouses.models import Warehouse
from .models import Listing
from .services import refresh_price_ranks


def rerank_prices(currency: str, *, rates, **_):
    refresh_price_ranks(currency, rates)


def archive_listings(warehouse: Warehouse, **_):
    for listing in db.session.scalars(select(Listing).where(Listing.warehouse_id == warehouse.id)):
        listing.status = "archived"
