"""Use cases of photos: owners add, describe, order, choose the cover of and delete the photos
of their warehouses and listings; anyone who may see a warehouse or listing sees its photos.

Each mutating use case locks the parent row first, so that two uploads at once cannot both
take the next position, nor two covers be chosen together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..adapters.file_store import StoredObject
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..files.models import StoredFile
from ..files.rules import PILLOW_FORMATS, image_problem, sniff_type
from ..files.services import file_store, image_limits, max_upload_bytes, store_upload
from ..listings.models import Listing
from ..listings.rules import ListingStatus
from ..listings.services import own_listing
from ..unit_of_work import locked_row, use_case
from ..warehouses.models import Warehouse
from ..warehouses.services import own_warehouse
from .models import SIZES, Photo
from .rules import MAX_ALT_TEXT, make_renditions

#: the parents a photo may have, by the name used in URLs
KINDS = ("warehouses", "listings")

Parent = Warehouse | Listing


@dataclass
class PhotoUpload:
    """One uploaded picture with its alt text, and the form fields that carry them (for
    errors shown beside the right field)."""

    filename: str
    data: bytes
    alt_text: str
    file_field: str = "files"
    alt_field: str = "alt_text"


def max_photos() -> int:
    return int(current_app.config["PHOTOS_PER_PARENT"])


def _parent_column(kind: str):
    return Photo.warehouse_id if kind == "warehouses" else Photo.listing_id


def _model(kind: str) -> type[Parent]:
    if kind not in KINDS:
        raise NotFound("Photos belong to warehouses and listings.")
    return Warehouse if kind == "warehouses" else Listing


def _is_archived(parent: Parent) -> bool:
    if isinstance(parent, Listing):
        return parent.status == ListingStatus.ARCHIVED or parent.warehouse.status == "archived"
    return parent.status == "archived"


def _organization_id(parent: Parent) -> int:
    if isinstance(parent, Listing):
        return parent.warehouse.organization_id
    return parent.organization_id


def own_parent(actor: User, kind: str, parent_id: int) -> Parent:
    """The actor's own warehouse or listing; another organization's is Forbidden."""
    _model(kind)
    if kind == "warehouses":
        return own_warehouse(actor, parent_id)
    return own_listing(actor, parent_id)


def _locked_own_parent(actor: User, kind: str, parent_id: int) -> Parent:
    model = _model(kind)
    own_parent(actor, kind, parent_id)
    parent = locked_row(select(model).where(model.id == parent_id))
    if _is_archived(parent):
        raise Conflict(f"This {kind[:-1]} is archived: its photos can no longer change.")
    return parent


def may_see(viewer: User | None, parent: Parent) -> bool:
    """Photos are public wherever their warehouse or listing is on offer; once archived, only
    its own organization and operators still see them."""
    if not _is_archived(parent):
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.is_operator or viewer.organization_id == _organization_id(parent)


def _visible_parent(viewer: User | None, kind: str, parent_id: int) -> Parent:
    parent = db.session.get(_model(kind), parent_id)
    if parent is None or not may_see(viewer, parent):
        raise NotFound(f"No such {kind[:-1]}.")
    return parent


def photos_of(kind: str, parent_id: int) -> list[Photo]:
    query = select(Photo).where(_parent_column(kind) == parent_id).order_by(Photo.position)
    return list(db.session.scalars(query))


def visible_photos(viewer: User | None, kind: str, parent_id: int) -> list[Photo]:
    """A warehouse's or listing's photos in order, for anyone who may see them."""
    _visible_parent(viewer, kind, parent_id)
    return photos_of(kind, parent_id)


def gallery(viewer: User | None, listing: Listing) -> list[Photo]:
    """What a listing's page shows: the space on offer first, then the warehouse around it;
    each opening on its cover."""
    if not may_see(viewer, listing):
        return []
    return cover_first(photos_of("listings", listing.id)) + cover_first(
        photos_of("warehouses", listing.warehouse_id)
    )


def cover_first(photos: list[Photo]) -> list[Photo]:
    """The cover, then the others in their order: a gallery opens on the picture search showed."""
    return sorted(photos, key=lambda photo: not photo.is_cover)


def covers(listings: Iterable[Listing]) -> dict[int, Photo]:
    """Listing id -> its cover, or its warehouse's cover when it has none: in two queries for
    a whole page of search results."""
    listings = list(listings)
    found = db.session.scalars(
        select(Photo).where(Photo.is_cover, Photo.listing_id.in_([li.id for li in listings]))
    )
    by_listing = {photo.listing_id: photo for photo in found}
    warehouse_ids = {li.warehouse_id for li in listings if li.id not in by_listing}
    by_warehouse = {}
    if warehouse_ids:
        found = db.session.scalars(
            select(Photo).where(Photo.is_cover, Photo.warehouse_id.in_(warehouse_ids))
        )
        by_warehouse = {photo.warehouse_id: photo for photo in found}
    return {
        li.id: by_listing.get(li.id) or by_warehouse.get(li.warehouse_id)
        for li in listings
        if li.id in by_listing or li.warehouse_id in by_warehouse
    }


def _alt_text(text: str | None, field: str) -> str:
    """Alt text is required: it is what a screen reader says, and what shows if the picture
    does not load."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(
            "Describe each photo in a few words (its alt text).",
            {field: "Say what the photo shows, e.g. “Loading docks with levellers”."},
        )
    if len(text) > MAX_ALT_TEXT:
        raise InvalidInput(
            "The alt text is too long.", {field: f"At most {MAX_ALT_TEXT} characters."}
        )
    return text


def _checked(upload: PhotoUpload) -> tuple[str, str]:
    """The upload's image type and alt text, or the reason it is refused."""
    alt_text = _alt_text(upload.alt_text, upload.alt_field)
    if not upload.data:
        raise InvalidInput(
            "The file is empty.", {upload.file_field: "Choose a file that is not empty."}
        )
    if len(upload.data) > max_upload_bytes():
        megabytes = max_upload_bytes() / 1_000_000
        raise InvalidInput(
            "The file is too large.",
            {upload.file_field: f"Photos may be at most {megabytes:g} MB."},
        )
    content_type = sniff_type(upload.data)
    if content_type not in PILLOW_FORMATS:
        raise InvalidInput(
            "Photos are JPEG, PNG or WebP images.",
            {upload.file_field: "Not a JPEG, PNG or WebP image."},
        )
    problem = image_problem(upload.data, content_type, image_limits())
    if problem is not None:
        raise InvalidInput(problem, {upload.file_field: problem})
    return content_type, alt_text


def _new_photo(actor: User, upload: PhotoUpload, content_type: str, alt_text: str) -> Photo:
    """The photo's renditions made and kept in the file store, and its record (not added)."""
    stem = upload.filename.rsplit(".", 1)[0] if upload.filename else "photo"
    made = make_renditions(upload.data, content_type)
    kept = {
        size: store_upload(actor, f"{stem}-{size}", rendition.data, upload.file_field)
        for size, rendition in made.items()
    }
    return Photo(
        alt_text=alt_text,
        width=made["original"].width,
        height=made["original"].height,
        original_file=kept["original"],
        display_file=kept["display"],
        thumb_file=kept["thumb"],
        uploaded_by_id=actor.id,
    )


@use_case
def add_photos(actor: User, kind: str, parent_id: int, uploads: list[PhotoUpload]) -> list[Photo]:
    """Add pictures after the parent's last one; the first ever becomes its cover. Every
    upload is checked before any is kept: one bad file adds none."""
    parent = _locked_own_parent(actor, kind, parent_id)
    if not uploads:
        raise InvalidInput("Choose at least one photo.", {"files": "Choose a photo."})
    existing = photos_of(kind, parent_id)
    if len(existing) + len(uploads) > max_photos():
        room = max(0, max_photos() - len(existing))
        raise InvalidInput(
            f"At most {max_photos()} photos each; there is room for {room} more.",
            {uploads[0].file_field: f"At most {max_photos()} photos; room for {room} more."},
        )
    checked = [_checked(upload) for upload in uploads]
    has_cover = any(photo.is_cover for photo in existing)
    added = []
    for offset, (upload, (content_type, alt_text)) in enumerate(zip(uploads, checked, strict=True)):
        photo = _new_photo(actor, upload, content_type, alt_text)
        photo.position = len(existing) + offset
        photo.is_cover = not has_cover and offset == 0
        setattr(photo, "warehouse_id" if kind == "warehouses" else "listing_id", parent.id)
        added.append(photo)
    db.session.add_all(added)
    db.session.commit()
    return added


def _photo_of(kind: str | None, parent_id: int | None, photo_id: int) -> Photo:
    """The photo, checked to belong to the parent the page names (when it names one)."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or (
        kind is not None and (photo.parent_kind, photo.parent_id) != (kind, parent_id)
    ):
        raise NotFound("That photo is not there any more; nothing was changed.")
    return photo


def _own_photo(actor: User, photo_id: int, kind: str | None, parent_id: int | None) -> Photo:
    photo = _photo_of(kind, parent_id, photo_id)
    _locked_own_parent(actor, photo.parent_kind, photo.parent_id)
    return photo


def _renumber(photos: list[Photo]) -> None:
    """Give `photos` the positions 0, 1, 2… in this order. Two passes, so that no row ever
    takes a position another still holds (positions are unique per parent)."""
    for index, photo in enumerate(photos):
        photo.position = len(photos) + index
    db.session.flush()
    for index, photo in enumerate(photos):
        photo.position = index
    db.session.flush()


def _move(photo: Photo, position: int) -> None:
    siblings = [p for p in photos_of(photo.parent_kind, photo.parent_id) if p.id != photo.id]
    if not 0 <= position <= len(siblings):
        raise InvalidInput(
            f"Positions run from 0 to {len(siblings)}.",
            {"position": f"Between 0 and {len(siblings)}."},
        )
    siblings.insert(position, photo)
    _renumber(siblings)


def _make_cover(photo: Photo) -> None:
    for sibling in photos_of(photo.parent_kind, photo.parent_id):
        sibling.is_cover = False
    db.session.flush()  # the old cover first: at most one per parent, at every moment
    photo.is_cover = True


@dataclass
class PhotoChanges:
    """What an owner changes of a photo; None leaves it as it is."""

    alt_text: str | None = None
    position: int | None = None
    is_cover: bool | None = None


@use_case
def change_photo(
    actor: User,
    photo_id: int,
    changes: PhotoChanges,
    kind: str | None = None,
    parent_id: int | None = None,
) -> Photo:
    """Describe, move or make the cover one of the actor's photos. The cover moves only to
    another photo: unsetting it without choosing another is refused."""
    photo = _own_photo(actor, photo_id, kind, parent_id)
    if changes.alt_text is not None:
        photo.alt_text = _alt_text(changes.alt_text, "alt_text")
    if changes.is_cover is False and photo.is_cover:
        raise InvalidInput(
            "Choose another photo as the cover instead.",
            {"is_cover": "Make another photo the cover instead."},
        )
    if changes.position is not None:
        _move(photo, changes.position)
    if changes.is_cover:
        _make_cover(photo)
    db.session.commit()
    return photo


@use_case
def delete_photo(
    actor: User, photo_id: int, kind: str | None = None, parent_id: int | None = None
) -> None:
    """Remove a photo; the others close the gap and, if it was the cover, the first of them
    becomes the cover. Its files stay in the store, referred to by nothing."""
    photo = _own_photo(actor, photo_id, kind, parent_id)
    was_cover, parent = photo.is_cover, (photo.parent_kind, photo.parent_id)
    db.session.delete(photo)
    db.session.flush()
    rest = photos_of(*parent)
    _renumber(rest)
    if was_cover and rest:
        rest[0].is_cover = True
    db.session.commit()


@dataclass
class PhotoFile:
    """A rendition being read, with what its answer needs."""

    stored: StoredFile
    kept: StoredObject
    #: whether any cache may keep it: not once its warehouse or listing is archived
    public: bool


def open_photo(viewer: User | None, photo_id: int, size: str, digest: str) -> PhotoFile:
    """A rendition of a photo for anyone who may see it, when `digest` (the start of its
    SHA-256, which the URL carries so that the answer may be cached for good) still names it."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or size not in SIZES:
        raise NotFound("No such photo.")
    parent = _visible_parent(viewer, photo.parent_kind, photo.parent_id)
    stored = photo.file(size)
    if not stored.sha256.startswith(digest) or len(digest) < DIGEST_LENGTH:
        raise NotFound("No such photo.")
    return PhotoFile(stored, file_store().open(stored.storage_key), not _is_archived(parent))


#: how many hex digits of the SHA-256 the URL of a rendition carries
DIGEST_LENGTH = 16
