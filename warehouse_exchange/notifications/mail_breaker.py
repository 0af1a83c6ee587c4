"""A circuit breaker per mail server, shared by the runs of this process: once a run has failed
to reach a server too many times in a row, runs leave it alone for a while instead of each
waiting out a timeout per email. Other processes find out for themselves."""

from __future__ import annotations

import threading
import time

_lock = threading.Lock()
#: mail server -> time.monotonic() until which it is left alone
_open_until: dict[str, float] = {}


def seconds_open(server: str) -> float:
    """How much longer runs leave `server` alone; 0 when they may try it."""
    with _lock:
        until = _open_until.get(server, 0.0)
    return max(0.0, until - time.monotonic())


def trip(server: str, cooldown_seconds: float) -> None:
    with _lock:
        _open_until[server] = time.monotonic() + cooldown_seconds
