"""What the jobs did: one row per run, written when the run starts and completed when it ends,
each in a transaction of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update

from ..accounts.models import User
from ..adapters.clock import utc_now
from ..extensions import db
from ..permissions import require_operator
from .models import JobRun

#: how far back the jobs page looks for runs that did not finish
LOST_RUNS_SHOWN = timedelta(days=7)


def start_run(job: str, started_at: datetime) -> int:
    """Record that a run has begun, committed before it does any work: a process killed
    mid-run leaves this row unfinished, and the jobs page says so. Returns the run's id."""
    run = JobRun(job=job, started_at=started_at, finished_at=None, failed_items=0, error="")
    db.session.add(run)
    db.session.commit()
    return run.id


def finish_run(run_id: int, failed: list[str], changed: int | None = None, error=None) -> None:
    """Complete the run's row, in a transaction of its own (the job's work has ended)."""
    if error is not None:
        message = f"{type(error).__name__}: {error}"
    else:
        message = f"failed, retried next run: {', '.join(failed)}" if failed else ""
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(
            finished_at=utc_now(),
            changed=changed,
            failed_items=len(failed),
            error=message[:500],
        )
    )
    db.session.commit()


@dataclass(frozen=True)
class JobStatus:
    name: str
    description: str
    every: timedelta
    last: JobRun | None
    nightly_at: time | None = None
    #: recent runs whose process died before they finished, newest first
    lost: tuple[JobRun, ...] = ()

    @property
    def running(self) -> bool:
        return self.last is not None and self.last.finished_at is None and not self.last_lost

    @property
    def last_lost(self) -> bool:
        return self.last is not None and self.last in self.lost

    @property
    def earlier_lost(self) -> list[JobRun]:
        """Runs before the last one that did not finish (in the last week), newest first."""
        return [run for run in self.lost if run is not self.last]

    @property
    def runs(self) -> str:
        if self.nightly_at is not None:
            return f"nightly at {self.nightly_at:%H:%M}"
        return f"every {int(self.every.total_seconds() // 60)} min"

    @property
    def next_due(self) -> datetime | None:
        """When the scheduler will run it next (a job on an interval never run is due at
        once; a nightly one at its hour)."""
        if self.nightly_at is not None:
            after = self.last.started_at if self.last else utc_now()
            due = datetime.combine(after.date(), self.nightly_at, after.tzinfo)
            return due if due > after else due + timedelta(days=1)
        return self.last.started_at + self.every if self.last else None


def job_statuses(actor: User, jobs) -> list[JobStatus]:
    require_operator(actor)
    newest = select(func.max(JobRun.id)).group_by(JobRun.job).scalar_subquery()
    latest = {
        run.job: run for run in db.session.scalars(select(JobRun).where(JobRun.id.in_(newest)))
    }
    now = utc_now()
    unfinished = _unfinished_runs(now - LOST_RUNS_SHOWN)
    statuses = []
    for job in jobs:
        every = timedelta(minutes=job.every_minutes)
        lost = tuple(r for r in unfinished.get(job.name, []) if r.did_not_finish(every, now))
        last = latest.get(job.name)
        statuses.append(JobStatus(job.name, job.description, every, last, job.nightly_at, lost))
    return statuses


def _unfinished_runs(since: datetime) -> dict[str, list[JobRun]]:
    runs: dict[str, list[JobRun]] = {}
    unfinished = select(JobRun).where(JobRun.finished_at.is_(None), JobRun.started_at >= since)
    for run in db.session.scalars(unfinished.order_by(JobRun.id.desc())):
        runs.setdefault(run.job, []).append(run)
    return runs


def recent_runs(actor: User, job: str, limit: int = 10) -> list[JobRun]:
    require_operator(actor)
    return list(
        db.session.scalars(
            select(JobRun).where(JobRun.job == job).order_by(JobRun.id.desc()).limit(limit)
        )
    )
