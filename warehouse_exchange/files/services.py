"""Taking an upload in and giving it back out. The caller decides who may do either and
calls `store_upload` inside its own unit of work, so the file's record commits with the
record that refers to it.

The bytes are kept in the store before the record is flushed: a store that fails raises
StorageUnavailable and the use case rolls back, leaving no row; a database that fails after
the store kept them leaves at worst an object nobody refers to, never a row without one."""

from __future__ import annotations

import hashlib
from typing import BinaryIO

from flask import Response, current_app, send_file
from werkzeug.utils import secure_filename

from ..accounts.models import User
from ..adapters.file_store import FileStore
from ..errors import InvalidInput
from ..extensions import db
from .models import StoredFile
from .rules import ACCEPTED_TYPES, PILLOW_FORMATS, ImageLimits, image_problem, sniff_type

MAX_FILENAME = 120


def file_store() -> FileStore:
    """The configured store (FILE_STORAGE), built with the app."""
    return current_app.extensions["file_store"]


def max_upload_bytes() -> int:
    return int(current_app.config["UPLOAD_MAX_BYTES"])


def image_limits() -> ImageLimits:
    config = current_app.config
    return ImageLimits(config["UPLOAD_MAX_IMAGE_PIXELS"], config["UPLOAD_MAX_IMAGE_SIDE"])


def read_upload(stream: BinaryIO, field: str) -> bytes:
    """The upload's bytes, refusing an empty or too large one without reading it all."""
    limit = max_upload_bytes()
    data = stream.read(limit + 1)
    if not data:
        raise InvalidInput("The file is empty.", {field: "Choose a file that is not empty."})
    if len(data) > limit:
        megabytes = limit / 1_000_000
        raise InvalidInput(
            "The file is too large.", {field: f"Files may be at most {megabytes:g} MB."}
        )
    return data


def store_upload(user: User, filename: str, data: bytes, field: str = "file") -> StoredFile:
    """Check and keep one uploaded file; flushed, not committed."""
    if not data:
        raise InvalidInput("The file is empty.", {field: "Choose a file that is not empty."})
    if len(data) > max_upload_bytes():
        raise InvalidInput("The file is too large.", {field: "The file is too large."})
    content_type = sniff_type(data)
    if content_type is None:
        raise InvalidInput(
            "Only images (JPEG, PNG, WebP) and PDF files are accepted.",
            {field: "Not an image or a PDF."},
        )
    if content_type in PILLOW_FORMATS:
        problem = image_problem(data, content_type, image_limits())
        if problem is not None:
            raise InvalidInput(problem, {field: problem})
    stored = StoredFile(
        storage_key=file_store().save(data),
        filename=_safe_name(filename, content_type),
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        organization_id=user.organization_id,
        uploaded_by_id=user.id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def _safe_name(filename: str, content_type: str) -> str:
    extension = ACCEPTED_TYPES[content_type]
    stem = secure_filename(filename or "").rsplit(".", 1)[0][: MAX_FILENAME - 10] or "upload"
    return f"{stem}.{extension}"


def file_response(stored: StoredFile) -> Response:
    """The file's bytes for a reader the caller has already allowed, streamed from the store
    in small chunks whichever store it is (never a URL into the store)."""
    kept = file_store().open(stored.storage_key)
    response = send_file(
        kept.stream,
        mimetype=stored.content_type,
        download_name=stored.filename,
        as_attachment=not stored.is_image,
        max_age=0,
    )
    response.content_length = kept.size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
