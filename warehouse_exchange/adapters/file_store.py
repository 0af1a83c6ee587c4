"""Where uploaded files live, behind one small interface: a folder on this host's disk (the
default) or a bucket in S3-compatible object storage (s3_file_store.py), chosen by the
FILE_STORAGE setting. Each file is kept under a new random key.

Nothing here is served directly: a view checks who may read a file and streams it. A store
that cannot be reached raises `StorageUnavailable` (a 503), having kept nothing."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import NotFound, ServiceUnavailable

log = logging.getLogger(__name__)

KEY_HEX_DIGITS = 32


#: what users read while the store is down, by what they tried
DOWN_MESSAGES = {
    "save": "File storage is temporarily unavailable; try again in a minute. Nothing was saved.",
    "read": "This file is temporarily unavailable; try again in a minute.",
}


class StorageUnavailable(ServiceUnavailable):
    code = "storage_unavailable"

    def __init__(self, message: str = DOWN_MESSAGES["save"], retry_after: int = 30):
        super().__init__(message, retry_after)


class StoredFileMissing(NotFound):
    """The record names a key the store does not hold (lost, or deleted behind our back)."""

    def __init__(self) -> None:
        super().__init__("This file is no longer in storage.")


@dataclass
class StoredObject:
    """A kept file being read: `stream` yields its bytes in chunks and must be closed."""

    stream: BinaryIO
    size: int


class FileStore(Protocol):
    def save(self, data: bytes) -> str:
        """Keep `data` under a new key and return the key."""

    def open(self, key: str) -> StoredObject:
        """The file kept under `key`, to be read in chunks."""

    def check(self) -> str:
        """Raise unless the store can take files now; else say briefly what it is."""


def new_key() -> str:
    return secrets.token_hex(KEY_HEX_DIGITS // 2)


def checked_key(key: str) -> str:
    if len(key) != KEY_HEX_DIGITS or not all(c in "0123456789abcdef" for c in key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def missing(key: str, where: str) -> StoredFileMissing:
    log.error("stored file %s is missing from %s", key, where)
    return StoredFileMissing()


def unavailable(action: str, error: Exception) -> StorageUnavailable:
    """The error for users, after logging the real cause for operators."""
    log.error("file storage failed to %s: %s: %s", action, type(error).__name__, error)
    return StorageUnavailable(DOWN_MESSAGES[action])


class DiskFileStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def save(self, data: bytes) -> str:
        key = new_key()
        path = self.path(key)
        partial = path.with_suffix(".part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError as error:  # a full disk, a lost network mount
            with contextlib.suppress(OSError):  # the folder itself may be what failed
                partial.unlink(missing_ok=True)
            raise unavailable("save", error) from error
        return key

    def open(self, key: str) -> StoredObject:
        try:
            handle = self.path(key).open("rb")
        except FileNotFoundError as error:
            raise missing(key, str(self.root)) from error
        except OSError as error:
            raise unavailable("read", error) from error
        return StoredObject(handle, os.fstat(handle.fileno()).st_size)

    def check(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError(f"upload folder {self.root} is not writable")
        return "disk"

    def path(self, key: str) -> Path:
        return self.root / checked_key(key)[:2] / key


def build_file_store(config) -> FileStore:
    kind = config["FILE_STORAGE"]
    if kind == "disk":
        return DiskFileStore(config["UPLOAD_FOLDER"])
    if kind == "s3":
        from .s3_file_store import S3FileStore  # boto3 loads only when it is used

        return S3FileStore.from_config(config)
    raise RuntimeError(f"FILE_STORAGE must be 'disk' or 's3', not {kind!r}")
