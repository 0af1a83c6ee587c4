"""`/healthz` (the process answers, no I/O) and `/readyz` (database at the migrations' head,
Redis when configured, file storage) for load balancers."""

from __future__ import annotations

import socket

import pytest
from alembic import command

from tests.databases import alembic_config, migrated_database
from tests.helpers import app_with


def free_port() -> int:
    """A loopback port where nothing listens (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"process": {"status": "ok"}}}


def test_readyz_answers_when_everything_does(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ok"
    assert set(response.json["checks"]) == {"database", "storage"}
    assert response.json["checks"]["database"]["detail"].startswith("migrations at head 0")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_healthz_needs_no_database_and_readyz_says_it_is_down(backend, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite3'}"
    else:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none"
    with app_with(url) as app:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "fail"
    assert response.json["checks"]["database"]["status"] == "fail"
    assert "OperationalError" in response.json["checks"]["database"]["error"]
    assert response.json["checks"]["storage"]["status"] == "ok"


def test_readyz_says_when_the_schema_was_not_built_by_alembic(tmp_path):
    with app_with(f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}") as app:
        response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["checks"]["database"]["detail"] == "schema not built by Alembic"


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_app(request, tmp_path):
    with migrated_database(request.param, tmp_path, "wx_readyz") as url, app_with(url) as app:
        yield app


def test_readyz_wants_the_database_at_the_migrations_head(migrated_app):
    client = migrated_app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"]["database"]["detail"].startswith("migrations at head 0")
    with migrated_app.app_context():
        # code deployed before its migration ran
        command.stamp(alembic_config(migrated_app), _revision_before_head())
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert "not at head" in behind.json["checks"]["database"]["error"]


def _revision_before_head() -> str:
    from alembic.script import ScriptDirectory

    from warehouse_exchange import PROJECT_ROOT

    script = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    return script.get_revision(script.get_current_head()).down_revision


def test_readyz_fails_while_redis_is_down_and_pages_still_work(_app, database_url):
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    with app_with(database_url, RATELIMIT_STORAGE_URI=dead_redis, RATELIMIT_ENABLED=True) as app:
        client = app.test_client()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["redis"]["status"] == "fail"
        assert response.json["checks"]["database"]["status"] == "ok"
        assert client.get("/").status_code == 200
        assert client.get("/healthz").status_code == 200


def test_readyz_checks_a_live_redis(_app, database_url):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    with app_with(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0") as app:
        response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["checks"]["redis"]["status"] == "ok"


def test_readyz_fails_when_uploads_cannot_be_stored(_app, database_url, tmp_path):
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    with app_with(database_url, UPLOAD_FOLDER=str(blocked / "uploads")) as app:
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["storage"]["status"] == "fail"
