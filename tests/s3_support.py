"""A local S3 server for the object-storage tests: moto in server mode, on a free port of
127.0.0.1, answering real boto3 calls over HTTP. Each server gets a bucket of its own; a test
may stop its server to see how the app behaves while the store is down.

Without moto the tests skip with the reason, unless WX_REQUIRE_ALL_BACKENDS=1 (CI)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import boto3
import pytest

from tests.databases import skip_or_fail
from warehouse_exchange import create_app
from warehouse_exchange.extensions import db

REGION = "us-east-1"
#: moto takes any keys; real ones would come from the environment the same way
ACCESS_KEY_ID = "wx-test-key"
SECRET_ACCESS_KEY = "wx-test-secret"


class LocalS3:
    """One running moto server and its bucket."""

    def __init__(self, server, endpoint: str, bucket: str):
        self.server = server
        self.endpoint = endpoint
        self.bucket = bucket
        self.running = True

    def client(self, **options):
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            **options,
        )

    def keys(self) -> set[str]:
        listed = self.client().list_objects_v2(Bucket=self.bucket)
        return {item["Key"] for item in listed.get("Contents", [])}

    def environment(self) -> dict[str, str]:
        """The WX_ variables that point an app at this bucket."""
        return {
            "WX_FILE_STORAGE": "s3",
            "WX_S3_BUCKET": self.bucket,
            "WX_S3_ENDPOINT_URL": self.endpoint,
            "WX_S3_REGION": REGION,
            "WX_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "WX_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        }

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.server.stop()


@contextmanager
def local_s3():
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        skip_or_fail(f"moto[server] is not installed (pip install -e '.[dev]'): {error}")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        server.start()
    except Exception as error:  # a missing optional dependency, no free port...
        skip_or_fail(f"moto's S3 server did not start on 127.0.0.1: {error!r}")
    _, port = server.get_host_and_port()
    # moto keeps its buckets per process, not per server: a new name for each
    store = LocalS3(server, f"http://127.0.0.1:{port}", f"wx-files-{uuid.uuid4().hex[:12]}")
    try:
        store.client().create_bucket(Bucket=store.bucket)
        yield store
    finally:
        store.stop()


@pytest.fixture
def s3():
    with local_s3() as store:
        yield store


@contextmanager
def app_from_environment(database_url: str, environment: dict[str, str], **overrides):
    """A testing app configured by WX_ variables, as production is; its engine closed after."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
