"""API twins of the photo pages: list a warehouse's or listing's photos, upload (multipart),
change one (alt text, position, cover) and delete one."""

from __future__ import annotations

from flask import request

from ..files.services import read_upload
from ..web.api import ApiBlueprint
from ..web.auth import api_actor, api_login_required
from . import services
from .schemas import PhotoChangeSchema, PhotoSchema, PhotoUploadArgs
from .services import PhotoChanges, PhotoUpload

blp = ApiBlueprint("photos_api", __name__, description="Photos of warehouses and listings")

FORBIDDEN = "forbidden: only the owning organization's members."
ARCHIVED = "conflict: the warehouse or listing is archived."


def _uploads(args) -> list[PhotoUpload]:
    files = request.files.getlist("files")
    alt_texts = args["alt_text"]
    return [
        PhotoUpload(
            upload.filename or "",
            read_upload(upload.stream, "files"),
            alt_texts[index] if index < len(alt_texts) else "",
        )
        for index, upload in enumerate(files)
    ]


@blp.get("/warehouses/<id:warehouse_id>/photos")
@blp.response(200, PhotoSchema(many=True))
def list_warehouse_photos(warehouse_id: int):
    """A warehouse's photos in gallery order."""
    return services.visible_photos(api_actor(), "warehouses", warehouse_id)


@blp.get("/listings/<id:listing_id>/photos")
@blp.response(200, PhotoSchema(many=True))
def list_listing_photos(listing_id: int):
    """A listing's own photos in gallery order (its warehouse's are listed there)."""
    return services.visible_photos(api_actor(), "listings", listing_id)


@blp.post("/warehouses/<id:warehouse_id>/photos")
@api_login_required
@blp.arguments(PhotoUploadArgs, location="form")
@blp.response(201, PhotoSchema(many=True))
@blp.refuses(403, FORBIDDEN)
@blp.refuses(409, ARCHIVED)
@blp.refuses_while_storage_is_down()
def add_warehouse_photos(args, warehouse_id: int):
    """Add photos of a warehouse: docks, racking, cold rooms.

    A multipart form: `files` (JPEG, PNG or WebP; one or more) and `alt_text` (one per file, in
    the same order). The first photo ever becomes the cover. Every file is checked before any
    is kept: one refused file (not an image, empty, too large, too many pixels, no alt text,
    more than PHOTOS_PER_PARENT in all) adds none."""
    return services.add_photos(api_actor(), "warehouses", warehouse_id, _uploads(args))


@blp.post("/listings/<id:listing_id>/photos")
@api_login_required
@blp.arguments(PhotoUploadArgs, location="form")
@blp.response(201, PhotoSchema(many=True))
@blp.refuses(403, FORBIDDEN)
@blp.refuses(409, ARCHIVED)
@blp.refuses_while_storage_is_down()
def add_listing_photos(args, listing_id: int):
    """Add photos of the space a listing offers.

    A multipart form: `files` (JPEG, PNG or WebP; one or more) and `alt_text` (one per file, in
    the same order). The first photo ever becomes the cover. Every file is checked before any
    is kept: one refused file (not an image, empty, too large, too many pixels, no alt text,
    more than PHOTOS_PER_PARENT in all) adds none."""
    return services.add_photos(api_actor(), "listings", listing_id, _uploads(args))


@blp.patch("/photos/<id:photo_id>")
@api_login_required
@blp.arguments(PhotoChangeSchema)
@blp.response(200, PhotoSchema)
@blp.refuses(403, FORBIDDEN)
@blp.refuses(409, ARCHIVED)
def change(args, photo_id: int):
    """Change a photo's alt text, its position (the others shift), or make it the cover."""
    return services.change_photo(api_actor(), photo_id, PhotoChanges(**args))


@blp.delete("/photos/<id:photo_id>")
@api_login_required
@blp.response(204)
@blp.refuses(403, FORBIDDEN)
@blp.refuses(409, ARCHIVED)
def delete(photo_id: int):
    """Delete a photo; the others close the gap, and the first becomes the cover if it was."""
    services.delete_photo(api_actor(), photo_id)
    return None
