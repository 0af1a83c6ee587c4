"""The services of a smoke run, each a process of its own on a free port of 127.0.0.1, waited
for until it answers and stopped (with its children) on exit."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter, sleep

from .. import PROJECT_ROOT

START_TIMEOUT = 60
STOP_TIMEOUT = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@dataclass
class Service:
    """One started process: its name, port (if it listens) and log."""

    name: str
    command: list[str]
    environment: dict[str, str]
    port: int | None = None
    process: subprocess.Popen | None = None
    #: closed when the process ends with the run
    log: object = field(default_factory=lambda: tempfile.TemporaryFile())  # noqa: SIM115

    def start(self) -> Service:
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopping it stops its workers too
        )
        if self.port is not None:
            self._wait_until_listening()
        return self

    def _wait_until_listening(self) -> None:
        deadline = perf_counter() + START_TIMEOUT
        while perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")  # fmt: skip
            if listening(self.port):
                return
            sleep(0.2)
        raise RuntimeError(f"{self.name} did not listen within {START_TIMEOUT} s:\n"
                           f"{self.log_tail()}")  # fmt: skip

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, characters: int = 3000) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-characters:]


def redis(port: int) -> Service:
    command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
               "--appendonly", "no"]  # fmt: skip
    return Service("redis", command, dict(os.environ), port)


def s3_server(port: int) -> Service:
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return Service("s3", command, dict(os.environ), port)


def web(name: str, port: int, environment: dict[str, str], workers: int = 2) -> Service:
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", "gthread", "--threads", "4"]  # fmt: skip
    # Two masters on one host: each needs its own metrics folder.
    metrics = tempfile.mkdtemp(prefix=f"wx-smoke-{name}-metrics-")
    return Service(name, command, {**environment, "PROMETHEUS_MULTIPROC_DIR": metrics}, port)


def scheduler(name: str, environment: dict[str, str]) -> Service:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"]
    return Service(name, command, environment)


@contextmanager
def running(services: list[Service]) -> Iterator[list[Service]]:
    started: list[Service] = []
    try:
        for service in services:
            started.append(service.start())
        yield started
    finally:
        for service in reversed(started):
            service.stop()
