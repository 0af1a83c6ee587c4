"""Maps: Leaflet and Leaflet.markercluster served from their XStatic packages (no CDN, nothing
fetched at run time), and what every map on a page needs to know about tiles.

The files are under a path carrying each package's version, so that a browser may keep them
for a long time and an upgrade is fetched anew."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, send_from_directory, url_for
from xstatic.pkg import leaflet, leaflet_markercluster

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

#: name in the URL -> the XStatic package whose files it serves
PACKAGES = {"leaflet": leaflet, "leaflet-markercluster": leaflet_markercluster}
#: a year: the version in the path changes whenever the files do
VENDOR_MAX_AGE_SECONDS = 365 * 24 * 3600


@bp.route("/<package>/<version>/<path:filename>")
def asset(package: str, version: str, filename: str):
    xstatic = PACKAGES.get(package)
    if xstatic is None or version != xstatic.VERSION:
        abort(404)
    return send_from_directory(xstatic.BASE_DIR, filename, max_age=VENDOR_MAX_AGE_SECONDS)


def vendor_url(package: str, filename: str) -> str:
    return url_for("vendor.asset", package=package, version=PACKAGES[package].VERSION,
                   filename=filename)  # fmt: skip


def map_settings() -> dict:
    """The data attributes of a map element: where tiles come from (none by default) and
    where the offline basemap is."""
    config = current_app.config
    return {
        "data-tile-url": config["MAP_TILE_URL"],
        "data-tile-attribution": config["MAP_TILE_ATTRIBUTION"],
        "data-basemap-url": url_for("static", filename="maps/countries-110m.geojson"),
    }


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    # globals rather than a context processor: the map macros are imported without context
    app.jinja_env.globals.update(vendor_url=vendor_url, map_settings=map_settings)
