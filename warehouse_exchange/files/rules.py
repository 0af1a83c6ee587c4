"""Which uploads are accepted: images and PDFs, recognised by their bytes, not their name;
images only when their size is sane and they decode."""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

import filetype
from PIL import Image

#: MIME type -> extension offered on download
ACCEPTED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def sniff_type(data: bytes) -> str | None:
    """The accepted MIME type the bytes really are, or None."""
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        return None
    return kind.mime


#: the Pillow decoder each accepted image type is read with, and only that one
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}

#: what Pillow raises on bytes that are not the image they claim to be
_BROKEN_IMAGE = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int
    max_side: int

    def describe(self) -> str:
        return f"{self.max_pixels / 1_000_000:g} megapixels and {self.max_side} pixels a side"


def image_problem(data: bytes, content_type: str, limits: ImageLimits) -> str | None:
    """Why these image bytes are refused, or None when they are fine.

    A small file may declare a picture that takes gigabytes to decode, so the declared size is
    checked from the header alone (Pillow reads no pixels on open) before anything is decoded;
    then the image must decode completely, which the limits keep bounded."""
    formats = [PILLOW_FORMATS[content_type]]
    try:
        with warnings.catch_warnings():
            # Pillow warns from about 89 megapixels; the limits here are checked just below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return f"The image declares too many pixels: at most {limits.describe()}."
    except _BROKEN_IMAGE:
        return "The file is not a readable image."
    if width * height > limits.max_pixels or max(width, height) > limits.max_side:
        return f"The image is {width} × {height} pixels: at most {limits.describe()}."
    return _decoding_problem(data, formats)


def _decoding_problem(data: bytes, formats: list[str]) -> str | None:
    try:
        with Image.open(io.BytesIO(data), formats=formats) as image:
            image.verify()  # checksums and structure, without decoding
        with Image.open(io.BytesIO(data), formats=formats) as image:
            if image.format == "JPEG":  # decode at an eighth of the size: the same bytes read
                image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except _BROKEN_IMAGE:
        return "The image is damaged or incomplete."
    return None
