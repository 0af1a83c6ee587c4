"""Warehouse Exchange: a marketplace for spare overseas-warehouse capacity."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "testing", "production")


def create_app(environment: str | None = None, overrides: dict | None = None) -> Flask:
    environment = environment or os.environ.get("WX_ENV", "development")
    if environment not in ENVIRONMENTS:
        raise RuntimeError(f"WX_ENV must be one of {ENVIRONMENTS}, not {environment!r}")
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
    )
    _load_config(app, environment, overrides or {})
    if app.config["TRUSTED_PROXIES"]:
        # the rate limits count per client address, which the proxies pass on
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["TRUSTED_PROXIES"]))
    _init_extensions(app)
    _register_web(app)
    from . import cli, observability

    observability.register(app)

    cli.register(app)
    if app.config.get("SCHEDULER_IN_PROCESS"):
        from .scheduler.jobs import start_in_process

        start_in_process(app)
    return app


def _load_config(app: Flask, environment: str, overrides: dict) -> None:
    app.config.from_pyfile(str(PROJECT_ROOT / "config" / "default.py"))
    app.config.from_pyfile(str(PROJECT_ROOT / "config" / f"{environment}.py"))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("WX")
    app.config.update(overrides)
    app.config["ENVIRONMENT"] = environment
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("Set WX_SECRET_KEY (or SECRET_KEY in instance/config.py).")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        database = Path(app.instance_path) / "warehouse_exchange.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _turn_off_postgres_jit(app.config)
        _survive_dead_connections(app.config)


def _turn_off_postgres_jit(config) -> None:
    """The search's estimated costs pass PostgreSQL's JIT thresholds, and compiling then
    takes longer than running the query (140-280 ms against 120-170 ms at 100k listings)."""
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    connect_args["options"] = f"{connect_args.get('options', '')} -c jit=off".strip()
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def _survive_dead_connections(config) -> None:
    """A database restart, a failover or a proxy that cuts idle connections leaves dead ones
    in every process's pool: each is tested before use (one round trip) so that users and
    scheduled jobs never meet them. The server also ends what a frozen or partitioned process
    leaves behind (an open transaction holding row locks and claims), and a runaway query."""
    options = {"pool_pre_ping": True, **config["SQLALCHEMY_ENGINE_OPTIONS"]}
    connect_args = dict(options.get("connect_args", {}))
    settings = {
        "idle_in_transaction_session_timeout": config["DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS"],
        "statement_timeout": config["DATABASE_STATEMENT_TIMEOUT_MS"],
    }
    extra = " ".join(f"-c {name}={int(ms)}" for name, ms in settings.items() if ms is not None)
    connect_args["options"] = f"{connect_args.get('options', '')} {extra}".strip()
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_connection_setup(dbapi_connection, _record) -> None:
    """SQLite enforces foreign keys only when asked, and pysqlite's own transaction handling
    breaks savepoints: SQLAlchemy emits BEGIN itself (the SQLAlchemy docs' recipe). WAL lets
    readers go on while one writer works; waiting writers queue for up to 30 seconds."""
    if _is_sqlite(dbapi_connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """BEGIN IMMEDIATE takes the write lock up front: two transactions that read and then
    write can never deadlock (SQLite would fail one of them at once instead of waiting)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _init_extensions(app: Flask) -> None:
    from .adapters.file_store import build_file_store
    from .adapters.geocoding import build_geocoder
    from .adapters.stripe_gateway import build_gateway
    from .web import security_headers

    security_headers.register(app)  # first: its request hook makes the CSP nonce
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    app.extensions["geocoder"] = build_geocoder(app.config)
    app.extensions["payment_gateway"] = build_gateway(app.config)
    app.extensions["file_store"] = build_file_store(app.config)
    from . import models  # noqa: F401  (every model registered before the first query)
    from .wiring import connect_receivers

    connect_receivers()


def _register_web(app: Flask) -> None:
    from .web import register

    register(app)
