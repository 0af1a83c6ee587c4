"""API shapes of photos: the multipart upload's alt texts, a photo with its URLs, a change."""

from __future__ import annotations

from flask import url_for
from marshmallow import fields, validate

from ..files.rules import ACCEPTED_TYPES
from ..web.schema import Schema
from .models import SIZES, Photo
from .rules import MAX_ALT_TEXT
from .services import DIGEST_LENGTH


def photo_url(photo: Photo, size: str) -> str:
    """Where a rendition is read: the URL carries the start of its SHA-256, so that new bytes
    get a new URL and the old answer may stay in caches."""
    stored = photo.file(size)
    return url_for(
        "photos.image",
        photo_id=photo.id,
        size=size,
        digest=stored.sha256[:DIGEST_LENGTH],
        extension=ACCEPTED_TYPES[stored.content_type],
    )


class PhotoUploadArgs(Schema):
    alt_text = fields.List(
        fields.String(validate=validate.Length(max=MAX_ALT_TEXT)),
        load_default=list,
        metadata={
            "description": "One alt text per file in `files`, in the same order (required: "
            "what the photo shows, for people who cannot see it)."
        },
    )


class PhotoSchema(Schema):
    id = fields.Integer()
    warehouse_id = fields.Integer(allow_none=True)
    listing_id = fields.Integer(allow_none=True)
    position = fields.Integer(metadata={"description": "Order in the gallery, from 0"})
    alt_text = fields.String()
    is_cover = fields.Boolean()
    width = fields.Integer(metadata={"description": "Pixels of the upright original"})
    height = fields.Integer()
    urls = fields.Function(
        lambda photo: {size: photo_url(photo, size) for size in SIZES},
        metadata={
            "type": "object",
            "description": f"URL of each rendition ({', '.join(SIZES)}); each names its bytes "
            "and may be cached for good",
        },
    )


class PhotoChangeSchema(Schema):
    alt_text = fields.String(validate=validate.Length(1, MAX_ALT_TEXT))
    position = fields.Integer(strict=True, validate=validate.Range(0, 10_000))
    is_cover = fields.Boolean(
        metadata={"description": "true makes this photo the cover (the previous one stops being)"}
    )
