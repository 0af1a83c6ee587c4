"""Shipment pages: a lease's shipments, announcing one, a shipment's timeline, the owner's
check-in and its photos, carrier tokens, and every shipment of the exporter (also as CSV)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_now, utc_today
from ..errors import Conflict, InvalidInput
from ..files.services import file_response, read_upload
from ..web.auth import actor
from ..web.csv_response import csv_response
from ..web.forms import render_form, show_errors
from ..web.query_args import page_arg
from . import amendments, arrivals, carriers, checks, commands, queries
from .blueprint import bp, per_page
from .forms import (
    CancelShipmentForm,
    CarrierTokenForm,
    CheckInForm,
    EarlyArrivalForm,
    EventForm,
    ShipmentChangeForm,
    ShipmentForm,
)
from .rules import EVENT_KINDS, MODES, SHIPPABLE_BOOKING_STATES, local_day


def _show_line_errors(form: ShipmentForm, error: InvalidInput) -> None:
    """Errors of goods line n (as the service numbers the filled rows) beside its row."""
    rows = form.filled_rows()
    others = {}
    for name, message in error.fields.items():
        prefix, _, rest = name.partition(".")
        index, _, field_name = rest.partition(".")
        if prefix == "lines" and index.isdigit() and int(index) < len(rows):
            row = form.lines[rows[int(index)]].form
            if field_name in row._fields:
                row[field_name].errors = [*row[field_name].errors, message]
                continue
        others[name] = message
    show_errors(form, InvalidInput(error.message, others))


@bp.route("/bookings/<id:booking_id>/shipments")
@login_required
def for_booking(booking_id: int):
    return lease_shipments_page(booking_id, EarlyArrivalForm(formdata=None))


def lease_shipments_page(booking_id: int, early_form: EarlyArrivalForm, status: int = 200):
    """A lease's shipments, with the owner's early-arrival consent (and its form)."""
    user = actor()
    booking, page = queries.booking_shipments(user, booking_id, page_arg(), per_page())
    consent = arrivals.early_arrival(booking)
    if consent is not None and request.method == "GET":
        early_form.from_date.data = consent.from_date
    return render_template(
        "shipments/booking.html",
        booking=booking,
        page=page,
        is_tenant=user.organization_id == booking.tenant_id,
        is_owner=user.organization_id == booking.owner_id,
        can_announce=booking.state in SHIPPABLE_BOOKING_STATES,
        consent=consent,
        check_in_from=arrivals.check_in_from(booking),
        can_allow_early=booking.state in arrivals.EARLY_ARRIVAL_STATES
        and booking.start_date > utc_today(),
        early_form=early_form,
        today=utc_today(),
    ), status


@bp.route("/bookings/<id:booking_id>/shipments/new", methods=["GET", "POST"])
@login_required
def new(booking_id: int) -> str | Response | tuple[str, int]:
    booking = queries.tenant_lease(actor(), booking_id)
    if booking.state not in SHIPPABLE_BOOKING_STATES:
        flash(f"Shipments can be announced only on a confirmed or active lease; this one is"
              f" {booking.state}.", "error")  # fmt: skip
        return redirect(url_for("shipments.for_booking", booking_id=booking_id))
    form = ShipmentForm()
    if form.validate_on_submit():
        try:
            shipment = commands.announce_shipment(actor(), form.to_data(booking_id), utc_now())
        except InvalidInput as error:
            _show_line_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Shipment {shipment.carrier} {shipment.tracking_number} announced.", "success")
            if shipment.expected_arrival < shipment.check_in_from:
                flash(_early_warning(shipment.expected_arrival, shipment.check_in_from), "info")
            return redirect(url_for("shipments.show", shipment_id=shipment.id))
    first_day = arrivals.check_in_from(booking)
    arrival = form.expected_arrival.data
    warning = _early_warning(arrival, first_day) if arrival and arrival < first_day else None
    return render_form(
        "shipments/new.html", form, booking=booking, check_in_from=first_day, warning=warning
    )


def _early_warning(arrival, first_day) -> str:
    return (
        f"Expected on {arrival}, before {first_day}: the owner checks goods in to this lease"
        f" from {first_day} only, unless they agree to an early arrival."
    )


def _show(shipment_id: int, form: EventForm, **forms):
    """The shipment page; `forms` are the submitted carrier token, change or cancel forms."""
    user = actor()
    shipment = queries.get_shipment(user, shipment_id)
    booking = shipment.booking
    parties = (booking.tenant_id, booking.listing.warehouse.organization_id)
    is_tenant = user.organization_id == booking.tenant_id
    token_form = forms.get("token_form") or CarrierTokenForm(formdata=None)
    change_form = forms.get("change_form") or ShipmentChangeForm.for_shipment(shipment)
    cancel_form = forms.get("cancel_form") or CancelShipmentForm(formdata=None)
    failed = request.method == "POST" and any(
        f.errors or f.form_errors for f in (form, *forms.values())
    )
    return render_template(
        "shipments/show.html",
        shipment=shipment,
        booking=booking,
        form=form,
        token_form=token_form,
        change_form=change_form,
        cancel_form=cancel_form,
        tokens=carriers.carrier_tokens(user, shipment_id) if is_tenant else [],
        is_tenant=is_tenant,
        can_amend=is_tenant and not shipment.cancelled and shipment.arrived_at is None,
        is_owner=user.organization_id == parties[1],
        can_check_in=booking.state in SHIPPABLE_BOOKING_STATES and not shipment.cancelled,
        now=utc_now(),
        today=local_day(utc_now(), booking.listing.warehouse.timezone),
        can_add=user.organization_id in parties and not shipment.cancelled,
        late=shipment.is_late(utc_today()),
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
            event = commands.add_event(actor(), shipment_id, form.to_data(), utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Event “{event.kind.replace('_', ' ')}” added.", "success")
            return redirect(url_for("shipments.show", shipment_id=shipment_id))
    return _show(shipment_id, form)


@bp.post("/shipments/<id:shipment_id>/change")
@login_required
def change(shipment_id: int):
    form, status = ShipmentChangeForm(), None
    if form.validate_on_submit():
        try:
            shipment = amendments.change_shipment(actor(), shipment_id, form.to_change(), utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
            status = 409
        else:
            flash(f"Shipment #{shipment_id} changed; the warehouse owner is told.", "success")
            if shipment.expected_arrival < shipment.check_in_from:
                flash(_early_warning(shipment.expected_arrival, shipment.check_in_from), "info")
            return redirect(url_for("shipments.show", shipment_id=shipment_id))
    page, failed = _show(shipment_id, EventForm(formdata=None), change_form=form)
    return page, status or failed


@bp.post("/shipments/<id:shipment_id>/cancel")
@login_required
def cancel(shipment_id: int):
    form, status = CancelShipmentForm(), None
    if form.validate_on_submit():
        try:
            amendments.cancel_shipment(actor(), shipment_id, form.reason.data or "", utc_now())
        except Conflict as error:
            form.form_errors.append(error.message)
            status = 409
        else:
            flash(f"Shipment #{shipment_id} cancelled; the warehouse owner is told.", "success")
            return redirect(url_for("shipments.show", shipment_id=shipment_id))
    page, failed = _show(shipment_id, EventForm(formdata=None), cancel_form=form)
    return page, status or failed


def _show_count_errors(form: CheckInForm, error: InvalidInput) -> None:
    """Errors of count n beside its row; the rest above the form."""
    others = {}
    for name, message in error.fields.items():
        prefix, _, rest = name.partition(".")
        index, _, field_name = rest.partition(".")
        if prefix == "lines" and index.isdigit() and int(index) < len(form.lines):
            row = form.lines[int(index)].form
            if field_name in row._fields and field_name != "sku":
                row[field_name].errors = [*row[field_name].errors, message]
                continue
        others[name] = message
    show_errors(form, InvalidInput(error.message, others))


def _uploads(form: CheckInForm) -> list[commands.Upload]:
    files = [f for f in request.files.getlist(form.photos.name) if f.filename]
    return [commands.Upload(f.filename, read_upload(f.stream, "photos")) for f in files]


@bp.route("/shipments/<id:shipment_id>/check-in", methods=["GET", "POST"])
@login_required
def check_in(shipment_id: int):
    shipment = queries.get_shipment(actor(), shipment_id)
    if request.method == "GET":
        if shipment.check_in is not None:
            flash(f"Shipment #{shipment_id} is already checked in.", "info")
            return redirect(url_for("shipments.show", shipment_id=shipment_id))
        checks.check_in_allowed(actor(), shipment)
        try:
            checks.check_in_day_allowed(shipment, utc_now())
        except Conflict as error:
            return _check_in_refused(shipment, error), 409
        form = CheckInForm.for_shipment(shipment)
    else:
        form = CheckInForm()
    status = None
    if form.validate_on_submit():
        try:
            data = form.to_data(_uploads(form))
            record = commands.check_in(actor(), shipment_id, data, utc_now())
        except InvalidInput as error:
            _show_count_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
            status = 409
        else:
            found = " with discrepancies" if record.has_discrepancy else ""
            flash(f"Shipment #{shipment_id} checked in{found}.", "success")
            return redirect(url_for("shipments.show", shipment_id=shipment_id))
    lines = {line.sku: line for line in shipment.lines}
    page, failed = render_form("shipments/check_in.html", form, shipment=shipment, lines=lines)
    return page, status or failed


def _check_in_refused(shipment, error: Conflict) -> str:
    """The check-in page without its form: why the goods cannot be checked in today."""
    booking = shipment.booking
    return render_template(
        "shipments/check_in_refused.html",
        shipment=shipment,
        booking=booking,
        message=error.message,
        can_allow_early=booking.state in arrivals.EARLY_ARRIVAL_STATES
        and booking.start_date > utc_today(),
    )


@bp.route("/shipments/<id:shipment_id>/files/<id:file_id>")
@login_required
def check_in_file(shipment_id: int, file_id: int) -> Response:
    return file_response(queries.check_in_file(actor(), shipment_id, file_id))


@bp.post("/shipments/<id:shipment_id>/carrier-tokens")
@login_required
def issue_carrier_token(shipment_id: int):
    form = CarrierTokenForm()
    if form.validate_on_submit():
        try:
            record, token = carriers.issue_carrier_token(
                actor(), shipment_id, form.name.data, form.days.data, utc_now()
            )
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(f"Carrier token for “{record.name}” issued. Copy it now, it is shown only"
                  f" once: {token}", "success")  # fmt: skip
            return redirect(url_for("shipments.show", shipment_id=shipment_id) + "#carriers")
    return _show(shipment_id, EventForm(formdata=None), token_form=form)


@bp.post("/shipments/<id:shipment_id>/carrier-tokens/<id:token_id>/revoke")
@login_required
def revoke_carrier_token(shipment_id: int, token_id: int) -> Response:
    record = carriers.revoke_carrier_token(actor(), shipment_id, token_id, utc_now())
    flash(f"Carrier token for “{record.name}” revoked.", "success")
    return redirect(url_for("shipments.show", shipment_id=shipment_id) + "#carriers")


@bp.route("/shipments")
@login_required
def index() -> str:
    today = utc_today()
    page = queries.tenant_shipments(actor(), today, page_arg(), per_page())
    return render_template("shipments/index.html", page=page, today=today)


@bp.route("/shipments.csv")
@login_required
def export_csv() -> Response:
    """Every shipment of the organization's leases, late ones first, for its spreadsheets."""
    today = utc_today()
    header = [
        "shipment", "booking", "warehouse", "carrier", "tracking_number", "mode",
        "expected_arrival", "status", "status_at_utc", "late", "lines", "units", "discrepancy",
        "declared_value",
    ]  # fmt: skip
    return csv_response("shipments.csv", header, _shipment_rows(today))


def _shipment_rows(today):
    for s in queries.tenant_shipments_export(actor(), today):
        warehouse = queries.warehouse_of(s)
        yield [
            s.id, s.booking_id, f"{warehouse.name}, {warehouse.city}", s.carrier,
            s.tracking_number, s.mode, s.expected_arrival.isoformat(), s.status,
            s.status_at.strftime("%Y-%m-%d %H:%M:%S") if s.status_at else "",
            "yes" if s.is_late(today) else "no",
            len(s.lines), s.units, "yes" if s.has_discrepancy else "no",
            "; ".join(f"{value.decimal} {value.currency}" for value in s.declared_values),
        ]  # fmt: skip
