"""Uploaded files: only images and PDFs, recognised by their bytes, size-limited, kept
outside the web root and given back with headers that stop a browser from guessing."""

from __future__ import annotations

import io

import pytest

from tests.uploads import PDF, PNG, TEXT_AS_IMAGE
from warehouse_exchange.errors import InvalidInput
from warehouse_exchange.extensions import db
from warehouse_exchange.files.models import StoredFile
from warehouse_exchange.files.services import (
    file_response,
    file_store,
    read_upload,
    store_upload,
)


def test_an_image_is_kept_under_a_random_key_with_its_checked_type(app, owner):
    stored = store_upload(owner, "../../etc/dock photo.PNG", PNG)

    assert stored.content_type == "image/png"
    assert stored.filename == "etc_dock_photo.png"
    assert stored.size_bytes == len(PNG)
    assert stored.organization_id == owner.organization_id
    path = file_store().path(stored.storage_key)
    assert path.read_bytes() == PNG
    assert str(path).startswith(app.config["UPLOAD_FOLDER"])


def test_a_pdf_gets_the_pdf_extension_whatever_its_name(app, owner):
    stored = store_upload(owner, "invoice.exe", PDF)

    assert (stored.content_type, stored.filename) == ("application/pdf", "invoice.pdf")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (TEXT_AS_IMAGE, "Only images (JPEG, PNG, WebP) and PDF files are accepted."),
    ],
)
def test_a_file_that_is_not_an_image_or_pdf_is_refused_and_nothing_is_kept(
    app, owner, data, message
):
    with pytest.raises(InvalidInput) as refused:
        store_upload(owner, "photo.png", data, field="photo")

    assert refused.value.message == message
    assert "photo" in refused.value.fields
    assert db.session.query(StoredFile).count() == 0


def test_a_file_over_the_limit_is_refused_before_it_is_read_whole(app):
    app.config["UPLOAD_MAX_BYTES"] = 1000
    try:
        stream = io.BytesIO(PNG + b"\0" * 5000)
        with pytest.raises(InvalidInput) as refused:
            read_upload(stream, "photo")
        assert stream.tell() == 1001
        assert refused.value.fields == {"photo": "Files may be at most 0.001 MB."}
        assert read_upload(io.BytesIO(PNG), "photo") == PNG
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 5_000_000


def test_files_are_served_without_caching_and_pdfs_as_downloads(app, owner):
    image = store_upload(owner, "dock.png", PNG)
    document = store_upload(owner, "licence.pdf", PDF)

    with app.test_request_context():
        shown = file_response(image)
        downloaded = file_response(document)
        shown.direct_passthrough = False
        assert shown.get_data() == PNG
        shown.close()
        downloaded.close()
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in shown.headers["Cache-Control"]
        assert "attachment" not in shown.headers.get("Content-Disposition", "inline")
        assert downloaded.headers["Content-Disposition"].startswith("attachment")
        assert downloaded.mimetype == "application/pdf"
