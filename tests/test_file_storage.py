"""Evidence kept in either file store, the disk folder (the default) and an S3 bucket (moto's
server on 127.0.0.1, reached by the real boto3): uploaded through the pages and the API, read
back only through the permission-checked page, with the same headers from both stores."""

from __future__ import annotations

import io
import os
from contextlib import ExitStack

import pytest
from flask import current_app
from sqlalchemy import select

from tests.databases import in_rolled_back_transaction
from tests.dispute_support import claim, open_on, running_lease
from tests.factories import OrganizationFactory, UserFactory
from tests.helpers import api_token, login
from tests.s3_support import app_from_environment, local_s3
from tests.test_goods_pages import count_form
from tests.test_shipments import announce, line
from tests.uploads import PDF, PNG
from warehouse_exchange.adapters.file_store import (
    DiskFileStore,
    StorageUnavailable,
    StoredFileMissing,
)
from warehouse_exchange.disputes.models import Dispute
from warehouse_exchange.extensions import db
from warehouse_exchange.files.models import StoredFile
from warehouse_exchange.shipments.models import CheckIn

pytest_plugins = ["tests.test_shipments"]  # its `lease` fixture

STORES = ("disk", "s3")


@pytest.fixture(params=STORES)
def app(request, _app, database_url):
    """The test app with files on disk, or an app configured for S3 by WX_ variables."""
    with ExitStack() as stack:
        flask_app = _app
        if request.param == "s3":
            s3 = stack.enter_context(local_s3())
            flask_app = stack.enter_context(app_from_environment(database_url, s3.environment()))
            flask_app.config["TEST_S3"] = s3
        yield stack.enter_context(in_rolled_back_transaction(flask_app))


def kept_keys() -> set[str]:
    """The keys the app's configured store holds, read past the app."""
    s3 = current_app.config.get("TEST_S3")
    if s3 is not None:
        return s3.keys()
    return {name for _, _, names in os.walk(current_app.config["UPLOAD_FOLDER"]) for name in names}


def test_the_configured_store_is_the_one_used(app):
    kind = "s3" if app.config.get("TEST_S3") else "disk"
    assert app.config["FILE_STORAGE"] == kind
    assert app.test_client().get("/readyz").json["checks"]["storage"]["detail"] == kind


def test_evidence_sent_through_the_api_is_read_back_through_the_case_page(
    app, client, owner, exporter
):
    dispute = open_on(running_lease(owner, exporter), exporter)
    evidence = {
        "body": "Photos",
        "files": [(io.BytesIO(PNG), "dock.png"), (io.BytesIO(PDF), "r.pdf")],
    }
    sent = client.post(
        f"/api/v1/disputes/{dispute.id}/evidence",
        data=evidence,
        headers=api_token(client, exporter),
    )
    assert sent.status_code == 201, sent.json
    photo, report = (db.session.get(StoredFile, f["id"]) for f in sent.json["files"])
    assert {photo.storage_key, report.storage_key} <= kept_keys()

    login(client, owner)  # the other party reads it
    shown = client.get(f"/disputes/{dispute.id}/files/{photo.id}")
    assert shown.status_code == 200
    assert shown.data == PNG
    assert shown.headers["Content-Length"] == str(len(PNG))
    assert shown.mimetype == "image/png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert "attachment" not in shown.headers.get("Content-Disposition", "inline")
    shown.close()
    downloaded = client.get(f"/disputes/{dispute.id}/files/{report.id}")
    assert downloaded.data == PDF and downloaded.mimetype == "application/pdf"
    assert downloaded.headers["Content-Disposition"].startswith("attachment")
    downloaded.close()


def test_evidence_sent_with_the_opening_page_is_kept(app, client, owner, exporter):
    booking = running_lease(owner, exporter)
    login(client, exporter)
    form = {
        "category": "goods_damaged",
        "description": "Crushed pallets.",
        "claimed": "10.00",
        "evidence": [(io.BytesIO(PNG), "crushed.png")],
    }
    response = client.post(f"/bookings/{booking.id}/disputes/new", data=form)
    assert response.status_code == 302
    dispute = db.session.scalar(select(Dispute).where(Dispute.booking_id == booking.id))
    kept = dispute.messages[0].files[0]
    assert kept.storage_key in kept_keys()
    served = client.get(f"/disputes/{dispute.id}/files/{kept.id}")
    assert served.data == PNG
    served.close()


def test_a_stranger_cannot_read_evidence_from_either_store(
    app, client, owner, exporter, other_owner
):
    dispute = open_on(running_lease(owner, exporter), exporter, claim(files=[("hall.png", PNG)]))
    file_id = dispute.messages[0].files[0].id
    login(client, other_owner)
    assert client.get(f"/disputes/{dispute.id}/files/{file_id}").status_code == 404
    client.post("/logout")
    assert client.get(f"/disputes/{dispute.id}/files/{file_id}").status_code == 302  # log in


def test_a_check_in_photo_from_the_owner_page_is_shown_to_the_tenant_only(
    app, client, lease, owner, exporter
):
    lines = [line(), line(sku="BT-SPK-02", units=60)]
    shipment = announce(client, api_token(client, exporter), lease.id, lines=lines)
    login(client, owner)
    data = count_form(photos=[(io.BytesIO(PNG), "dock.png")])
    done = client.post(f"/shipments/{shipment['id']}/check-in", data=data)
    assert done.status_code == 302, done.get_data(as_text=True)
    photo = db.session.scalar(select(CheckIn)).files[0]
    assert photo.storage_key in kept_keys()
    client.post("/logout")

    login(client, exporter)
    url = f"/shipments/{shipment['id']}/files/{photo.id}"
    served = client.get(url)
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    served.close()
    client.post("/logout")
    login(client, UserFactory(organization=OrganizationFactory(kind="exporter")))
    assert client.get(url).status_code == 404


def test_a_record_whose_file_is_gone_is_a_404_not_a_500(app, client, owner, exporter):
    dispute = open_on(running_lease(owner, exporter), exporter, claim(files=[("hall.png", PNG)]))
    stored = dispute.messages[0].files[0]
    stored.storage_key = "0" * 32  # a key the store never held
    db.session.commit()
    login(client, exporter)
    response = client.get(f"/disputes/{dispute.id}/files/{stored.id}")
    assert response.status_code == 404
    assert b"no longer in storage" in response.data


def test_a_disk_store_that_cannot_write_keeps_nothing_and_says_so(tmp_path):
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    store = DiskFileStore(blocked / "uploads")
    with pytest.raises(StorageUnavailable) as refused:
        store.save(PNG)
    assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "30"
    with pytest.raises(StoredFileMissing):
        DiskFileStore(tmp_path).open("0" * 32)
    assert [p.name for p in tmp_path.iterdir()] == ["a-file-not-a-folder"]
