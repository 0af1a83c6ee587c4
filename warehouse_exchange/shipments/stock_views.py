"""Stock pages: a lease's stock with the owner's outbound form, the exporter's stock across
leases (also as CSV), and the owner's occupancy per listing and lease."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_today
from ..catalog import UNIT_NOUNS
from ..errors import InvalidInput
from ..warehouses.services import own_warehouse
from ..web.auth import actor
from ..web.csv_response import csv_response
from ..web.forms import show_errors
from ..web.query_args import choice_arg
from . import stock
from .blueprint import bp
from .forms import OutboundForm
from .occupancy import OCCUPANCY_COLOURS, warehouse_occupancy_calendars


def _lease_page(booking_id: int, form: OutboundForm):
    user = actor()
    lease = stock.lease_stock(user, booking_id)
    form.sku.choices = [("", "Choose…")] + [
        (i.sku, f"{i.sku} ({i.on_hand} on hand)") for i in lease.items if i.on_hand
    ]
    failed = request.method == "POST" and bool(form.errors or form.form_errors)
    return render_template(
        "shipments/stock.html",
        lease=lease,
        booking=lease.booking,
        form=form,
        is_owner=user.organization_id == lease.booking.owner_id,
        nouns=UNIT_NOUNS[lease.booking.listing.unit],
    ), 422 if failed else 200


@bp.route("/bookings/<id:booking_id>/stock")
@login_required
def lease_stock(booking_id: int):
    form = OutboundForm(formdata=None)
    form.shipped_on.data = utc_today()
    return _lease_page(booking_id, form)


@bp.post("/bookings/<id:booking_id>/outbound")
@login_required
def release_outbound(booking_id: int):
    form = OutboundForm()
    lease = stock.lease_stock(actor(), booking_id)
    form.sku.choices = [("", "Choose…")] + [(i.sku, i.sku) for i in lease.items]
    if form.validate_on_submit():
        try:
            release = stock.release_outbound(actor(), booking_id, form.to_data(), utc_today())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(f"{release.units} units of {release.sku} released outbound.", "success")
            return redirect(url_for("shipments.lease_stock", booking_id=booking_id))
    return _lease_page(booking_id, form)


@bp.route("/stock")
@login_required
def all_stock() -> str:
    return render_template("shipments/all_stock.html", rows=stock.tenant_stock(actor()))


@bp.route("/stock.csv")
@login_required
def stock_csv() -> Response:
    """Stock on hand per warehouse and SKU, for the exporter's spreadsheets."""
    header = [
        "warehouse", "city", "country", "sku", "leases", "received_good", "received_damaged",
        "released", "on_hand",
    ]  # fmt: skip
    rows = map(_stock_row, stock.tenant_stock(actor()))
    return csv_response("stock.csv", header, rows)


def _stock_row(r) -> list:
    w = r.warehouse
    return [
        w.name, w.city, w.country, r.sku, r.leases, r.received_good, r.received_damaged,
        r.released, r.on_hand,
    ]  # fmt: skip


@bp.route("/occupancy")
@login_required
def occupancy() -> str:
    today = utc_today()
    listings = stock.owner_occupancy(actor(), today)
    return render_template(
        "shipments/occupancy.html", listings=listings, today=today, nouns=UNIT_NOUNS
    )


@bp.route("/occupancy/warehouses/<id:warehouse_id>")
@login_required
def warehouse_occupancy(warehouse_id: int) -> str:
    """One warehouse's occupancy per unit: held and used per day, and held per month."""
    today = utc_today()
    return render_template(
        "shipments/warehouse_occupancy.html",
        warehouse=own_warehouse(actor(), warehouse_id),
        calendars=warehouse_occupancy_calendars(actor(), warehouse_id, today),
        by=choice_arg("by", OCCUPANCY_COLOURS),
        today=today,
    )
