"""Scheduled jobs. Each calls one service with the current time, inside an app context, and is
safe when two scheduler processes run it at once (the services claim items with row locks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from time import perf_counter

from flask import Flask
from sqlalchemy import text

from ..accounts.throttling import forget_stale_failures
from ..adapters.clock import utc_now
from ..bookings.jobs import advance_leases, expire_stale_requests, expire_unpaid_bookings
from ..disputes.jobs import escalate_overdue
from ..escrow.cards import configured_gateway
from ..escrow.releases import cover_missed_instalments, run_due_releases
from ..escrow.saved_cards import charge_saved_cards
from ..extensions import db
from ..notifications.reminders import (
    remind_instalments_due,
    remind_leases_ending,
    remind_waiting_requests,
)
from ..notifications.services import send_pending_emails
from ..observability.jobs import job_run_finished
from ..transfers.jobs import expire_transfers
from ..trust.blacklist import end_lapsed_blacklistings
from ..trust.credit import rate_everyone
from ..work_items import failed_items
from . import demo_clock
from .history import finish_run, start_run


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    work: Callable[[datetime], int]
    every_minutes: int
    #: a nightly job runs at this time (UTC), a quiet hour, not every_minutes from start
    nightly_at: time | None = None

    def trigger(self) -> dict:
        """How APScheduler is told when to run it."""
        if self.nightly_at is not None:
            return {"trigger": "cron", "hour": self.nightly_at.hour,
                    "minute": self.nightly_at.minute}  # fmt: skip
        return {"trigger": "interval", "minutes": self.every_minutes}


def _charge_saved_cards(now: datetime) -> int:
    return charge_saved_cards(now, configured_gateway())


def _release_escrow(now: datetime) -> int:
    """With card payments on, releases go on to the owners' connected accounts."""
    return run_due_releases(now, configured_gateway())


JOBS = [
    Job("expire-requests", "Expire booking requests nobody answered in time",
        expire_stale_requests, 5),
    Job("expire-unpaid", "Expire accepted bookings not paid within the payment window",
        expire_unpaid_bookings, 15),
    Job("advance-leases", "Start leases on their first day and complete them after the last",
        advance_leases, 15),
    Job("release-escrow", "Release due instalments of escrow to owners",
        _release_escrow, 15),
    Job("charge-saved-cards",
        "Charge due monthly instalments to the cards tenants saved (card payments only)",
        _charge_saved_cards, 60),
    Job("cover-missed-instalments",
        "Pay owners from the guarantee reserve for instalments missed past the grace period",
        cover_missed_instalments, 60),
    Job("remind-instalments", "Remind tenants 3 days before a monthly instalment is due",
        remind_instalments_due, 60),
    Job("remind-lease-end", "Remind tenants 14 and 3 days before their leases end",
        remind_leases_ending, 60),
    Job("remind-requests", "Remind owners of booking requests that still wait for an answer",
        remind_waiting_requests, 60),
    Job("rate-organizations",
        "Recompute every organization's credit score and tier",
        rate_everyone, 24 * 60, nightly_at=time(2, 30)),
    Job("expire-transfers",
        "Expire lease transfers not completed before their effective day",
        expire_transfers, 60),
    Job("end-blacklistings", "Take organizations whose blacklisting has ended off the list",
        end_lapsed_blacklistings, 60),
    Job("escalate-disputes",
        "Start the review of disputes whose response window is over; escalate overdue ones",
        escalate_overdue, 60),
    Job("send-emails", "Send pending notification emails, retrying failed ones",
        send_pending_emails, 1),
    Job("forget-login-failures",
        "Forget failed log-ins that no longer count towards a lock-out, and ended lock-outs",
        forget_stale_failures, 60),
]  # fmt: skip


class HostClockSkewed(RuntimeError):
    pass


def check_host_clock(app: Flask) -> None:
    """Jobs decide money by the time (a release falls due, a request lapses), and they run on
    whichever host runs a scheduler: one whose clock runs ahead would release escrow early.
    So a host whose clock differs from the database's by more than a few seconds runs nothing.
    (SQLite lives on this host and reads its clock: there is nothing to compare.)"""
    if db.engine.dialect.name != "postgresql":
        return
    database_now = db.session.scalar(text("SELECT clock_timestamp()"))
    skew = (datetime.now(UTC) - database_now).total_seconds()
    limit = app.config["SCHEDULER_MAX_CLOCK_SKEW_SECONDS"]
    if abs(skew) > limit:
        raise HostClockSkewed(
            f"This host's clock is {abs(skew):.1f} s {'ahead of' if skew > 0 else 'behind'}"
            f" the database's (at most {limit} s allowed); no job runs here until it is set."
        )


def run(app: Flask, job: Job, now: datetime | None = None) -> int:
    """Run one job now and record the run: its start before any work (so that a run whose
    process is killed shows as unfinished), its outcome after; returns how many items it
    changed."""
    with app.app_context():
        if demo_clock.enabled(app.config):
            demo_clock.load_offset()
        started, clock, run_id = utc_now(), perf_counter(), None
        try:
            run_id = start_run(job.name, started)
            check_host_clock(app)
            changed = job.work(now or started)
        except Exception as error:
            db.session.rollback()
            failed = failed_items()
            job_run_finished(job.name, clock, len(failed), error=error)
            if run_id is not None:  # else the database refused even the start
                finish_run(run_id, failed, error=error)
            raise
        else:
            failed = failed_items()
            job_run_finished(job.name, clock, len(failed), changed=changed)
            finish_run(run_id, failed, changed=changed)
        finally:
            db.session.remove()
    return changed


def schedule(scheduler, app: Flask) -> None:
    for job in JOBS:
        scheduler.add_job(
            run,
            args=(app, job),
            **job.trigger(),
            id=job.name,
            name=job.description,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )


def start_in_process(app: Flask):
    """For the development server only: the jobs in a background thread of this process."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
    schedule(scheduler, app)
    scheduler.start()
    return scheduler
