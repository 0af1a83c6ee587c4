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
WORKER_MIN_AGE = 10.0


@dataclass
class Chaos:
    web: Service
    scheduler: Service
    seconds: float
    workers: int = 2
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
        """The oldest worker, when the instance has all its workers and that one has had
        time to load the app: a busy machine takes seconds to start one, and an instance with
        none left would only measure the machine."""
        workers = children(self.web.process.pid)
        if len(workers) < self.workers or not workers:
            return
        oldest = max(workers, key=age_seconds)
        if age_seconds(oldest) >= WORKER_MIN_AGE:
            _kill(oldest)
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


def age_seconds(pid: int) -> float:
    """How long the process has run (0 when it is gone)."""
    try:
        started = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return 0.0
    return uptime - started / os.sysconf("SC_CLK_TCK")


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
