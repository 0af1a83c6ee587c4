"""The search page, which is also the home page."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..adapters.clock import utc_today
from ..adapters.geocoding import PlaceNotFound
from ..adapters.place_names import PlaceSuggestion
from ..bookings.rules import BookingTerms
from ..errors import InvalidInput
from ..fx.services import latest_rates
from ..web.filters import url_for_page
from ..web.forms import show_errors
from ..web.query_args import page_arg
from .forms import SearchForm
from .query import SearchLimits
from .services import SearchResult, countries_with_capacity, search_listings

bp = Blueprint("search", __name__)

#: service field names that the form shows under another field
FIELD_ALIASES = {"max_price": "max_price", "lat": "near", "page": "near", "per_page": "near"}


@bp.route("/")
def index() -> tuple[str, int] | str:
    form = SearchForm(request.args, countries=countries_with_capacity())
    if not form.validate():
        return render_template("search/index.html", form=form, result=None), 422
    config = current_app.config
    try:
        query = form.to_query(page_arg(), config["SEARCH_DEFAULT_PER_PAGE"])
        result = search_listings(
            query,
            geocoder=current_app.extensions["geocoder"],
            rates=latest_rates(config["BASE_CURRENCY"]),
            today=utc_today(),
            limits=SearchLimits.from_config(config),
            terms=BookingTerms.from_config(config),
        )
    except InvalidInput as error:
        show_errors(form, error, FIELD_ALIASES)
        return render_template(
            "search/index.html", form=form, result=None, did_you_mean=_did_you_mean(error)
        ), 422
    page = result.page
    if page.page > page.pages and page.total_is_exact and not page.items:
        return redirect(url_for_page(page.pages))  # past the end: the last page there is
    return render_template(
        "search/index.html",
        form=form,
        result=result,
        carried=form.booking_prefill(),
        without=_urls_without(result),
        without_area=_url_without("bbox"),
    )


def _did_you_mean(error: InvalidInput) -> list[tuple[PlaceSuggestion, str]]:
    """For a place nobody has heard of: the places it resembles, each with the same search
    near it."""
    if not isinstance(error, PlaceNotFound):
        return []
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    return [
        (place, url_for("search.index", **{**args, "near": place.query}))
        for place in error.suggestions
    ]


def _url_without(*names: str) -> str:
    """The same search without the query-string arguments `names` (from the first page)."""
    args = request.args.to_dict(flat=False)
    for name in (*names, "page"):
        args.pop(name, None)
    return url_for("search.index", **args)


def _urls_without(result: SearchResult) -> dict[str, str]:
    """For each filter an empty search could drop: the same search without it."""
    return {r.filter: _url_without(*r.params) for r in result.relaxations}
