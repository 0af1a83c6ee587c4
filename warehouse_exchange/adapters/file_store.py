"""Where uploaded files live: a folder outside the web root, one file per random key.

Nothing here is served directly; a view checks who may read a file and streams it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class DiskFileStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def save(self, data: bytes) -> str:
        """Write `data` under a new key and return the key."""
        key = secrets.token_hex(16)
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        os.replace(partial, path)
        return key

    def path(self, key: str) -> Path:
        if len(key) != 32 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key
