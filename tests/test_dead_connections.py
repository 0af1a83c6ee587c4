"""Pooled PostgreSQL connections that the server cut (a restart, a failover, a proxy's idle
timeout) never reach a request or a scheduled job, and the server ends what a frozen process
leaves open."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.databases import _admin_connection, fresh_postgres_database, migrated_postgres_database
from tests.helpers import app_with
from warehouse_exchange.extensions import db
from warehouse_exchange.scheduler import jobs


@pytest.fixture
def postgres_app():
    with migrated_postgres_database("wx_dead_conn") as url, app_with(url) as app:
        yield app


def _terminate_every_backend_of(app) -> int:
    name = db.engine.url.database
    with _admin_connection() as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()[0]
    time.sleep(0.2)  # the server closes the sockets asynchronously
    return killed


def test_the_next_request_after_the_server_cut_every_connection_succeeds(postgres_app):
    client = postgres_app.test_client()
    assert client.get("/").status_code == 200  # leaves a connection in the pool
    with postgres_app.app_context():
        assert _terminate_every_backend_of(postgres_app) >= 1
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/listings").status_code in (200, 401)


def test_the_next_job_run_after_the_server_cut_every_connection_succeeds(postgres_app):
    job = next(job for job in jobs.JOBS if job.name == "expire-requests")
    jobs.run(postgres_app, job)
    with postgres_app.app_context():
        assert _terminate_every_backend_of(postgres_app) >= 1
    assert jobs.run(postgres_app, job) == 0


def test_connections_carry_the_configured_timeouts(postgres_app):
    with postgres_app.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "1min"
        assert db.session.scalar(text("SHOW idle_in_transaction_session_timeout")) == "2min"
        assert db.session.scalar(text("SHOW jit")) == "off"


def test_a_transaction_left_idle_is_ended_by_the_server():
    """What a frozen scheduler would leave: its session, and the row locks it holds, go."""
    with (
        fresh_postgres_database("wx_idle_tx") as url,
        app_with(url, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS=300) as app,
        app.app_context(),
        db.engine.connect() as connection,
    ):
        connection.execute(text("SELECT 1"))  # a transaction is open now
        time.sleep(1)
        with pytest.raises(Exception, match="idle-in-transaction|terminat|closed"):
            connection.execute(text("SELECT 1"))


def test_sqlite_is_left_as_it_was(tmp_path):
    with app_with(f"sqlite:///{tmp_path / 'x.sqlite3'}") as app:
        assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
