"""Booking pages: request with a quote, the owner's inbox, my leases, a booking, the calendar."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_now, utc_today
from ..adapters.payments import CARD_UNSUPPORTED_CURRENCIES
from ..errors import Conflict, InvalidInput
from ..escrow.cards import configured_gateway
from ..escrow.payments import amount_to_pay
from ..escrow.queries import escrow_summary
from ..listings.services import get_listing
from ..shipments.occupancy import OCCUPANCY_COLOURS, listing_occupancy_calendar
from ..trust.reviews import review_chance
from ..web.auth import actor
from ..web.forms import render_form, show_errors
from ..web.query_args import choice_arg, page_arg
from ..web.redirects import local_url
from . import commands, queries, rules
from .forms import BookingForm, ReasonForm

bp = Blueprint("bookings", __name__)


def _terms() -> rules.BookingTerms:
    return rules.BookingTerms.from_config(current_app.config)


@bp.route("/listings/<id:listing_id>/book", methods=["GET", "POST"])
@login_required
def new(listing_id: int) -> str | Response | tuple[str, int]:
    """Step one previews the quote; step two (the 'send' button) sends the request."""
    listing = get_listing(listing_id)
    form = BookingForm.for_listing(listing, request.args if request.method == "GET" else None)
    if request.method == "GET":
        form.idempotency_key.data = secrets.token_urlsafe(24)
    price = None
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "send":
                booking = commands.request_booking(
                    actor(), form.to_request(listing_id), _terms(), utc_now(), utc_today()
                )
                owner = listing.warehouse.organization.name
                sent = f"Request #{booking.id} sent to {owner}."
                if booking.state == "accepted":  # instant booking: no answer to wait for
                    sent = f"Booking #{booking.id} is accepted by {owner}: pay to confirm it."
                flash(sent, "success")
                return redirect(url_for("bookings.show", booking_id=booking.id))
            price = commands.preview_booking(
                actor(), form.to_request(listing_id), _terms(), utc_today()
            )
        except (InvalidInput, Conflict) as error:
            show_errors(form, error)
    return render_form("bookings/new.html", form, listing=listing, quote=price)


@bp.route("/bookings/<id:booking_id>")
@login_required
def show(booking_id: int) -> str:
    return _show(booking_id, ReasonForm(formdata=None))


def _show(booking_id: int, reason_form: ReasonForm) -> str:
    booking = queries.get_booking(actor(), booking_id)
    user = actor()
    return render_template(
        "bookings/show.html",
        booking=booking,
        is_owner=user.organization_id == booking.owner_id,
        is_tenant=user.organization_id == booking.tenant_id,
        reason_form=reason_form,
        escrow=escrow_summary(user, booking.id, utc_today()),
        review=review_chance(user, booking),
        bank=current_app.config["ESCROW_BANK_ACCOUNT"],
        cards_enabled=configured_gateway() is not None
        and booking.currency not in CARD_UNSUPPORTED_CURRENCIES,
    )


def _answer(booking_id: int, action: str) -> Response | tuple[str, int]:
    form = ReasonForm()
    if action != "accept" and not form.validate_on_submit():
        form.reason.errors = ["Give a reason: the other party reads it."]
        return _show(booking_id, form), 422
    if action == "accept":
        booking = commands.accept_booking(actor(), booking_id, utc_now())
    elif action == "decline":
        booking = commands.decline_booking(actor(), booking_id, form.reason.data, utc_now())
    else:
        booking = commands.cancel_booking(
            actor(), booking_id, form.reason.data, utc_now(), utc_today()
        )
    flash(f"Booking #{booking.id} is now {booking.state}.", "success")
    default = url_for("bookings.show", booking_id=booking_id)
    return redirect(local_url(request.form.get("next"), default))


@bp.post("/bookings/<id:booking_id>/<any(accept, decline, cancel):action>")
@login_required
def answer(booking_id: int, action: str) -> Response | tuple[str, int]:
    try:
        return _answer(booking_id, action)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("bookings.show", booking_id=booking_id))


@bp.route("/bookings/inbox")
@login_required
def inbox() -> str:
    page = queries.owner_requests(actor(), page_arg(), current_app.config["LIST_PER_PAGE"])
    return render_template("bookings/inbox.html", page=page, reason_form=ReasonForm())


@bp.route("/bookings/mine")
@login_required
def mine() -> str:
    page = queries.tenant_leases(actor(), page_arg(), current_app.config["LIST_PER_PAGE"])
    to_pay = {b.id: amount_to_pay(b) for b in page.items if b.state == "accepted"}
    return render_template("bookings/mine.html", page=page, to_pay=to_pay)


@bp.route("/listings/<id:listing_id>/calendar")
@login_required
def calendar(listing_id: int) -> str:
    """The owner's occupancy of one listing: held and used per day, and held per month."""
    today = utc_today()
    return render_template(
        "bookings/calendar.html",
        occupancy=listing_occupancy_calendar(actor(), listing_id, today),
        by=choice_arg("by", OCCUPANCY_COLOURS),
        today=today,
        listing=get_listing(listing_id),
        bookings=queries.listing_bookings(actor(), listing_id),
    )
