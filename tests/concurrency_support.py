"""An app on a database of its own, where services really commit and many connections meet
(the per-test rollback fixture shares one connection, so it cannot show races)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import psycopg
from sqlalchemy import make_url

from tests.conftest import POSTGRES_ADMIN_URL, skip_or_fail
from warehouse_exchange import create_app
from warehouse_exchange.extensions import db


def _admin():
    url = make_url(POSTGRES_ADMIN_URL)
    return psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        dbname=url.database,
        password=url.password,
        autocommit=True,
        connect_timeout=3,
    )


@contextmanager
def _postgres_database():
    name = f"wx_race_{uuid.uuid4().hex[:10]}"
    try:
        admin = _admin()
    except psycopg.OperationalError as error:
        skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def isolated_app(backend: str, request, tmp_path, pool_size: int = 20):
    if backend == "postgresql":
        database = _postgres_database()
        url = database.__enter__()
        options = {"pool_size": pool_size, "max_overflow": 0}
    else:
        database = None
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
        options = {}
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}
    )
    try:
        with app.app_context():
            db.create_all()
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        if database is not None:
            database.__exit__(None, None, None)
