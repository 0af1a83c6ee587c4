"""API twins of the listing pages."""

from __future__ import annotations

from ..adapters.clock import utc_today
from ..permissions import require_owner
from ..web.api import ApiBlueprint, PaginationArgs, page_body
from ..web.auth import api_actor, api_login_required
from . import services
from .schemas import ListingInSchema, ListingPageSchema, ListingSchema

blp = ApiBlueprint("listings_api", __name__, description="Capacity listings")

STATUS_ACTIONS = {"pause": "paused", "resume": "active", "archive": "archived"}


@blp.get("/listings")
@api_login_required
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, ListingPageSchema)
@blp.refuses(403, "forbidden: only warehouse-owner organizations.")
def list_mine(args):
    """Your organization's listings that are not archived."""
    user = require_owner(api_actor())
    return page_body(
        services.organization_listings(user.organization_id, args["page"], args["per_page"])
    )


@blp.post("/warehouses/<id:warehouse_id>/listings")
@api_login_required
@blp.arguments(ListingInSchema)
@blp.response(201, ListingSchema)
@blp.refuses(
    403,
    "forbidden: only warehouse-owner organizations; blacklisted: the owner is blacklisted.",
)
@blp.refuses(409, "conflict: the warehouse is archived.")
def create(data, warehouse_id: int):
    """Publish a listing in one of your warehouses."""
    return services.create_listing(api_actor(), warehouse_id, data, utc_today())


@blp.get("/listings/<id:listing_id>")
@blp.response(200, ListingSchema)
def get(listing_id: int):
    """A listing's full record."""
    return services.get_listing(listing_id)


@blp.put("/listings/<id:listing_id>")
@api_login_required
@blp.arguments(ListingInSchema)
@blp.response(200, ListingSchema)
@blp.refuses(403, "forbidden: only warehouse-owner organizations.")
@blp.refuses(409, "conflict: the listing is archived.")
def update(data, listing_id: int):
    """Replace a listing's terms."""
    return services.update_listing(api_actor(), listing_id, data, utc_today())


@blp.post("/listings/<id:listing_id>/<any(pause, resume, archive):action>")
@api_login_required
@blp.response(200, ListingSchema)
@blp.refuses(
    403,
    "forbidden: only warehouse-owner organizations; blacklisted: the owner is blacklisted.",
)
@blp.refuses(409, "conflict: the listing's status does not allow this change.")
def change_status(listing_id: int, action: str):
    """Pause, resume or archive a listing."""
    return services.change_listing_status(
        api_actor(), listing_id, STATUS_ACTIONS[action], utc_today()
    )
