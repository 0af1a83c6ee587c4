"""Faults during the smoke run's traffic: a web worker of the first instance killed with
SIGKILL every five seconds, mid-request (gunicorn starts another), and the first scheduler
killed with SIGKILL half-way and started again. A killed request's transaction must roll back
and a killed job's work be finished by the next run, with nothing posted twice."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .processes import Service

#: a worker takes a few seconds to load the app on a busy machine: kill less often than that
WORKER_KILL_EVERY = 5.0


@dataclass
class Chaos:
    web: Service
    scheduler: Service
    seconds: float
    workers_killed: int = 0
    schedulers_killed: int = 0
    stopped: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Until stop(): kill a worker every few seconds; at half time, the scheduler too."""
        scheduler_at = self.seconds / 2
        elapsed = 0.0
        while not self.stopped.wait(WORKER_KILL_EVERY):
            elapsed += WORKER_KILL_EVERY
            self._kill_a_worker()
            if elapsed >= scheduler_at and not self.schedulers_killed:
                self._kill_and_restart_scheduler()

    def stop(self) -> None:
        self.stopped.set()

    def _kill_a_worker(self) -> None:
        workers = children(self.web.process.pid)
        if workers:
            _kill(workers[self.workers_killed % len(workers)])
            self.workers_killed += 1

    def _kill_and_restart_scheduler(self) -> None:
        _kill(self.scheduler.process.pid)
        self.scheduler.process.wait()
        self.schedulers_killed += 1
        self.scheduler.start()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers of a master)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone since the listing
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
