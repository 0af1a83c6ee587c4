"""Operator console: the exchange-rate table."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..adapters.clock import utc_today
from ..errors import InvalidInput
from ..permissions import require_operator
from ..web.auth import actor
from ..web.forms import show_errors
from ..web.query_args import page_arg
from . import services
from .forms import ExchangeRateForm

bp = Blueprint("fx", __name__, url_prefix="/operator/exchange-rates")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> str | Response | tuple[str, int]:
    require_operator(actor())
    base = current_app.config["BASE_CURRENCY"]
    form = ExchangeRateForm()
    if request.method == "GET":
        form.rate_date.data = utc_today()
    status = 200
    if form.validate_on_submit():
        try:
            record = services.record_rate(
                actor(), form.currency.data, form.rate.data, form.rate_date.data, base, utc_today()
            )
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(
                f"Rate recorded: 1 {base} = {record.rate.normalize()} {record.currency}.", "success"
            )
            return redirect(url_for("fx.index"))
    if form.errors or form.form_errors:
        status = 422
    history = services.rate_history(page_arg(), 50)
    return render_template(
        "fx/index.html", form=form, base=base, latest=services.latest_rates(base), history=history
    ), status
