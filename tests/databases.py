"""Test databases: empty PostgreSQL databases, and databases whose schema the Alembic
migrations built, as `flask db upgrade` builds production's (so the tests meet the CHECKs,
indexes and the ledger's and audit log's triggers that the migrations create, not what
`create_all` would make of the models).

The migrations run once per test process and backend, into a template; every migrated
database a test asks for is a copy of it (a file copy on SQLite, CREATE DATABASE … TEMPLATE
on PostgreSQL), which costs less than `create_all` would.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import make_url

from warehouse_exchange import create_app
from warehouse_exchange.extensions import db

POSTGRES_ADMIN_URL = os.environ.get(
    "WX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_ALL = os.environ.get("WX_REQUIRE_ALL_BACKENDS") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (WX_REQUIRE_ALL_BACKENDS=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def _admin_connection():
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


def _postgres_url(name: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _create_postgres_database(name: str, template: str | None = None) -> None:
    try:
        admin = _admin_connection()
    except psycopg.OperationalError as error:
        skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}")
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy_of}')


def _drop_postgres_database(name: str) -> None:
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_postgres_database(prefix: str = "wx_test", template: str | None = None):
    """A new PostgreSQL database (empty, or a copy of `template`); yields its SQLAlchemy URL,
    then drops it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _create_postgres_database(name, template)
    try:
        yield _postgres_url(name)
    finally:
        _drop_postgres_database(name)


def alembic_config(app) -> Config:
    """The project's Alembic configuration (as `flask db …` builds it) for `app`'s database,
    minus alembic.ini's logging setup: that would turn off every logger the tests made."""
    with app.app_context():
        migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(migrate.directory)
    config.attributes["configure_logger"] = False
    return config


def build_schema(app) -> None:
    """Run the migrations to head on `app`'s database: what `flask db upgrade` does."""
    with app.app_context():
        command.upgrade(alembic_config(app), "head")
        db.engine.dispose()  # a template must have no connections left (and SQLite no WAL)


#: the migrated template of each backend in this process: a file path or a database name
_templates: dict[str, str] = {}


def _sqlite_template() -> Path:
    if "sqlite" not in _templates:
        path = Path(tempfile.mkdtemp(prefix="wx_schema_")) / "migrated.sqlite3"
        build_schema(create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}))
        _templates["sqlite"] = str(path)
    return Path(_templates["sqlite"])


def _postgres_template() -> str:
    if "postgresql" not in _templates:
        name = f"wx_template_{uuid.uuid4().hex[:12]}"
        _create_postgres_database(name)
        try:
            build_schema(create_app("testing", {"SQLALCHEMY_DATABASE_URI": _postgres_url(name)}))
        except BaseException:
            _drop_postgres_database(name)
            raise
        _templates["postgresql"] = name
    return _templates["postgresql"]


@contextmanager
def migrated_postgres_database(prefix: str = "wx_test") -> Iterator[str]:
    """A new PostgreSQL database at the migrations' head; yields its URL, then drops it."""
    with fresh_postgres_database(prefix, template=_postgres_template()) as url:
        yield url


def migrated_sqlite_database(path: Path) -> str:
    """A SQLite database at the migrations' head in the file `path`; returns its URL."""
    shutil.copyfile(_sqlite_template(), path)
    return f"sqlite:///{path}"


@contextmanager
def migrated_database(backend: str, folder: Path, prefix: str = "wx_test") -> Iterator[str]:
    """A new database of `backend` ("sqlite" or "postgresql") at the migrations' head: a
    file in `folder`, or a PostgreSQL database dropped afterwards. Yields its URL."""
    if backend == "sqlite":
        yield migrated_sqlite_database(folder / f"{prefix}.sqlite3")
    else:
        with migrated_postgres_database(prefix) as url:
            yield url


def drop_templates() -> None:
    """At the end of the session: the templates go too."""
    if "postgresql" in _templates:
        _drop_postgres_database(_templates.pop("postgresql"))
    if "sqlite" in _templates:
        shutil.rmtree(Path(_templates.pop("sqlite")).parent, ignore_errors=True)


@contextmanager
def in_rolled_back_transaction(flask_app):
    """`flask_app` with its context pushed, inside a transaction rolled back afterwards.

    Services commit freely: the session joins the test's connection with savepoints
    (the approach of pallets-eco/flask-sqlalchemy#1171)."""
    with flask_app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield flask_app
        finally:
            db.session.remove()
            transaction.rollback()
            connection.close()
            engines[None] = engine
