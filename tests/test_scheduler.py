"""Scheduled jobs: exactly once even when two scheduler processes run them at the same moment."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.concurrency_support import isolated_app, run_at_once
from tests.factories import ListingFactory, OrganizationFactory, UserFactory, WarehouseFactory
from tests.helpers import booking_terms, goods
from warehouse_exchange.bookings.commands import BookingRequest, request_booking
from warehouse_exchange.bookings.models import Booking, BookingEvent
from warehouse_exchange.extensions import db
from warehouse_exchange.scheduler import jobs
from warehouse_exchange.scheduler.models import JobRun

BACKLOG = 60
NOW = datetime.now(UTC)


def seed_stale_requests() -> None:
    owner = OrganizationFactory(kind="owner")
    tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner), quantity=10_000, min_term_days=1
    )
    for n in range(BACKLOG):
        start = NOW.date() + timedelta(days=2 + n % 30)
        request = BookingRequest(listing.id, 1, start, start, goods(), f"stale-{n}")
        request_booking(tenant, request, booking_terms(), NOW - timedelta(days=3), NOW.date())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_runners_expire_each_request_exactly_once(backend, tmp_path):
    expire = next(job for job in jobs.JOBS if job.name == "expire-requests")
    with isolated_app(backend, tmp_path) as app:
        with app.app_context():
            seed_stale_requests()
        counts = run_at_once(app, lambda: jobs.run(app, expire, NOW))
        assert sum(counts) == BACKLOG, counts
        with app.app_context():
            states = Counter(db.session.scalars(select(Booking.state)))
            expiries = Counter(
                db.session.scalars(
                    select(BookingEvent.booking_id).where(BookingEvent.to_state == "expired")
                )
            )
        assert states == {"expired": BACKLOG}
        assert set(expiries.values()) == {1} and len(expiries) == BACKLOG
        assert jobs.run(app, expire, NOW) == 0  # a rerun finds nothing left to do


def test_scheduler_once_command(app, exporter):
    seed_stale_requests()
    result = app.test_cli_runner().invoke(args=["scheduler", "once", "expire-requests"])
    assert result.exit_code == 0 and f"{BACKLOG} item(s) changed" in result.output
    assert app.test_cli_runner().invoke(args=["scheduler", "once", "nope"]).exit_code != 0


def test_jobs_are_scheduled_with_one_instance_each():
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC")
    jobs.schedule(scheduler, object())
    scheduled = {job.id: job for job in scheduler.get_jobs()}
    assert set(scheduled) == {job.name for job in jobs.JOBS}
    assert all(job.max_instances == 1 and job.coalesce for job in scheduled.values())
    nightly = scheduled["rate-organizations"].trigger
    after = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert nightly.get_next_fire_time(None, after) == datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
    every_five = scheduled["expire-requests"].trigger
    assert every_five.interval == timedelta(minutes=5)


def test_a_nightly_job_is_next_due_at_its_hour():
    from warehouse_exchange.scheduler.history import JobStatus
    from warehouse_exchange.scheduler.models import JobRun

    rating = next(job for job in jobs.JOBS if job.name == "rate-organizations")
    late_run = JobRun(started_at=datetime(2026, 11, 25, 14, 7, tzinfo=UTC))
    status = JobStatus(rating.name, "", timedelta(days=1), late_run, rating.nightly_at)
    assert status.next_due == datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
    assert status.runs == "nightly at 02:30"
    early_run = JobRun(started_at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    assert JobStatus(rating.name, "", timedelta(days=1), early_run, rating.nightly_at).next_due == (
        datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    )


def test_operators_see_each_job_and_run_one_now(client, operator, exporter, owner):
    from tests.helpers import login

    seed_stale_requests()
    login(client, owner)
    assert client.get("/operator/jobs/").status_code == 403
    assert client.post("/operator/jobs/expire-requests/run").status_code == 403
    client.post("/logout")
    login(client, operator)
    page = client.get("/operator/jobs/").get_data(as_text=True)
    assert all(job.name in page for job in jobs.JOBS) and "never" in page
    ran = client.post("/operator/jobs/expire-requests/run", follow_redirects=True)
    assert f"expire-requests ran: {BACKLOG} item(s) changed." in ran.get_data(as_text=True)
    assert f"{BACKLOG} items changed" in ran.get_data(as_text=True)
    assert client.post("/operator/jobs/no-such-job/run").status_code == 404
    (run,) = db.session.scalars(select(JobRun)).all()
    assert (run.job, run.changed, run.error) == ("expire-requests", BACKLOG, "")
    assert run.finished_at >= run.started_at


def test_a_failing_job_is_recorded_with_its_error(app):
    def broken(now):
        raise RuntimeError("mail server on fire")

    job = jobs.Job("broken", "A job that fails", broken, 5)
    with pytest.raises(RuntimeError):
        jobs.run(app, job, NOW)
    run = db.session.scalars(select(JobRun).where(JobRun.job == "broken")).one()
    assert run.changed is None and run.error == "RuntimeError: mail server on fire"
    assert not run.succeeded


def test_a_failing_item_is_counted_in_the_run_and_retried(app, owner, exporter, operator):
    """An instalment whose owner account cannot take entries in its currency fails alone;
    the run records it, and the next run after the fault is gone releases it."""
    from sqlalchemy import text

    from tests.helpers import pay_in_full
    from warehouse_exchange.bookings.commands import accept_booking
    from warehouse_exchange.bookings.jobs import advance_leases
    from warehouse_exchange.escrow.models import ReleaseInstalment

    listing = ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    start = NOW.date() + timedelta(days=2)
    request = BookingRequest(listing.id, 2, start, start + timedelta(days=9), goods())
    booking = accept_booking(
        owner, request_booking(exporter, request, booking_terms(), NOW, NOW.date()).id, NOW
    )
    pay_in_full(operator, booking)
    start_noon = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=12)
    advance_leases(start_noon)
    release = next(job for job in jobs.JOBS if job.name == "release-escrow")
    # a fault outside the code: a currency no code knows
    db.session.execute(text("UPDATE release_instalments SET currency = 'ZZZ'"))
    db.session.commit()
    assert jobs.run(app, release, start_noon) == 0
    run = db.session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    (instalment,) = db.session.scalars(select(ReleaseInstalment)).all()
    assert run.failed_items == 1 and f"Instalment {instalment.id}" in run.error
    db.session.execute(text("UPDATE release_instalments SET currency = 'EUR'"))
    db.session.commit()
    assert jobs.run(app, release, start_noon) == 1
    latest = db.session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert latest.failed_items == 0 and latest.error == ""


def test_a_host_whose_clock_runs_ahead_of_the_database_runs_no_job(tmp_path):
    """The finding: jobs read the host's clock, so a scheduler host running ahead released
    escrow early. PostgreSQL keeps the time the hosts are compared with."""
    expire = next(job for job in jobs.JOBS if job.name == "expire-requests")
    with isolated_app("postgresql", tmp_path) as app:
        with app.app_context():
            seed_stale_requests()
        for skew in (timedelta(minutes=10), -timedelta(minutes=10)):
            skewed = time_machine.travel(datetime.now(UTC) + skew, tick=True)
            with skewed, pytest.raises(jobs.HostClockSkewed, match="ahead of|behind"):
                jobs.run(app, expire)
        with app.app_context():
            assert set(db.session.scalars(select(Booking.state))) == {"requested"}
            refused = db.session.scalars(select(JobRun).order_by(JobRun.id)).all()
            assert [run.job for run in refused] == ["expire-requests"] * 2
            assert all("clock" in run.error and not run.succeeded for run in refused)
        with time_machine.travel(datetime.now(UTC) + timedelta(seconds=2), tick=True):
            assert jobs.run(app, expire) == BACKLOG  # within the allowed skew
