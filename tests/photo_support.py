"""Pictures for the photo tests, made with Pillow: a JPEG carrying EXIF with a GPS position
and a sideways orientation, plain PNGs, and the decompression-bomb PNG."""

from __future__ import annotations

import io

from PIL import Image

from tests.security.test_api_correctness import png_bomb

__all__ = ["gps_jpeg", "png_of", "png_bomb", "HTML_AS_JPEG"]

HTML_AS_JPEG = b"<!doctype html><html><body><script>alert(1)</script></body></html>\n"

#: EXIF tags: Orientation, the GPS IFD pointer, and the camera's serial number
ORIENTATION, GPS_IFD, BODY_SERIAL = 0x0112, 0x8825, 0xA431


def gps_jpeg(width: int = 300, height: int = 200) -> bytes:
    """A landscape JPEG whose EXIF says: turn me 90° (orientation 6), taken at 51.9° N 4.5° E."""
    image = Image.new("RGB", (width, height), (40, 90, 160))
    image.paste((230, 180, 40), (0, 0, width // 3, height))  # a yellow band on the left
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[BODY_SERIAL] = "SN-4471"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 55.0, 21.0), 3: "E", 4: (4.0, 28.0, 45.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_of(width: int = 64, height: int = 48, colour=(200, 60, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()
