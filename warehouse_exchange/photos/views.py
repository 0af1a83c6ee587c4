"""Photo pages: the owner's page of a warehouse's or listing's photos (upload, describe,
order, cover, delete — plain forms that work without JavaScript), and the pictures themselves,
served to anyone who may see their warehouse or listing and cached for good by their digest."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, send_file, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..errors import InvalidInput, NotFound
from ..files.rules import ACCEPTED_TYPES
from ..web.auth import actor
from ..web.forms import render_form, show_errors
from . import services
from .forms import ALT_HINT, AltTextForm, PhotoUploadForm
from .models import Photo
from .rules import RENDITION_SIDES
from .schemas import photo_url
from .services import PhotoChanges, PhotoUpload

bp = Blueprint("photos", __name__)

PARENT = "/<any(warehouses, listings):kind>/<id:parent_id>/photos"
#: a year: the URL changes whenever the bytes do
CACHED_FOR_SECONDS = 365 * 24 * 3600


@bp.app_template_global()
def photo_src(photo: Photo, size: str) -> str:
    return photo_url(photo, size)


@bp.app_template_global()
def photo_size(photo: Photo, size: str) -> tuple[int, int]:
    """The pixel size of a rendition, for the img tag's width and height (no layout shift)."""
    if size == "original":
        return photo.width, photo.height
    return photo.size_of(RENDITION_SIDES[size])


@bp.app_template_global()
def listing_gallery(listing) -> list[Photo]:
    return services.gallery(actor(), listing)


@bp.app_template_global()
def warehouse_photos(warehouse) -> list[Photo]:
    if not services.may_see(actor(), warehouse):
        return []
    return services.cover_first(services.photos_of("warehouses", warehouse.id))


@bp.app_template_global()
def search_covers(hits) -> dict[int, Photo]:
    return services.covers(hit.listing for hit in hits)


def _parent_page(kind: str, parent_id: int) -> str:
    if kind == "warehouses":
        return url_for("warehouses.show", warehouse_id=parent_id)
    return url_for("listings.show", listing_id=parent_id)


def _manage_url(kind: str, parent_id: int) -> str:
    return url_for("photos.manage", kind=kind, parent_id=parent_id)


def _uploads(form: PhotoUploadForm) -> list[PhotoUpload]:
    """The rows with a file or alt text; a row with only one of them is refused by the use
    case beside the field that is missing."""
    uploads = []
    for file_field, alt_field in form.rows:
        upload = request.files.get(file_field.name)
        has_file = upload is not None and bool(upload.filename)
        if not has_file and not (alt_field.data or "").strip():
            continue
        data = upload.stream.read(services.max_upload_bytes() + 1) if has_file else b""
        if not has_file:
            raise InvalidInput(
                "Choose the photo this alt text describes.", {file_field.name: "Choose a file."}
            )
        uploads.append(
            PhotoUpload(
                upload.filename, data, alt_field.data or "", file_field.name, alt_field.name
            )
        )
    return uploads


@bp.route(PARENT, methods=["GET", "POST"])
@login_required
def manage(kind: str, parent_id: int) -> str | tuple | Response:
    parent = services.own_parent(actor(), kind, parent_id)
    form = PhotoUploadForm()
    if form.validate_on_submit():
        try:
            uploads = _uploads(form)
            if not uploads:
                raise InvalidInput("Choose at least one photo.", {"photo_1": "Choose a photo."})
            added = services.add_photos(actor(), kind, parent_id, uploads)
        except InvalidInput as error:
            show_errors(form, error, {"files": "photo_1"})
        else:
            flash(f"{len(added)} photo{'' if len(added) == 1 else 's'} added.", "success")
            return redirect(_manage_url(kind, parent_id), 303)
    return render_form(
        "photos/manage.html",
        form,
        kind=kind,
        parent=parent,
        parent_url=_parent_page(kind, parent_id),
        photos=services.photos_of(kind, parent_id),
        alt_hint=ALT_HINT,
        max_photos=services.max_photos(),
    )


def _changed(kind: str, parent_id: int, photo_id: int, changes: PhotoChanges, done: str):
    try:
        services.change_photo(actor(), photo_id, changes, kind, parent_id)
    except (InvalidInput, NotFound) as error:
        flash(" ".join([error.message, *error.fields.values()]), "error")
    else:
        flash(done, "success")
    return redirect(_manage_url(kind, parent_id) + f"#photo-{photo_id}", 303)


@bp.post(PARENT + "/<id:photo_id>/<any(up, down):direction>")
@login_required
def move(kind: str, parent_id: int, photo_id: int, direction: str) -> Response:
    try:
        position = int(request.form.get("position", ""))
    except ValueError:
        position = -1
    target = position - 1 if direction == "up" else position + 1
    return _changed(kind, parent_id, photo_id, PhotoChanges(position=target), "Photo moved.")


@bp.post(PARENT + "/<id:photo_id>/cover")
@login_required
def cover(kind: str, parent_id: int, photo_id: int) -> Response:
    return _changed(kind, parent_id, photo_id, PhotoChanges(is_cover=True), "Cover chosen.")


@bp.post(PARENT + "/<id:photo_id>/alt-text")
@login_required
def alt_text(kind: str, parent_id: int, photo_id: int) -> Response:
    form = AltTextForm()
    if not form.validate_on_submit():
        flash("The alt text was not saved: " + "; ".join(sum(form.errors.values(), [])), "error")
        return redirect(_manage_url(kind, parent_id) + f"#photo-{photo_id}", 303)
    changes = PhotoChanges(alt_text=form.alt_text.data or "")
    return _changed(kind, parent_id, photo_id, changes, "Alt text saved.")


@bp.post(PARENT + "/<id:photo_id>/delete")
@login_required
def delete(kind: str, parent_id: int, photo_id: int) -> Response:
    try:
        services.delete_photo(actor(), photo_id, kind, parent_id)
    except NotFound as error:
        flash(error.message, "error")
    else:
        flash("Photo deleted.", "success")
    return redirect(_manage_url(kind, parent_id), 303)


@bp.route("/photos/<id:photo_id>/<any(original, display, thumb):size>-<digest>.<extension>")
def image(photo_id: int, size: str, digest: str, extension: str) -> Response:
    """A rendition's bytes. The URL names the bytes (by their digest), so a browser and any
    shared cache may keep them for a year; the page's visibility is checked on every request."""
    opened = services.open_photo(actor(), photo_id, size, digest)
    if ACCEPTED_TYPES[opened.stored.content_type] != extension:
        opened.kept.stream.close()
        raise NotFound("No such photo.")
    response = send_file(opened.kept.stream, mimetype=opened.stored.content_type, max_age=0)
    response.content_length = opened.kept.size
    audience = "public" if opened.public else "private"  # an archived one: its owners only
    response.headers["Cache-Control"] = f"{audience}, max-age={CACHED_FOR_SECONDS}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
