"""A request id on every answer and error page, one JSON log line per request and per job run
when LOG_FORMAT is "json", and the development server's logs left as they were otherwise."""

from __future__ import annotations

import json
import logging
import re

import pytest

from tests.databases import migrated_sqlite_database
from tests.helpers import app_with
from warehouse_exchange.extensions import db
from warehouse_exchange.observability import logs


@pytest.fixture
def json_logs(tmp_path):
    """An app on a database of its own: these tests commit (a user, a job's run)."""
    url = migrated_sqlite_database(tmp_path / "logs.sqlite3")
    with app_with(url, LOG_FORMAT="json", PROPAGATE_EXCEPTIONS=False) as app:
        yield app
    root = logging.getLogger()
    for handler in [h for h in root.handlers if logs._is_ours(h)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def as_json(record: logging.LogRecord) -> dict:
    handler = next(h for h in logging.getLogger().handlers if logs._is_ours(h))
    handler.filter(record)
    return json.loads(handler.format(record))


def test_every_answer_carries_a_request_id(client):
    first, second = client.get("/"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_the_proxys_request_id_is_kept_when_it_looks_like_one(client):
    sane = "2f1c0e6a-7d4b-4f3e-9a61-0c9b5d1e8f20"
    assert client.get("/", headers={"X-Request-ID": sane}).headers["X-Request-ID"] == sane
    for insane in ("<script>", "a" * 200, "two words", "x\u00e9"):
        kept = client.get("/", headers={"X-Request-ID": insane}).headers["X-Request-ID"]
        assert kept != insane and re.fullmatch(r"[0-9a-f]{32}", kept)


def test_one_json_line_per_request(json_logs, caplog, exporter):
    client = json_logs.test_client()
    with caplog.at_level(logging.INFO, logger="warehouse_exchange.requests"):
        response = client.get("/healthz", headers={"X-Request-ID": "lb-check-42"})
    (record,) = [r for r in caplog.records if r.name == "warehouse_exchange.requests"]
    line = as_json(record)
    assert line["method"] == "GET" and line["path"] == "/healthz"
    assert line["endpoint"] == "health.healthz" and line["status"] == 200
    assert line["request_id"] == "lb-check-42" == response.headers["X-Request-ID"]
    assert isinstance(line["duration_ms"], float) and line["user_id"] is None
    assert line["level"] == "INFO" and line["logger"] == "warehouse_exchange.requests"
    assert "time" in line


def test_the_user_is_named_on_the_line(json_logs, caplog):
    from tests.factories import OrganizationFactory, UserFactory
    from tests.helpers import login

    with json_logs.app_context():
        user = UserFactory(organization=OrganizationFactory(kind="exporter"))
        db.session.commit()
        user_id = user.id
    client = json_logs.test_client()
    login(client, user)
    with caplog.at_level(logging.INFO, logger="warehouse_exchange.requests"):
        client.get("/home")
    (record,) = [r for r in caplog.records if getattr(r, "path", "") == "/home"]
    assert as_json(record)["user_id"] == user_id


def test_the_error_page_shows_the_request_id(json_logs, caplog):
    def boom():
        raise RuntimeError("the database is on fire")

    json_logs.add_url_rule("/boom-for-test", "boom_for_test", boom)
    client = json_logs.test_client()
    with caplog.at_level(logging.INFO):
        response = client.get("/boom-for-test", headers={"X-Request-ID": "rid-500-test"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "rid-500-test"
    assert "quote this id: <code>rid-500-test</code>" in response.get_data(as_text=True)
    traceback = next(r for r in caplog.records if r.exc_info)
    assert as_json(traceback)["request_id"] == "rid-500-test"
    assert "the database is on fire" in as_json(traceback)["exc_info"]


def test_a_404_page_does_not_ask_to_quote_an_id(client):
    assert b"quote this id" not in client.get("/no-such-page").data


def test_one_json_line_per_job_run(json_logs, caplog):
    from warehouse_exchange.scheduler import jobs

    job = next(job for job in jobs.JOBS if job.name == "expire-requests")
    with caplog.at_level(logging.INFO, logger="warehouse_exchange.jobs"):
        jobs.run(json_logs, job)
    (record,) = [r for r in caplog.records if r.name == "warehouse_exchange.jobs"]
    line = as_json(record)
    assert line["job"] == "expire-requests" and line["outcome"] == "ok"
    assert line["changed"] == 0 and line["failed_items"] == 0
    assert isinstance(line["duration_ms"], float)


def test_text_logs_stay_as_they_were(client):
    assert not any(logs._is_ours(h) for h in logging.getLogger().handlers)


def test_an_unknown_log_format_is_refused(database_url):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"), app_with(database_url, LOG_FORMAT="xml"):
        pass
