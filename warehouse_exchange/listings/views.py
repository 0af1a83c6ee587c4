"""Listing pages: publish, edit, pause, resume, archive; the public listing page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_today
from ..bookings.forms import chosen_space, prefilled
from ..bookings.queries import AvailabilityCalendar, availability_calendar
from ..errors import InvalidInput
from ..permissions import require_owner
from ..trust.reviews import listing_reviews
from ..trust.rules import ASPECTS
from ..warehouses.services import own_warehouse
from ..web.auth import actor
from ..web.forms import render_form, show_errors
from ..web.query_args import page_arg
from . import services
from .forms import ListingForm

bp = Blueprint("listings", __name__, url_prefix="/listings")

STATUS_ACTIONS = {"pause": "paused", "resume": "active", "archive": "archived"}


@bp.route("/mine")
@login_required
def mine() -> str:
    user = require_owner(actor())
    page = services.organization_listings(
        user.organization_id,
        page_arg(),
        current_app.config["LIST_PER_PAGE"],
    )
    return render_template("listings/mine.html", page=page)


@bp.route("/new/<id:warehouse_id>", methods=["GET", "POST"])
@login_required
def create(warehouse_id: int) -> str | Response:
    warehouse = own_warehouse(actor(), warehouse_id)
    form = ListingForm()
    if request.method == "GET":
        form.available_from.data = utc_today()
    if form.validate_on_submit():
        try:
            listing = services.create_listing(actor(), warehouse_id, form.to_data(), utc_today())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(f"Listing “{listing.title}” published.", "success")
            return redirect(url_for("listings.show", listing_id=listing.id))
    return render_form("listings/form.html", form, warehouse=warehouse, listing=None)


@bp.route("/<id:listing_id>")
def show(listing_id: int) -> str:
    listing = services.get_listing(listing_id)
    user = actor()
    is_mine = user is not None and user.organization_id == listing.warehouse.organization_id
    availability, unreadable_choice = _availability(listing.id)
    return render_template(
        "listings/show.html",
        listing=listing,
        is_mine=is_mine,
        reviews=listing_reviews(listing.id),
        aspects=ASPECTS,
        carried=prefilled(request.args),
        availability=availability,
        unreadable_choice=unreadable_choice,
        today=utc_today(),
    )


def _availability(listing_id: int) -> tuple[AvailabilityCalendar, InvalidInput | None]:
    """The calendar with the link's chosen dates and quantity marked; when they cannot be
    read, the calendar without them and the reason."""
    try:
        return availability_calendar(listing_id, utc_today(), chosen_space(request.args)), None
    except InvalidInput as error:
        return availability_calendar(listing_id, utc_today()), error


@bp.route("/<id:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(listing_id: int) -> str | Response:
    listing = services.own_listing(actor(), listing_id)
    form = ListingForm() if request.method == "POST" else ListingForm.for_listing(listing)
    if form.validate_on_submit():
        try:
            services.update_listing(actor(), listing_id, form.to_data(), utc_today())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash("Listing saved.", "success")
            return redirect(url_for("listings.show", listing_id=listing_id))
    return render_form("listings/form.html", form, warehouse=listing.warehouse, listing=listing)


@bp.post("/<id:listing_id>/<any(pause, resume, archive):action>")
@login_required
def change_status(listing_id: int, action: str) -> Response:
    listing = services.change_listing_status(
        actor(), listing_id, STATUS_ACTIONS[action], utc_today()
    )
    flash(f"Listing “{listing.title}” is now {listing.status}.", "success")
    return redirect(url_for("listings.show", listing_id=listing_id))
