"""Fixtures: an app per database backend, per-test rollback, factories and log-in helpers.

Every test that takes `app` runs on SQLite and on PostgreSQL. PostgreSQL tests create their
own database and drop it. Every test database's schema is built by the migrations
(tests/databases.py), as production's is. Without a server they skip with the reason, unless
WX_REQUIRE_ALL_BACKENDS=1 (set by .ci/run), which turns every skip into a failure.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.databases import (  # noqa: F401 (the helpers' modules import them from here)
    POSTGRES_ADMIN_URL,
    REQUIRE_ALL,
    _admin_connection,
    drop_templates,
    fresh_postgres_database,
    in_rolled_back_transaction,
    migrated_postgres_database,
    migrated_sqlite_database,
    skip_or_fail,
)
from warehouse_exchange import create_app
from warehouse_exchange.extensions import db

pytest_plugins = ["tests.helpers", "tests.stripe_support", "tests.s3_support"]


def pytest_sessionfinish(session, exitstatus) -> None:
    drop_templates()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if REQUIRE_ALL and skipped and session.exitstatus == 0:
        reporter.write_line(
            f"{len(skipped)} test(s) skipped but WX_REQUIRE_ALL_BACKENDS=1", red=True
        )
        session.exitstatus = 1


@pytest.fixture(scope="session")
def postgres_database():
    """The session's PostgreSQL database, at the migrations' head."""
    with migrated_postgres_database() as url:
        yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """The session's database of each backend, its schema built by the migrations."""
    if request.param == "sqlite":
        return migrated_sqlite_database(tmp_path_factory.mktemp("sqlite") / "test.sqlite3")
    return request.getfixturevalue("postgres_database")


@pytest.fixture(scope="session")
def _app(database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app):
    """The app with an app context pushed, inside a transaction rolled back after the test."""
    with in_rolled_back_transaction(_app) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(autouse=True)
def _rate_limits_as_they_were():
    """Flask-Limiter keeps one on/off switch per process, set by the last app made: a test
    that builds an app with rate limits on would leave them on for apps made earlier (the
    session's `_app`, the browser's live server), whose log-ins would then meet 429s."""
    from warehouse_exchange.extensions import limiter

    enabled = limiter.enabled
    yield
    limiter.enabled = enabled


@pytest.fixture(autouse=True)
def _real_clock():
    """A test that moves the demo clock leaves the next test on the real one."""
    yield
    from warehouse_exchange.adapters.clock import set_clock_offset

    set_clock_offset(timedelta(0))
