"""Warehouse pages: the owner's list, create, edit, archive, and the public page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..errors import InvalidInput
from ..listings.services import warehouse_listings
from ..permissions import require_owner
from ..web.auth import actor
from ..web.forms import render_form, show_errors
from ..web.query_args import page_arg
from . import services
from .forms import WarehouseForm

bp = Blueprint("warehouses", __name__, url_prefix="/warehouses")

#: service field names that the form shows under another field
FIELD_ALIASES = {"temperature_zones": "ambient_enabled"}


def _geocoder():
    return current_app.extensions["geocoder"]


@bp.route("/mine")
@login_required
def mine() -> str:
    user = require_owner(actor())
    page = services.organization_warehouses(
        user.organization_id,
        page_arg(),
        current_app.config["LIST_PER_PAGE"],
        include_archived=request.args.get("archived") == "1",
    )
    return render_template("warehouses/mine.html", page=page)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> str | Response:
    require_owner(actor())
    form = WarehouseForm()
    if form.validate_on_submit():
        try:
            warehouse = services.create_warehouse(actor(), form.to_data(), _geocoder())
        except InvalidInput as error:
            show_errors(form, error, FIELD_ALIASES)
        else:
            flash(f"Warehouse “{warehouse.name}” created.", "success")
            return redirect(url_for("warehouses.show", warehouse_id=warehouse.id))
    return render_form("warehouses/form.html", form, warehouse=None)


@bp.route("/<id:warehouse_id>")
def show(warehouse_id: int) -> str:
    warehouse = services.get_warehouse(warehouse_id)
    user = actor()
    is_mine = user is not None and user.organization_id == warehouse.organization_id
    return render_template(
        "warehouses/show.html",
        warehouse=warehouse,
        listings=warehouse_listings(warehouse.id, include_inactive=is_mine),
        is_mine=is_mine,
    )


@bp.route("/<id:warehouse_id>/edit", methods=["GET", "POST"])
@login_required
def edit(warehouse_id: int) -> str | Response:
    warehouse = services.own_warehouse(actor(), warehouse_id)
    form = WarehouseForm() if request.method == "POST" else WarehouseForm.for_warehouse(warehouse)
    if form.validate_on_submit():
        try:
            services.update_warehouse(actor(), warehouse_id, form.to_data(), _geocoder())
        except InvalidInput as error:
            show_errors(form, error, FIELD_ALIASES)
        else:
            flash("Warehouse saved.", "success")
            return redirect(url_for("warehouses.show", warehouse_id=warehouse_id))
    return render_form("warehouses/form.html", form, warehouse=warehouse)


@bp.post("/<id:warehouse_id>/archive")
@login_required
def archive(warehouse_id: int) -> Response:
    warehouse = services.archive_warehouse(actor(), warehouse_id)
    flash(f"Warehouse “{warehouse.name}” archived; its listings left search.", "success")
    return redirect(url_for("warehouses.mine"))
