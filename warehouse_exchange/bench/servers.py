"""gunicorn for the benchmarks' HTTP runs: started on a free port of 127.0.0.1 against the
benchmark's database, waited for until it listens, and stopped (its workers too) on exit.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter, sleep

from .. import PROJECT_ROOT
from .database import BENCH_SECRET

SERVER_START_TIMEOUT = 60
SERVER_STOP_TIMEOUT = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "wsgi:app", "--chdir", str(PROJECT_ROOT),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--worker-class", "gthread" if threads > 1 else "sync",
    ]  # fmt: skip


def _log_tail(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]


def _wait_until_serving(server: subprocess.Popen, port: int, log) -> None:
    deadline = perf_counter() + SERVER_START_TIMEOUT
    while perf_counter() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{_log_tail(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            sleep(0.2)
    raise RuntimeError(
        f"gunicorn did not listen within {SERVER_START_TIMEOUT} s:\n{_log_tail(log)}"
    )


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()  # gunicorn stops its workers gracefully on SIGTERM
    try:
        server.wait(SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # start_new_session made the master the leader of a group of its own workers only.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@contextmanager
def gunicorn(database_url: str, workers: int, threads: int) -> Iterator[tuple[str, int]]:
    """gunicorn serving wsgi:app on 127.0.0.1 against the database; stopped on exit."""
    port = _free_port()
    environment = {
        **os.environ,
        "WX_ENV": "production",
        "WX_SECRET_KEY": BENCH_SECRET,
        "WX_SQLALCHEMY_DATABASE_URI": database_url,
    }
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            _gunicorn_command(port, workers, threads),
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(server, port, log)
            yield "127.0.0.1", port
        finally:
            _stop(server)
