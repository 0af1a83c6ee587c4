"""Throw-away databases for a benchmark run, and the app bound to one."""

from __future__ import annotations

import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, create_engine, make_url

from .. import create_app

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
KINDS = ("sqlite", "postgresql")
BENCH_SECRET = "benchmark-only-secret"


@contextmanager
def fresh_database(kind: str, admin_url: str = DEFAULT_POSTGRES_URL) -> Iterator[str]:
    """Yield the URL of an empty database that is deleted on exit, even after an error."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="wx_bench_") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    if kind != "postgresql":
        raise ValueError(f"database must be one of {KINDS}, not {kind!r}")
    name = f"wx_bench_{secrets.token_hex(6)}"
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            # FORCE ends sessions a crashed run may have left open, so the drop never hangs.
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def bench_app(database_url: str) -> Flask:
    """The production configuration, so that nothing debug-only (reloaders, echo) is timed."""
    return create_app(
        "production",
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": BENCH_SECRET},
    )


def pooled_app(url: str, connections: int) -> Flask:
    """bench_app's configuration, with a connection for every client thread."""
    options = {"pool_size": connections, "max_overflow": 0}
    return create_app(
        "production",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "SECRET_KEY": BENCH_SECRET,
        },
    )


def server_version(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar_one()
    return f"PostgreSQL {version}"
