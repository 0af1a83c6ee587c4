"""The history of scheduled job runs, for the operators' console."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime

#: No job is meant to run longer than its interval, nor than this: a run still unfinished that
#: long after its start, plus a grace, did not finish (its process was killed or its host lost).
LONGEST_RUN = timedelta(hours=1)
UNFINISHED_GRACE = timedelta(minutes=5)


def lost_after(every: timedelta) -> timedelta:
    """How long after its start an unfinished run of a job run `every` so often is lost."""
    return min(every, LONGEST_RUN) + UNFINISHED_GRACE


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_job_started", "job", "started_at"),
        # the jobs page looks for runs that never finished among a history that only grows
        Index(
            "ix_job_runs_unfinished",
            "started_at",
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: None while the run works, and for ever when its process died (killed, host lost)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: items the run changed; None when the run failed
    changed: Mapped[int | None] = mapped_column()
    #: items that failed and wait for the next run
    failed_items: Mapped[int] = mapped_column(default=0)
    #: the run's own error, or the first items that failed
    error: Mapped[str] = mapped_column(String(500), default="")

    @property
    def succeeded(self) -> bool:
        return self.changed is not None

    def did_not_finish(self, every: timedelta, now: datetime) -> bool:
        return self.finished_at is None and now - self.started_at > lost_after(every)


class DemoClock(db.Model):
    """How many days the demo clock runs ahead of the real one: one row, or none (no offset).
    Outside production only; it moves forward, never back."""

    __tablename__ = "demo_clock"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("offset_days >= 0", name="offset_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offset_days: Mapped[int] = mapped_column(default=0)
    #: the real time of the last advance
    advanced_at: Mapped[datetime] = mapped_column(UTCDateTime)
