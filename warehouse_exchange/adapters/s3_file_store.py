"""Uploaded files in a bucket of S3-compatible object storage (AWS S3, MinIO, Ceph...), so
that every web process on every host reads what any of them stored.

Objects are written without an ACL, so they stay private to the bucket's owner: nobody gets
a URL to them, and each read goes through the app's permission check (files/services.py).
Timeouts are short and retries few: while the store is down an upload must fail in seconds
with a 503, not hold a worker and the database transaction around it."""

from __future__ import annotations

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .file_store import StoredObject, checked_key, missing, new_key, unavailable

#: S3 error codes that mean "no such object" rather than "the store is failing"
MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def client_config(config) -> Config:
    return Config(
        connect_timeout=float(config["S3_CONNECT_TIMEOUT_SECONDS"]),
        read_timeout=float(config["S3_READ_TIMEOUT_SECONDS"]),
        # total_max_attempts counts the first try; max_attempts would count only the retries
        retries={"mode": "standard", "total_max_attempts": int(config["S3_MAX_ATTEMPTS"])},
        s3={"addressing_style": config["S3_ADDRESSING_STYLE"]},
        # botocore's newer default checksums are refused by several S3-compatible servers
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def _setting(config, name: str) -> str | None:
    """A setting read as text: WX_ variables that look like JSON arrive as numbers."""
    value = config.get(name)
    return None if value in (None, "") else str(value)


class S3FileStore:
    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_config(cls, config) -> S3FileStore:
        bucket = _setting(config, "S3_BUCKET")
        if bucket is None:
            raise RuntimeError("FILE_STORAGE is 's3': set WX_S3_BUCKET.")
        # without keys, boto3 looks in its usual places (AWS_* variables, an instance role)
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=_setting(config, "S3_ENDPOINT_URL"),
            region_name=_setting(config, "S3_REGION"),
            aws_access_key_id=_setting(config, "S3_ACCESS_KEY_ID"),
            aws_secret_access_key=_setting(config, "S3_SECRET_ACCESS_KEY"),
            config=client_config(config),
        )
        return cls(client, bucket)

    def save(self, data: bytes) -> str:
        key = new_key()
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        except (BotoCoreError, ClientError) as error:
            raise unavailable("save", error) from error
        return key

    def open(self, key: str) -> StoredObject:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=checked_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING_CODES:
                raise missing(key, f"bucket {self.bucket}") from error
            raise unavailable("read", error) from error
        except BotoCoreError as error:
            raise unavailable("read", error) from error
        return StoredObject(answer["Body"], int(answer["ContentLength"]))

    def check(self) -> str:
        self.client.head_bucket(Bucket=self.bucket)
        return "s3"
