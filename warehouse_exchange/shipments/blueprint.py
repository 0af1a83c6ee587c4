"""The shipments blueprint, shared by the shipment, stock and arrival pages (views.py,
stock_views.py, arrival_views.py); web/__init__.py imports all three before registering it."""

from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("shipments", __name__)


def per_page() -> int:
    return current_app.config["LIST_PER_PAGE"]
