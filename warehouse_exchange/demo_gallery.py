"""The demo's photos: illustrations drawn by tools/make_demo_photos.py and shipped in
demo_photos/, uploaded through the same use case as an owner's photos (so they are checked,
re-encoded and kept in the configured file store like any other)."""

from __future__ import annotations

from pathlib import Path

from .accounts.models import User
from .listings.models import Listing
from .photos.services import PhotoUpload, add_photos
from .warehouses.models import Warehouse

FOLDER = Path(__file__).resolve().parent / "demo_photos"
#: a site's cover, taken in turn
COVERS = ("exterior.jpg", "docks-day.jpg", "docks-dusk.jpg")


def _upload(filename: str, alt_text: str) -> PhotoUpload:
    return PhotoUpload(filename, (FOLDER / filename).read_bytes(), alt_text)


def _is_cold(listing: Listing) -> bool:
    return listing.temperature_max_c < 10


def attach_demo_photos(owner: User, warehouse: Warehouse, listings: list[Listing], turn: int):
    """A cover and a look inside for the site, and the space itself for cold and floor offers
    (the others show the site's cover in search)."""
    cold_site = any(zone.kind != "ambient" for zone in warehouse.temperature_zones)
    cover = COVERS[turn % len(COVERS)]
    cover_alt = {
        "exterior.jpg": f"{warehouse.name} seen from the yard, trailers parked at the dock doors",
        "docks-day.jpg": f"Four loading docks with dock levellers at {warehouse.name}",
        "docks-dusk.jpg": f"Loading docks at {warehouse.name} at dusk, a trailer at dock 2",
    }[cover]
    inside = (
        _upload("cold-room.jpg", "Cold store aisle with white-wrapped pallets, −20 °C display")
        if cold_site
        else _upload("racking.jpg", "Pallet racking aisle, four beam levels each side")
    )
    add_photos(owner, "warehouses", warehouse.id, [_upload(cover, cover_alt), inside])
    for listing in listings:
        if _is_cold(listing):
            picture = _upload("cold-room.jpg", f"The cold space of “{listing.title}”")
        elif listing.unit == "sqm":
            picture = _upload("open-floor.jpg", "Open floor with marked bays and skylights")
        else:
            continue
        add_photos(owner, "listings", listing.id, [picture])
