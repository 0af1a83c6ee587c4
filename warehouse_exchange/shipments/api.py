"""API twins of the shipment pages."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..adapters.clock import utc_now, utc_today
from ..web.api import PaginationArgs, page_body
from ..web.auth import api_actor, api_login_required
from . import services
from .schemas import (
    EventInSchema,
    EventSchema,
    ShipmentInSchema,
    ShipmentPageSchema,
    ShipmentSchema,
)

blp = Blueprint("shipments_api", __name__, url_prefix="/shipments", description="Inbound shipments")


def _line(args: dict) -> services.LineData:
    value = args["declared_value"]
    return services.LineData(
        args["sku"],
        args["description"],
        args["units"],
        args["unit_length_cm"],
        args["unit_width_cm"],
        args["unit_height_cm"],
        args["unit_weight_kg"],
        value["amount_minor"],
        value["currency"],
        args["hs_code"],
        args["hazmat_class"],
    )


@blp.post("")
@api_login_required
@blp.arguments(ShipmentInSchema)
@blp.response(201, ShipmentSchema)
def create(args):
    """The tenant of a confirmed or active lease announces goods on their way to it
    (404 for a lease that is not yours, 409 when the lease is not confirmed or active)."""
    data = services.ShipmentData(
        args["booking_id"],
        args["carrier"],
        args["tracking_number"],
        args["mode"],
        args["expected_arrival"],
        [_line(line) for line in args["lines"]],
    )
    return services.announce_shipment(api_actor(), data, utc_today())


@blp.get("")
@api_login_required
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, ShipmentPageSchema)
def list_mine(args):
    """Every shipment to your organization's leases: late ones first, then by expected arrival."""
    page = services.tenant_shipments(api_actor(), utc_today(), args["page"], args["per_page"])
    return page_body(page)


@blp.get("/<id:shipment_id>")
@api_login_required
@blp.response(200, ShipmentSchema)
def get(shipment_id: int):
    """A shipment with its goods and timeline, for the parties of its lease and operators."""
    return services.get_shipment(api_actor(), shipment_id)


@blp.get("/<id:shipment_id>/events")
@api_login_required
@blp.response(200, EventSchema(many=True))
def events(shipment_id: int):
    """A shipment's timeline, in the order things happened."""
    return services.get_shipment(api_actor(), shipment_id).events


@blp.post("/<id:shipment_id>/events")
@api_login_required
@blp.arguments(EventInSchema)
@blp.response(201, EventSchema)
def add_event(args, shipment_id: int):
    """The tenant or the warehouse owner reports a step. After checked_in only an exception
    is accepted (409)."""
    data = services.EventData(args["kind"], args["at"], args["place"], args["note"])
    return services.add_event(api_actor(), shipment_id, data, utc_now())
