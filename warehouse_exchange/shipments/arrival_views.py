"""The owner's arrival pages: the shipments coming to its warehouses, and its consent that a
lease's goods come in before the lease's first day."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_now
from ..errors import Conflict, InvalidInput
from ..web.auth import actor
from ..web.forms import show_errors
from ..web.query_args import page_arg
from . import arrivals
from .blueprint import bp, per_page
from .forms import EarlyArrivalForm
from .rules import ARRIVAL_GROUPS
from .views import lease_shipments_page


@bp.route("/shipments/arrivals", endpoint="arrivals")
@login_required
def arrivals_page() -> str:
    now = utc_now()
    page = arrivals.owner_arrivals(actor(), now, page_arg(), per_page())
    return render_template(
        "shipments/arrivals.html", page=page, today=now.date(), groups=ARRIVAL_GROUPS
    )


@bp.post("/bookings/<id:booking_id>/early-arrival")
@login_required
def allow_early_arrival(booking_id: int):
    form = EarlyArrivalForm()
    if form.validate_on_submit():
        try:
            arrivals.allow_early_arrival(actor(), booking_id, form.from_date.data, utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
            return lease_shipments_page(booking_id, form, 409)
        else:
            flash(
                f"Goods of lease #{booking_id} may come in from {form.from_date.data}.", "success"
            )
            return redirect(url_for("shipments.for_booking", booking_id=booking_id))
    return lease_shipments_page(booking_id, form, 422)


@bp.post("/bookings/<id:booking_id>/early-arrival/withdraw")
@login_required
def withdraw_early_arrival(booking_id: int) -> Response:
    booking = arrivals.allow_early_arrival(actor(), booking_id, None, utc_now())
    flash(f"Goods of lease #{booking_id} come in from its first day, {booking.start_date}.", "info")
    return redirect(url_for("shipments.for_booking", booking_id=booking_id))
