"""What the jobs did: one row per run, written after the run in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..adapters.clock import utc_now
from ..extensions import db
from ..permissions import require_operator
from .models import JobRun


def record_run(
    job: str, started_at: datetime, failed: list[str], changed: int | None = None, error=None
) -> None:
    if error is not None:
        message = f"{type(error).__name__}: {error}"
    else:
        message = f"failed, retried next run: {', '.join(failed)}" if failed else ""
    db.session.add(
        JobRun(
            job=job,
            started_at=started_at,
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
    return [
        JobStatus(
            job.name,
            job.description,
            timedelta(minutes=job.every_minutes),
            latest.get(job.name),
            job.nightly_at,
        )
        for job in jobs
    ]


def recent_runs(actor: User, job: str, limit: int = 10) -> list[JobRun]:
    require_operator(actor)
    return list(
        db.session.scalars(
            select(JobRun).where(JobRun.job == job).order_by(JobRun.id.desc()).limit(limit)
        )
    )
