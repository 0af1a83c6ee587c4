"""The web process as production runs it: gunicorn with gunicorn.conf.py answers /healthz with
a request id, adds up its workers' metrics, and stops cleanly on SIGTERM."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.test_health import free_port

ROOT = Path(__file__).resolve().parent.parent


def get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


def wait_for(port: int, server: subprocess.Popen, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited early"
        try:
            return get(port, "/healthz")
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer on port {port} within {seconds} s")


def health_checks_counted(port: int) -> float:
    metrics = get(port, "/metrics")
    assert metrics.status == 200, metrics.body
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics.body.decode())
        for sample in family.samples
        if sample.name == "wx_http_requests_total" and sample.labels["endpoint"] == "health.healthz"
    )


def test_gunicorn_serves_health_with_a_request_id_and_stops_on_sigterm(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "WX_ENV": "production",
        "WX_SECRET_KEY": "gunicorn-test-secret",
        "WX_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "WX_UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "WEB_CONCURRENCY": "2",
        "WX_BIND": f"127.0.0.1:{port}",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        try:
            health = wait_for(port, server)
            assert health.status == 200, health.body
            request_id = health.getheader("X-Request-ID")
            assert request_id and len(request_id) == 32
            before = health_checks_counted(port)
            for _ in range(6):
                assert get(port, "/healthz").status == 200
            assert health_checks_counted(port) - before == 6  # whichever worker answered
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                exit_code = server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
                raise
    written = log.read_text()
    assert exit_code == 0, written
    assert f"request_id={request_id}" in written  # the access log names it
    assert '"endpoint": "health.healthz"' in written  # and the app's JSON line
    assert "Shutting down: Master" in written


def test_the_scheduler_serves_its_metrics_and_stops_on_sigint(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "WX_ENV": "production",
        "WX_SECRET_KEY": "scheduler-test-secret",
        "WX_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "WX_SCHEDULER_METRICS_PORT": str(port),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"]
    log = tmp_path / "scheduler.log"
    with log.open("wb") as output:
        scheduler = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert scheduler.poll() is None, log.read_text()
                try:
                    metrics = get(port, "/metrics")
                    break
                except OSError:
                    assert time.monotonic() < deadline, "no scheduler metrics"
                    time.sleep(0.2)
            assert metrics.status == 200 and b"wx_job_runs" in metrics.body
        finally:
            scheduler.send_signal(signal.SIGINT)
            try:
                exit_code = scheduler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                scheduler.kill()
                raise
    assert exit_code == 0, log.read_text()
