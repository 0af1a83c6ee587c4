"""Faults injected into the outbox and the job history: a mail server that hangs, one that
refuses, and a scheduler killed with -9 mid-run. Email keeps flowing, no transaction waits on
a mail server, failures show, and nothing is sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import select, text

from tests.concurrency_support import isolated_app
from tests.factories import (
    ListingFactory,
    OperatorFactory,
    OrganizationFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.helpers import booking_terms, goods, login
from tests.smtp_support import HungSmtpServer, SmtpSink
from tests.test_metrics import scrape, value
from warehouse_exchange.bookings.commands import BookingRequest, request_booking
from warehouse_exchange.extensions import db
from warehouse_exchange.notifications.models import OutboxEmail
from warehouse_exchange.scheduler import jobs
from warehouse_exchange.scheduler.models import JobRun

ROOT = Path(__file__).resolve().parent.parent
SEND = next(job for job in jobs.JOBS if job.name == "send-emails")


def queue_emails(count: int) -> None:
    """`count` booking requests to one owner, each of which emails the owner once."""
    owner = UserFactory(organization=OrganizationFactory(kind="owner"))
    tenant = UserFactory(organization=OrganizationFactory(kind="exporter"))
    listing = ListingFactory(
        warehouse=WarehouseFactory(organization=owner.organization), quantity=10_000
    )
    now = datetime.now(UTC) - timedelta(minutes=1)
    for n in range(count):
        start = now.date() + timedelta(days=5 + n)
        request = BookingRequest(listing.id, 1, start, start + timedelta(days=6), goods())
        request_booking(tenant, request, booking_terms(), now, now.date())


def outbox() -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def latest_run() -> JobRun:
    return db.session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


# --- a hung mail server -------------------------------------------------------------------


def test_a_hung_server_holds_no_lock_and_the_breaker_ends_the_run(tmp_path):
    """The finding: each SMTP wait held a transaction and the email's row lock, for up to 500
    emails a run. Now, while the runner waits on a server that never answers, another
    connection locks the email it is handing over at once, no session is idle in a
    transaction, and after three unreachable tries the run stops; the rest wait, untried."""
    with (
        HungSmtpServer() as hung,
        isolated_app("postgresql", tmp_path, **hung.config(2), MAIL_BREAKER_FAILURES=3) as app,
    ):
        with app.app_context():
            queue_emails(6)
        started = time.monotonic()
        runner = threading.Thread(target=jobs.run, args=(app, SEND))
        runner.start()
        wait_until(lambda: hung.connections >= 1)
        with app.app_context(), db.engine.connect() as other:
            claimed = other.scalars(
                text("SELECT id FROM outbox_emails WHERE claim_token IS NOT NULL FOR UPDATE NOWAIT")
            ).all()
            idle_in_transaction = other.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            )
            other.rollback()
        runner.join(60)
        took = time.monotonic() - started
        assert len(claimed) == 1 and idle_in_transaction == 0
        assert hung.connections == 3 and took < 3 * 2 + 3, took
        with app.app_context():
            run = latest_run()
            assert (run.changed, run.failed_items) == (0, 3) and run.finished_at is not None
            tries = Counter((email.state, email.attempts, email.claim_token) for email in outbox())
            assert tries == {("pending", 1, None): 3, ("pending", 0, None): 3}

        # the breaker stays open for this process: the next run tries nothing, and says so
        assert jobs.run(app, SEND) == 0
        assert hung.connections == 3
        with app.app_context():
            run = latest_run()
            assert run.failed_items == 1 and "unreachable" in run.error
            assert Counter(email.attempts for email in outbox()) == {1: 3, 0: 3}


def test_a_run_takes_on_no_email_after_its_time_limit(app, monkeypatch):
    queue_emails(5)
    with HungSmtpServer() as hung:
        settings = {**hung.config(1), "MAIL_RUN_SECONDS": 1.5, "MAIL_BREAKER_FAILURES": 100}
        for name, setting in settings.items():
            monkeypatch.setitem(app.config, name, setting)
        started = time.monotonic()
        assert jobs.run(app, SEND) == 0
        took = time.monotonic() - started
    # the second email was claimed at 1 s, within the limit; none at 2 s
    assert hung.connections == 2 and took < 1.5 + 1 + 1.5, took
    assert Counter(email.attempts for email in outbox()) == {1: 2, 0: 3}
    assert latest_run().failed_items == 2


# --- failures look green --------------------------------------------------------------------


def test_failed_deliveries_are_counted_in_the_run_and_its_metrics(app, monkeypatch):
    queue_emails(2)
    client = app.test_client()
    before = value(scrape(client), "wx_job_failed_items_total", job="send-emails")
    with SmtpSink() as sink:
        sink.refusing = True
        for name, setting in sink.config().items():
            monkeypatch.setitem(app.config, name, setting)
        assert jobs.run(app, SEND) == 0
    after = value(scrape(client), "wx_job_failed_items_total", job="send-emails")
    run, emails = latest_run(), outbox()
    assert run.failed_items == 2 and after - before == 2
    assert all(f"Email {email.id}" in run.error for email in emails)
    assert all("421" in email.last_error for email in emails)


# --- a scheduler killed with -9 mid-run -----------------------------------------------------


def start_scheduler_once(url: str, smtp: dict) -> subprocess.Popen:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "WX_ENV": "testing",
        "WX_SQLALCHEMY_DATABASE_URI": url,
        "FLASK_APP": str(ROOT / "wsgi.py"),
        **{f"WX_{name}": str(setting) for name, setting in smtp.items()},
    }
    command = [sys.executable, "-m", "flask", "scheduler", "once", "send-emails"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_run_killed_mid_send_shows_and_the_next_sends_each_email_once(backend, tmp_path):
    with HungSmtpServer() as hung, isolated_app(backend, tmp_path) as app:
        with app.app_context():
            queue_emails(3)
            operator = SimpleNamespace(email=OperatorFactory().email)
            url = db.engine.url.render_as_string(hide_password=False)
        process = start_scheduler_once(url, hung.config(120))
        try:
            wait_until(lambda: hung.connections >= 1)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        with app.app_context():
            killed = latest_run()
            assert (killed.job, killed.finished_at, killed.changed) == ("send-emails", None, None)
            killed_at = killed.started_at
            assert Counter(email.attempts for email in outbox()) == {1: 1, 0: 2}

        client = app.test_client()
        login(client, operator)
        assert "running since" in client.get("/operator/jobs/").get_data(as_text=True)
        with time_machine.travel(datetime.now(UTC) + timedelta(minutes=10), tick=True):
            page = client.get("/operator/jobs/").get_data(as_text=True)
        assert 'did not finish</span> <span class="small">its process stopped mid-run' in page

        with SmtpSink() as sink:
            app.config.update(sink.config())
            # the next run, after the dead runner's claim lapsed, sends all three
            later = datetime.now(UTC) + timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"] + 1)
            assert jobs.run(app, SEND, later) == 3
            assert jobs.run(app, SEND, later + timedelta(minutes=1)) == 0
        message_ids = Counter(message["Message-ID"] for _, message in sink.messages)
        assert len(message_ids) == 3 and set(message_ids.values()) == {1}
        with app.app_context():
            assert {(email.state, email.claim_token) for email in outbox()} == {("sent", None)}

        with time_machine.travel(datetime.now(UTC) + timedelta(minutes=10), tick=True):
            page = client.get("/operator/jobs/").get_data(as_text=True)
        assert "1 earlier run did not finish" in page
        assert f"the last started {killed_at:%Y-%m-%d %H:%M:%S}" in page
