"""API twins of the warehouse pages."""

from __future__ import annotations

from flask import current_app

from ..permissions import require_owner
from ..web.api import ApiBlueprint, PaginationArgs, page_body
from ..web.auth import api_actor, api_login_required
from . import services
from .schemas import WarehouseInSchema, WarehousePageSchema, WarehouseSchema

blp = ApiBlueprint(
    "warehouses_api", __name__, url_prefix="/warehouses", description="Owners' warehouses"
)


@blp.get("")
@api_login_required
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, WarehousePageSchema)
@blp.refuses(403, "forbidden: only warehouse-owner organizations.")
def list_mine(args):
    """Your organization's active warehouses."""
    user = require_owner(api_actor())
    page = services.organization_warehouses(
        user.organization_id, args["page"], args["per_page"], include_archived=False
    )
    return page_body(page)


@blp.post("")
@api_login_required
@blp.arguments(WarehouseInSchema)
@blp.response(201, WarehouseSchema)
@blp.refuses(403, "forbidden: only warehouse-owner organizations.")
def create(data):
    """Create a warehouse; without latitude/longitude it is placed at its city."""
    return services.create_warehouse(api_actor(), data, current_app.extensions["geocoder"])


@blp.get("/<id:warehouse_id>")
@blp.response(200, WarehouseSchema)
def get(warehouse_id: int):
    """A warehouse's full record."""
    return services.get_warehouse(warehouse_id)


@blp.put("/<id:warehouse_id>")
@api_login_required
@blp.arguments(WarehouseInSchema)
@blp.response(200, WarehouseSchema)
@blp.refuses(403, "forbidden: only warehouse-owner organizations, for their own warehouses.")
@blp.refuses(409, "conflict: the warehouse is archived.")
def update(data, warehouse_id: int):
    """Replace a warehouse's details."""
    return services.update_warehouse(
        api_actor(), warehouse_id, data, current_app.extensions["geocoder"]
    )


@blp.post("/<id:warehouse_id>/archive")
@api_login_required
@blp.response(200, WarehouseSchema)
@blp.refuses(403, "forbidden: only warehouse-owner organizations.")
@blp.refuses(409, "conflict: the warehouse is already archived.")
def archive(warehouse_id: int):
    """Archive a warehouse and its listings."""
    return services.archive_warehouse(api_actor(), warehouse_id)
