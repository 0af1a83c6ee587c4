"""Files in S3-compatible object storage (moto's server on 127.0.0.1, the real boto3): objects
are private, and while the store is down an upload is a clear 503 that leaves no row behind,
a read says the file is temporarily unavailable, and /readyz fails, each within seconds."""

from __future__ import annotations

import io
import socket
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from tests.databases import in_rolled_back_transaction
from tests.dispute_support import claim, open_on, running_lease
from tests.helpers import api_token, login
from tests.s3_support import app_from_environment
from tests.uploads import PNG
from warehouse_exchange import create_app
from warehouse_exchange.adapters.s3_file_store import S3FileStore
from warehouse_exchange.disputes.models import Dispute, DisputeMessage
from warehouse_exchange.extensions import db
from warehouse_exchange.files.models import StoredFile

#: a dead store must fail a request in seconds, not hold a worker (timeouts 2 s + 3 s, 2 tries)
FAST_ENOUGH_SECONDS = 12
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture
def store_environment(s3) -> dict[str, str]:
    return s3.environment()


@pytest.fixture
def app(_app, database_url, store_environment):
    """An app whose files go to the `s3` fixture's bucket, configured by WX_ variables."""
    with (
        app_from_environment(database_url, store_environment) as s3_app,
        in_rolled_back_transaction(s3_app),
    ):
        yield s3_app


def rows() -> tuple[int, int, int]:
    """Stored files, dispute messages and disputes."""
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (StoredFile, DisputeMessage, Dispute)
    )


def test_wx_variables_select_the_bucket(app, s3):
    store = app.extensions["file_store"]
    assert isinstance(store, S3FileStore) and store.bucket == s3.bucket
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"]["storage"] == {"status": "ok", "detail": "s3", "ms": ANY_MS}


class _AnyNumber:
    def __eq__(self, other) -> bool:
        return isinstance(other, (int, float))


ANY_MS = _AnyNumber()


def test_objects_are_private_to_the_bucket_owner(app, s3, owner, exporter):
    dispute = open_on(running_lease(owner, exporter), exporter, claim(files=[("hall.png", PNG)]))
    key = dispute.messages[0].files[0].storage_key
    assert s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read() == PNG

    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{s3.endpoint}/{s3.bucket}/{key}", timeout=5)
    assert anonymous.value.code == 403
    grants = s3.client().get_object_acl(Bucket=s3.bucket, Key=key)["Grants"]
    assert {grant["Grantee"].get("URI") for grant in grants}.isdisjoint(
        {ALL_USERS, AUTHENTICATED_USERS}
    )
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner's only


def test_an_api_upload_while_the_store_is_down_is_a_503_and_keeps_nothing(
    app, client, s3, owner, exporter
):
    dispute = open_on(running_lease(owner, exporter), exporter)
    token = api_token(client, exporter)
    before = rows()
    s3.stop()

    started = time.monotonic()
    response = client.post(
        f"/api/v1/disputes/{dispute.id}/evidence",
        data={"body": "Photo", "files": (io.BytesIO(PNG), "door.png")},
        headers=token,
    )

    assert time.monotonic() - started < FAST_ENOUGH_SECONDS
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    error = response.json["error"]
    assert error["code"] == "storage_unavailable"
    assert "temporarily unavailable" in error["message"] and error["fields"] == {}
    assert rows() == before


def test_a_page_upload_while_the_store_is_down_is_a_503_page_and_opens_no_dispute(
    app, client, s3, owner, exporter
):
    booking = running_lease(owner, exporter)
    login(client, exporter)
    before = rows()
    s3.stop()

    form = {
        "category": "goods_damaged",
        "description": "Crushed pallets.",
        "claimed": "10.00",
        "evidence": [(io.BytesIO(PNG), "crushed.png")],
    }
    response = client.post(f"/bookings/{booking.id}/disputes/new", data=form)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert b"Temporarily unavailable" in response.data
    assert b"temporarily unavailable" in response.data and b"Nothing was saved" in response.data
    assert rows() == before  # no dispute: the booking's escrow is not frozen


def test_reading_a_file_while_the_store_is_down_says_it_is_temporarily_unavailable(
    app, client, s3, owner, exporter
):
    dispute = open_on(running_lease(owner, exporter), exporter, claim(files=[("hall.png", PNG)]))
    file_id = dispute.messages[0].files[0].id
    login(client, owner)
    s3.stop()

    response = client.get(f"/disputes/{dispute.id}/files/{file_id}")

    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert b"This file is temporarily unavailable" in response.data
    assert client.get(f"/disputes/{dispute.id}").status_code == 200  # the case page still works


def test_readyz_fails_within_seconds_while_the_store_is_down(app, s3):
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    s3.stop()

    started = time.monotonic()
    response = client.get("/readyz")

    assert time.monotonic() - started < FAST_ENOUGH_SECONDS
    assert response.status_code == 503
    assert response.json["checks"]["storage"]["status"] == "fail"
    assert response.json["checks"]["database"]["status"] == "ok"
    assert client.get("/healthz").status_code == 200


class TestAHungStore:
    """A server that accepts connections and never answers: the read timeout ends the wait."""

    @pytest.fixture
    def store_environment(self, s3):
        with socket.socket() as hung:
            hung.bind(("127.0.0.1", 0))
            hung.listen(8)  # the kernel completes connections; nobody reads or answers
            yield {
                **s3.environment(),
                "WX_S3_ENDPOINT_URL": f"http://127.0.0.1:{hung.getsockname()[1]}",
                "WX_S3_READ_TIMEOUT_SECONDS": "1",
            }

    def test_an_upload_fails_in_time_and_keeps_nothing(self, app, client, owner, exporter):
        assert app.config["S3_READ_TIMEOUT_SECONDS"] == 1
        dispute = open_on(running_lease(owner, exporter), exporter)
        token = api_token(client, exporter)
        before = rows()

        started = time.monotonic()
        response = client.post(
            f"/api/v1/disputes/{dispute.id}/evidence",
            data={"body": "Photo", "files": (io.BytesIO(PNG), "door.png")},
            headers=token,
        )

        # two tries, each waiting 1 s for "100 Continue" then 1 s for the answer; a back-off
        assert time.monotonic() - started < 2 * (1 + 1) + 2
        assert response.status_code == 503, response.json
        assert rows() == before


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"FILE_STORAGE": "ftp"}, "FILE_STORAGE must be 'disk' or 's3'"),
        ({"FILE_STORAGE": "s3"}, "set WX_S3_BUCKET"),
    ],
)
def test_a_store_configured_wrongly_stops_the_app_from_starting(settings, problem):
    with pytest.raises(RuntimeError, match=problem):
        create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})
