"""API twins of the shipment pages, and the carrier's own view of one shipment."""

from __future__ import annotations

from flask import request

from ..adapters.clock import utc_now, utc_today
from ..files.services import read_upload
from ..web.api import ApiBlueprint, PaginationArgs, page_body
from ..web.auth import api_actor, api_login_required
from ..web.openapi import CARRIER_AUTH
from . import amendments, arrivals, carriers, commands, queries, stock
from .schemas import (
    ArrivalPageSchema,
    CancelShipmentInSchema,
    CarrierShipmentSchema,
    CarrierTokenInSchema,
    CarrierTokenSchema,
    CheckInInSchema,
    CheckInSchema,
    EarlyArrivalInSchema,
    EarlyArrivalSchema,
    EventInSchema,
    EventSchema,
    IssuedCarrierTokenSchema,
    LeaseStockSchema,
    ListingOccupancySchema,
    OutboundInSchema,
    OutboundSchema,
    PhotoFilesSchema,
    ShipmentChangeInSchema,
    ShipmentInSchema,
    ShipmentPageSchema,
    ShipmentSchema,
    StockRowSchema,
)

blp = ApiBlueprint(
    "shipments_api", __name__, url_prefix="/shipments", description="Inbound shipments"
)
stock_blp = ApiBlueprint(
    "stock_api", __name__, url_prefix="", description="Stock on hand and outbound releases"
)
carrier_blp = ApiBlueprint(
    "carrier_api",
    __name__,
    url_prefix="/carrier",
    description="Carriers: one shipment, with the carrier token the shipper issued for it",
)


def _line(args: dict) -> commands.LineData:
    value = args["declared_value"]
    return commands.LineData(
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
@blp.refuses(403, "forbidden: only the tenant of the lease.")
@blp.refuses(404, "not_found: no such booking.")
@blp.refuses(409, "conflict: the lease takes no shipments in its state.")
def create(args):
    """The tenant of a confirmed or active lease announces goods on their way to it
    (404 for a lease that is not yours, 409 when the lease is not confirmed or active)."""
    data = commands.ShipmentData(
        args["booking_id"],
        args["carrier"],
        args["tracking_number"],
        args["mode"],
        args["expected_arrival"],
        [_line(line) for line in args["lines"]],
    )
    return commands.announce_shipment(api_actor(), data, utc_now())


@blp.get("")
@api_login_required
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, ShipmentPageSchema)
def list_mine(args):
    """Every shipment to your organization's leases and to its warehouses: late ones first,
    then by expected arrival (owners: `GET /shipments/arrivals` groups those to check in)."""
    page = queries.tenant_shipments(api_actor(), utc_today(), args["page"], args["per_page"])
    return page_body(page)


@blp.get("/arrivals")
@api_login_required
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, ArrivalPageSchema)
@blp.refuses(403, "forbidden: only organizations with warehouses.")
def list_arrivals(args):
    """Shipments coming to your warehouses (owners): arrived and waiting for their check-in,
    late, expected this week, later, and checked in over the last two weeks, in that order;
    each says from which day it can be checked in (403 without warehouses)."""
    page = arrivals.owner_arrivals(api_actor(), utc_now(), args["page"], args["per_page"])
    return page_body(page)


@blp.get("/<id:shipment_id>")
@api_login_required
@blp.response(200, ShipmentSchema)
def get(shipment_id: int):
    """A shipment with its goods and timeline, for the parties of its lease and operators."""
    return queries.get_shipment(api_actor(), shipment_id)


@blp.patch("/<id:shipment_id>")
@api_login_required
@blp.arguments(ShipmentChangeInSchema)
@blp.response(200, ShipmentSchema)
@blp.refuses(403, "forbidden: only the tenant who announced the shipment.")
@blp.refuses(409, "conflict: the shipment has arrived or is cancelled.")
def change(args, shipment_id: int):
    """The tenant changes the expected arrival, carrier or tracking number of a shipment on
    its way (fields left out stay as they are); the warehouse owner is told. 409 once the
    goods arrived or the shipment was cancelled."""
    change = amendments.ShipmentChange(
        args["expected_arrival"], args["carrier"], args["tracking_number"]
    )
    return amendments.change_shipment(api_actor(), shipment_id, change, utc_now())


@blp.post("/<id:shipment_id>/cancel")
@api_login_required
@blp.arguments(CancelShipmentInSchema)
@blp.response(200, ShipmentSchema)
@blp.refuses(403, "forbidden: only the tenant who announced the shipment.")
@blp.refuses(409, "conflict: the shipment has arrived or is cancelled.")
def cancel(args, shipment_id: int):
    """The tenant calls off a shipment that has not arrived; the warehouse owner is told.
    409 once the goods arrived or when it is already cancelled."""
    return amendments.cancel_shipment(api_actor(), shipment_id, args["reason"], utc_now())


@blp.get("/<id:shipment_id>/events")
@api_login_required
@blp.response(200, EventSchema(many=True))
def events(shipment_id: int):
    """A shipment's timeline, in the order things happened."""
    return queries.get_shipment(api_actor(), shipment_id).events


@blp.post("/<id:shipment_id>/events")
@api_login_required
@blp.arguments(EventInSchema)
@blp.response(201, EventSchema)
@blp.refuses(403, "forbidden: only the tenant and the warehouse owner.")
@blp.refuses(409, "conflict: the shipment is cancelled or checked in.")
def add_event(args, shipment_id: int):
    """The tenant or the warehouse owner reports a step. After checked_in only an exception
    is accepted (409)."""
    data = commands.EventData(args["kind"], args["at"], args["place"], args["note"])
    return commands.add_event(api_actor(), shipment_id, data, utc_now())


@blp.post("/<id:shipment_id>/check-in")
@api_login_required
@blp.arguments(CheckInInSchema)
@blp.response(201, CheckInSchema)
@blp.refuses(403, "forbidden: only the warehouse owner.")
@blp.refuses(
    409,
    "conflict: already checked in, the shipment is cancelled, or the lease is not live;"
    " check_in_before_lease; check_in_after_lease.",
)
def check_in(args, shipment_id: int):
    """The warehouse owner counts the goods, once per shipment (409 the second time, and 409
    before the shipment's check_in_from day or after the lease's last day). Give
    every announced SKU its units in good order and damaged; missing and over-delivered
    units follow. Photos follow with `POST .../check-in/photos`."""
    counts = [commands.CountData(c["sku"], c["received_good"], c["damaged"]) for c in args["lines"]]
    data = commands.CheckInData(counts, args["note"])
    return commands.check_in(api_actor(), shipment_id, data, utc_now())


@blp.post("/<id:shipment_id>/check-in/photos")
@api_login_required
@blp.arguments(PhotoFilesSchema, location="files")
@blp.response(201, CheckInSchema)
@blp.refuses(403, "forbidden: only the warehouse owner.")
@blp.refuses(409, "conflict: the shipment is not checked in, or the lease is not live.")
@blp.refuses_while_storage_is_down()
def check_in_photos(_args, shipment_id: int):
    """The warehouse owner adds photos or PDFs (multipart `photos`, several allowed) to the
    shipment's check-in: images and PDFs only, each size-limited, at most 10 in all."""
    photos = [
        commands.Upload(upload.filename or "", read_upload(upload.stream, "photos"))
        for upload in request.files.getlist("photos")
    ]
    return commands.add_check_in_photos(api_actor(), shipment_id, photos)


@blp.get("/<id:shipment_id>/carrier-tokens")
@api_login_required
@blp.response(200, CarrierTokenSchema(many=True))
@blp.refuses(403, "forbidden: only the tenant.")
def carrier_tokens(shipment_id: int):
    """The tokens the tenant gave carriers for this shipment (never the secrets)."""
    return carriers.carrier_tokens(api_actor(), shipment_id)


@blp.post("/<id:shipment_id>/carrier-tokens")
@api_login_required
@blp.arguments(CarrierTokenInSchema)
@blp.response(201, IssuedCarrierTokenSchema)
@blp.refuses(403, "forbidden: only the tenant.")
def issue_carrier_token(args, shipment_id: int):
    """The tenant issues a token that reads this shipment and adds transit events to it."""
    record, token = carriers.issue_carrier_token(
        api_actor(), shipment_id, args["name"], args["days"], utc_now()
    )
    return {**{name: getattr(record, name) for name in CarrierTokenSchema().fields}, "token": token}


@blp.delete("/<id:shipment_id>/carrier-tokens/<id:token_id>")
@api_login_required
@blp.response(200, CarrierTokenSchema)
@blp.refuses(403, "forbidden: only the tenant.")
def revoke_carrier_token(shipment_id: int, token_id: int):
    """The tenant revokes a carrier token; it stops working at once."""
    return carriers.revoke_carrier_token(api_actor(), shipment_id, token_id, utc_now())


def _terms(booking) -> dict:
    consent = arrivals.early_arrival(booking)
    return {
        "booking": booking,
        "early_arrival_from": consent.from_date if consent else None,
        "check_in_from": arrivals.check_in_from(booking),
    }


@stock_blp.get("/bookings/<id:booking_id>/early-arrival")
@api_login_required
@stock_blp.response(200, EarlyArrivalSchema)
def early_arrival(booking_id: int):
    """From which day the goods of a lease are checked in: its first day, or an earlier day
    its owner agreed to (the lease's parties and operators)."""
    booking, _ = arrivals.lease_arrival_terms(api_actor(), booking_id)
    return _terms(booking)


@stock_blp.put("/bookings/<id:booking_id>/early-arrival")
@api_login_required
@stock_blp.arguments(EarlyArrivalInSchema)
@stock_blp.response(200, EarlyArrivalSchema)
@stock_blp.refuses(403, "forbidden: only the warehouse owner.")
@stock_blp.refuses(409, "conflict: the lease has started or is not live.")
def allow_early_arrival(args, booking_id: int):
    """The warehouse owner lets the lease's goods be checked in from a day before its first
    day, or withdraws that with null (403 for the tenant, 409 once the lease has started)."""
    booking = arrivals.allow_early_arrival(api_actor(), booking_id, args["from_date"], utc_now())
    return _terms(booking)


@stock_blp.get("/stock")
@api_login_required
@stock_blp.response(200, StockRowSchema(many=True))
def all_stock():
    """Stock on hand of every lease of your organization, per warehouse and SKU."""
    return stock.tenant_stock(api_actor())


@stock_blp.get("/bookings/<id:booking_id>/stock")
@api_login_required
@stock_blp.response(200, LeaseStockSchema)
def lease_stock(booking_id: int):
    """A lease's stock per SKU, the space it takes against the space rented, and its
    outbound releases (the lease's parties and operators)."""
    return stock.lease_stock(api_actor(), booking_id)


@stock_blp.get("/occupancy")
@api_login_required
@stock_blp.response(200, ListingOccupancySchema(many=True))
@stock_blp.refuses(403, "forbidden: only warehouse-owner organizations.")
def occupancy():
    """Each listing of your warehouses (owners): units leased today against the space the
    goods on hand take, and each lease's stored space against what it rents."""
    return stock.owner_occupancy(api_actor(), utc_today())


@stock_blp.post("/bookings/<id:booking_id>/outbound")
@api_login_required
@stock_blp.arguments(OutboundInSchema)
@stock_blp.response(201, OutboundSchema)
@stock_blp.refuses(403, "forbidden: only the warehouse owner.")
def release_outbound(args, booking_id: int):
    """The warehouse owner records units shipped out of the lease (422 beyond what is on
    hand)."""
    data = stock.OutboundData(
        args["sku"], args["units"], args["shipped_on"], args["reference"], args["note"]
    )
    return stock.release_outbound(api_actor(), booking_id, data, utc_today())


def _carrier_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


@carrier_blp.get("/shipments/<id:shipment_id>")
@carrier_blp.doc(security=[{CARRIER_AUTH: []}])
@carrier_blp.response(200, CarrierShipmentSchema)
def carrier_shipment(shipment_id: int):
    """The shipment the carrier token was issued for, with its timeline (401 for an unknown,
    expired or revoked token; 404 for any other shipment)."""
    return carriers.carrier_shipment(_carrier_token(), shipment_id, utc_now())


@carrier_blp.get("/shipments/<id:shipment_id>/events")
@carrier_blp.doc(security=[{CARRIER_AUTH: []}])
@carrier_blp.response(200, EventSchema(many=True))
def carrier_events(shipment_id: int):
    """Its timeline, in the order things happened."""
    return carriers.carrier_shipment(_carrier_token(), shipment_id, utc_now()).events


@carrier_blp.post("/shipments/<id:shipment_id>/events")
@carrier_blp.doc(security=[{CARRIER_AUTH: []}])
@carrier_blp.refuses(409, "conflict: the shipment is cancelled, or its goods are checked in.")
@carrier_blp.arguments(EventInSchema)
@carrier_blp.response(201, EventSchema)
def carrier_add_event(args, shipment_id: int):
    """The carrier reports a transit step (not checked_in, which is the owner's check-in)."""
    data = commands.EventData(args["kind"], args["at"], args["place"], args["note"])
    return carriers.add_carrier_event(_carrier_token(), shipment_id, data, utc_now())
