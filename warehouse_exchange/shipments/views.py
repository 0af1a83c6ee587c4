"""Shipment pages: a lease's shipments, announcing one, a shipment's timeline, and every
shipment of the exporter (also as CSV)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_now, utc_today
from ..errors import Conflict, InvalidInput
from ..web.auth import actor
from ..web.forms import render_form, show_errors
from . import services
from .forms import EventForm, ShipmentForm
from .rules import EVENT_KINDS, MODES, SHIPPABLE_BOOKING_STATES, is_late

bp = Blueprint("shipments", __name__)


def _per_page() -> int:
    return current_app.config["LIST_PER_PAGE"]


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula is kept as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _show_line_errors(form: ShipmentForm, error: InvalidInput) -> None:
    """Errors of goods line n (as the service numbers the filled rows) beside its row."""
    rows = form.filled_rows()
    others = {}
    for name, message in error.fields.items():
        prefix, _, rest = name.partition(".")
        index, _, field_name = rest.partition(".")
        if prefix == "lines" and index.isdigit() and int(index) < len(rows):
            row = form.lines[rows[int(index)]].form
            if field_name == "declared_value":
                field_name = "declared_value_minor"
            if field_name in row._fields:
                row[field_name].errors = [*row[field_name].errors, message]
                continue
        others[name] = message
    show_errors(form, InvalidInput(error.message, others))


@bp.route("/bookings/<id:booking_id>/shipments")
@login_required
def for_booking(booking_id: int) -> str:
    booking, page = services.booking_shipments(
        actor(), booking_id, request.args.get("page", 1, type=int), _per_page()
    )
    return render_template(
        "shipments/booking.html",
        booking=booking,
        page=page,
        is_tenant=actor().organization_id == booking.tenant_id,
        can_announce=booking.state in SHIPPABLE_BOOKING_STATES,
        today=utc_today(),
        is_late=is_late,
    )


@bp.route("/bookings/<id:booking_id>/shipments/new", methods=["GET", "POST"])
@login_required
def new(booking_id: int) -> str | Response | tuple[str, int]:
    booking = services.tenant_lease(actor(), booking_id)
    if booking.state not in SHIPPABLE_BOOKING_STATES:
        flash(f"Shipments can be announced only on a confirmed or active lease; this one is"
              f" {booking.state}.", "error")  # fmt: skip
        return redirect(url_for("shipments.for_booking", booking_id=booking_id))
    form = ShipmentForm()
    if form.validate_on_submit():
        try:
            shipment = services.announce_shipment(actor(), form.to_data(booking_id), utc_today())
        except InvalidInput as error:
            _show_line_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Shipment {shipment.carrier} {shipment.tracking_number} announced.", "success")
            return redirect(url_for("shipments.show", shipment_id=shipment.id))
    return render_form("shipments/new.html", form, booking=booking)


def _show(shipment_id: int, form: EventForm):
    user = actor()
    shipment = services.get_shipment(user, shipment_id)
    booking = shipment.booking
    parties = (booking.tenant_id, booking.listing.warehouse.organization_id)
    failed = request.method == "POST" and bool(form.errors or form.form_errors)
    return render_template(
        "shipments/show.html",
        shipment=shipment,
        booking=booking,
        form=form,
        can_add=user.organization_id in parties,
        late=is_late(shipment.expected_arrival, shipment.arrived_at, utc_today()),
        labels=EVENT_KINDS,
        modes=MODES,
    ), 422 if failed else 200


@bp.route("/shipments/<id:shipment_id>")
@login_required
def show(shipment_id: int):
    form = EventForm()
    form.at.data = utc_now().replace(second=0, microsecond=0, tzinfo=None)
    return _show(shipment_id, form)


@bp.post("/shipments/<id:shipment_id>/events")
@login_required
def add_event(shipment_id: int):
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = services.add_event(actor(), shipment_id, form.to_data(), utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Event “{event.kind.replace('_', ' ')}” added.", "success")
            return redirect(url_for("shipments.show", shipment_id=shipment_id))
    return _show(shipment_id, form)


@bp.route("/shipments")
@login_required
def index() -> str:
    today = utc_today()
    page = services.tenant_shipments(
        actor(), today, request.args.get("page", 1, type=int), _per_page()
    )
    return render_template("shipments/index.html", page=page, today=today, is_late=is_late)


@bp.route("/shipments.csv")
@login_required
def export_csv() -> Response:
    """Every shipment of the organization's leases, late ones first, for its spreadsheets."""
    today = utc_today()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([
        "shipment", "booking", "warehouse", "carrier", "tracking_number", "mode",
        "expected_arrival", "status", "status_at_utc", "late", "lines", "units",
    ])  # fmt: skip
    for s in services.tenant_shipments_export(actor(), today):
        warehouse = services.warehouse_of(s)
        writer.writerow([
            s.id, s.booking_id, _cell(f"{warehouse.name}, {warehouse.city}"), _cell(s.carrier),
            _cell(s.tracking_number), s.mode, s.expected_arrival.isoformat(), s.status,
            s.status_at.strftime("%Y-%m-%d %H:%M:%S") if s.status_at else "",
            "yes" if is_late(s.expected_arrival, s.arrived_at, today) else "no",
            len(s.lines), s.units,
        ])  # fmt: skip
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=shipments.csv"},
    )
