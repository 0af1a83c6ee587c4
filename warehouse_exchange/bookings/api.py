"""API twins of the booking pages."""

from __future__ import annotations

from flask import current_app, request

from ..adapters.clock import utc_now, utc_today
from ..errors import InvalidInput
from ..web.api import ApiBlueprint, page_body
from ..web.auth import api_actor, api_login_required
from . import commands, queries, rules
from .schemas import (
    AvailabilityArgs,
    AvailabilitySchema,
    BookingInSchema,
    BookingListArgs,
    BookingPageSchema,
    BookingSchema,
    ReasonSchema,
)

blp = ApiBlueprint("bookings_api", __name__, description="Bookings (leases)")


def _terms() -> rules.BookingTerms:
    return rules.BookingTerms.from_config(current_app.config)


@blp.post("/bookings")
@api_login_required
@blp.arguments(BookingInSchema)
@blp.response(201, BookingSchema)
@blp.refuses(
    403,
    "forbidden: only exporter organizations, and not on their own listing; blacklisted: the"
    " tenant or the owner is on the blacklist.",
)
@blp.refuses(404, "not_found: no such listing.")
@blp.refuses(
    409,
    "insufficient_capacity: the units are not free on every day; conflict: the listing takes"
    " no bookings now, or the idempotency key was used for another request.",
)
def create(args):
    """Ask for capacity; instant-book listings accept at once. 409 insufficient_capacity when
    the units are not free on every day."""
    key = args["idempotency_key"] or request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 64:
        raise InvalidInput("The idempotency key is too long.", {"idempotency_key": "At most 64."})
    booking_request = commands.BookingRequest(
        args["listing_id"],
        args["quantity"],
        args["start"],
        args["end"],
        args["sku_profile"],
        key,
        args["payment_plan"],
    )
    return commands.request_booking(api_actor(), booking_request, _terms(), utc_now(), utc_today())


@blp.get("/bookings")
@api_login_required
@blp.arguments(BookingListArgs, location="query")
@blp.response(200, BookingPageSchema)
def list_mine(args):
    """Your leases as a tenant, or the requests waiting for you as an owner."""
    if args["role"] == "owner":
        page = queries.owner_requests(api_actor(), args["page"], args["per_page"])
    else:
        page = queries.tenant_leases(api_actor(), args["page"], args["per_page"])
    return page_body(page)


@blp.get("/bookings/<id:booking_id>")
@api_login_required
@blp.response(200, BookingSchema)
def get(booking_id: int):
    """A booking, for its parties and operators."""
    return queries.get_booking(api_actor(), booking_id)


@blp.post("/bookings/<id:booking_id>/accept")
@api_login_required
@blp.response(200, BookingSchema)
@blp.refuses(
    403, "forbidden: only the listing's owner; blacklisted: the tenant is on the blacklist."
)
@blp.refuses(409, "conflict: the booking is not a pending request; insufficient_capacity.")
def accept(booking_id: int):
    """The owner accepts a request; its units are held from now on."""
    return commands.accept_booking(api_actor(), booking_id, utc_now())


@blp.post("/bookings/<id:booking_id>/decline")
@api_login_required
@blp.arguments(ReasonSchema)
@blp.response(200, BookingSchema)
@blp.refuses(403, "forbidden: only the listing's owner.")
@blp.refuses(409, "conflict: the booking is not a pending request.")
def decline(args, booking_id: int):
    """The owner declines a request, with a reason."""
    return commands.decline_booking(api_actor(), booking_id, args["reason"], utc_now())


@blp.post("/bookings/<id:booking_id>/cancel")
@api_login_required
@blp.arguments(ReasonSchema)
@blp.response(200, BookingSchema)
@blp.refuses(403, "forbidden: only the parties to the booking.")
@blp.refuses(409, "conflict: the booking can no longer be cancelled.")
def cancel(args, booking_id: int):
    """Either party cancels before the lease starts, with a reason."""
    return commands.cancel_booking(api_actor(), booking_id, args["reason"], utc_now(), utc_today())


@blp.get("/listings/<id:listing_id>/availability")
@blp.arguments(AvailabilityArgs, location="query")
@blp.response(200, AvailabilitySchema)
def availability(args, listing_id: int):
    """Free units per day (at most 366 days)."""
    days = queries.availability(listing_id, args["start"], args["end"])
    return {"listing_id": listing_id, "days": [{"day": d, "free": f} for d, f in days]}
