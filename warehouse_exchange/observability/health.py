"""`/healthz` and `/readyz` for load balancers and orchestrators.

`/healthz` says the process answers, and touches nothing: a database outage must not make
every instance look dead and be restarted. `/readyz` says whether this instance can serve:
the database answers (with its schema at the migrations' head when Alembic built it), the
shared rate-limit store answers when one is configured, and the file store answers. Each
answers JSON with a status per check, 200 when all pass and 503 otherwise."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from ..extensions import db, limiter

bp = Blueprint("health", __name__)

#: seconds a readiness probe waits for Redis before calling it down (probes poll often)
REDIS_TIMEOUT_SECONDS = 1.0


class NotReady(Exception):
    """A check failed; its message is shown in the probe's answer."""


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok", checks={"process": {"status": "ok"}})


@bp.get("/readyz")
def readyz():
    checks = {}
    for name, check in readiness_checks(current_app).items():
        started = time.perf_counter()
        try:
            detail = check(current_app)
        except Exception as error:  # every failure is a "not ready", never a 500
            checks[name] = {"status": "fail", "error": _describe(error)}
        else:
            checks[name] = {"status": "ok", **({"detail": detail} if detail else {})}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ready = all(check["status"] == "ok" for check in checks.values())
    return jsonify(status="ok" if ready else "fail", checks=checks), 200 if ready else 503


def _describe(error: Exception) -> str:
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {message}"[:300]


def check_database(app: Flask) -> str:
    try:
        connection = db.session.connection()
        connection.execute(text("SELECT 1"))
        return _migration_state(connection)
    finally:
        db.session.rollback()  # SQLite's transactions take the write lock: let it go now


def _migration_state(connection) -> str:
    from alembic.migration import MigrationContext

    current = set(MigrationContext.configure(connection).get_current_heads())
    if not current:
        return "schema not built by Alembic"
    heads = set(_alembic_heads())
    if current != heads:
        raise NotReady(
            f"migrations not at head: database at {sorted(current)}, code at {sorted(heads)}"
        )
    return f"migrations at head {', '.join(sorted(heads))}"


@cache
def _alembic_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    migrations = current_app.extensions["migrate"].directory
    return tuple(ScriptDirectory(migrations).get_heads())


def uses_redis(config) -> bool:
    return str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://"))


def check_redis(app: Flask) -> str:
    client = app.extensions.get("readiness_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(
            app.config["RATELIMIT_STORAGE_URI"],
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        app.extensions["readiness_redis"] = client
    client.ping()
    return ""


def check_file_storage(app: Flask) -> str:
    """The disk folder is writable, or the S3 bucket answers (head_bucket)."""
    return app.extensions["file_store"].check()


def readiness_checks(app: Flask) -> dict[str, Callable[[Flask], str]]:
    checks: dict[str, Callable[[Flask], str]] = {"database": check_database}
    if uses_redis(app.config):
        checks["redis"] = check_redis
    checks["storage"] = check_file_storage
    return checks


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    limiter.exempt(bp)
