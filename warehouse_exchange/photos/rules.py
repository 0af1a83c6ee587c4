"""What a photo may be and how its renditions are made: pure decisions on bytes, no storage."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from ..files.rules import PILLOW_FORMATS

MAX_ALT_TEXT = 200
#: the longest side of each rendition kept besides the original, in pixels
RENDITION_SIDES = {"display": 1600, "thumb": 400}
#: how many photos a row of the upload page offers at once
UPLOAD_ROWS = 4
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Rendition:
    data: bytes
    content_type: str
    width: int
    height: int


def _upright(image: Image.Image) -> Image.Image:
    """The picture turned as its EXIF orientation says, then stripped of every metadata."""
    turned = ImageOps.exif_transpose(image)
    if turned.mode == "P":  # the palette's transparency lives in the metadata cleared below
        turned = turned.convert("RGBA" if "transparency" in turned.info else "RGB")
    turned.info = {}
    turned.getexif().clear()
    return turned


def _flat_rgb(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency laid on white, palettes and greys expanded."""
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, content_type: str) -> bytes:
    out = io.BytesIO()
    if content_type == "image/jpeg":
        _flat_rgb(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif content_type == "image/png":
        keep = image if image.mode in ("RGB", "RGBA", "L", "LA", "P") else image.convert("RGBA")
        keep.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=JPEG_QUALITY)
    return out.getvalue()


def _scaled(image: Image.Image, side: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy


def make_renditions(data: bytes, content_type: str) -> dict[str, Rendition]:
    """The original re-encoded in its own format and the smaller sizes as JPEG, all upright
    and without EXIF (GPS position, camera serial) or any other metadata. The bytes must have
    passed files.rules.image_problem already, which bounds what decoding them costs."""
    with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]]) as opened:
        opened.load()
        image = _upright(opened)
    made = {"original": Rendition(_encode(image, content_type), content_type, *image.size)}
    for size, side in RENDITION_SIDES.items():
        scaled = _scaled(image, side)
        made[size] = Rendition(_encode(scaled, "image/jpeg"), "image/jpeg", *scaled.size)
    return made
