"""Which uploads are accepted: images and PDFs, recognised by their bytes, not their name."""

from __future__ import annotations

import filetype

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
