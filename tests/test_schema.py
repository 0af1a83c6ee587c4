"""The tests run on the schema the migrations build, and that schema is the one the models
describe, down to what Alembic's autogenerate does not compare (`flask db check`, in
test_platform, covers tables, columns, types, indexes and foreign keys): CHECK constraints,
server defaults, the indexes' definitions and the ledger's and audit log's triggers."""

from __future__ import annotations

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from tests.databases import fresh_postgres_database
from tests.helpers import app_with
from warehouse_exchange.extensions import db

#: The triggers that keep ledger rows and audit entries as they were written (the tests that
#: try to change them are in test_ledger and test_audit); per backend: (table, trigger).
PROTECTIVE_TRIGGERS = {
    "postgresql": {
        ("ledger_transactions", "ledger_transactions_immutable"),
        ("ledger_entries", "ledger_entries_immutable"),
        ("ledger_entries", "ledger_entries_balanced"),
        ("audit_entries", "audit_entries_immutable"),
    },
    "sqlite": {
        (table, f"{table}_{action}_refused")
        for table in ("ledger_transactions", "ledger_entries", "audit_entries")
        for action in ("UPDATE", "DELETE")
    },
}

#: Alembic's own bookkeeping: in a migrated database only
ALEMBIC_TABLE = "alembic_version"

#: Column order is left out: create_all puts a mixin's columns and the columns that later
#: migrations added where the model lists them, ALTER TABLE ADD COLUMN puts them last, and
#: nothing depends on the order (the code names the columns it reads and writes).
POSTGRES_CATALOG = {
    "columns": """
        SELECT table_name, column_name, data_type, character_maximum_length,
               numeric_precision, numeric_scale, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public'""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
        FROM pg_trigger WHERE NOT tgisinternal""",
    "functions": """
        SELECT proname, pg_get_functiondef(oid)
        FROM pg_proc WHERE pronamespace = 'public'::regnamespace""",
    "sequences": "SELECT sequencename, data_type FROM pg_sequences WHERE schemaname = 'public'",
}


def postgres_schema(connection) -> dict[str, set[tuple]]:
    described = {}
    for part, query in POSTGRES_CATALOG.items():
        rows = {tuple(row) for row in connection.execute(text(query))}
        described[part] = {row for row in rows if ALEMBIC_TABLE not in str(row[:2])}
    return described


def sqlite_schema(connection) -> dict[str, set[tuple]]:
    inspector = inspect(connection)
    tables = set(inspector.get_table_names()) - {ALEMBIC_TABLE}
    described: dict[str, set[tuple]] = {
        "columns": set(),
        "checks": set(),
        "uniques": set(),
        "foreign keys": set(),
        "indexes": set(),
    }
    for table in tables:
        described["columns"] |= {
            (table, c["name"], str(c["type"]), c["nullable"], c["default"])
            for c in inspector.get_columns(table)
        }
        described["checks"] |= {
            (table, c["name"], " ".join(c["sqltext"].split()))
            for c in inspector.get_check_constraints(table)
        }
        described["uniques"] |= {
            (table, tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
        }
        described["foreign keys"] |= {
            (table, tuple(f["constrained_columns"]), f["referred_table"], str(f["options"]))
            for f in inspector.get_foreign_keys(table)
        }
        described["indexes"] |= {
            (table, i["name"], tuple(i["column_names"]), i["unique"])
            for i in inspector.get_indexes(table)
        }
    triggers = connection.execute(
        text("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
    )
    described["triggers"] = {(table, name, " ".join(sql.split())) for table, name, sql in triggers}
    return described


def schema_of(connection) -> dict[str, set[tuple]]:
    if connection.dialect.name == "sqlite":
        return sqlite_schema(connection)
    return postgres_schema(connection)


def differences(migrated: dict, created: dict) -> dict[str, dict[str, list]]:
    return {
        part: {
            "migrations only": sorted(migrated[part] - created[part], key=str),
            "create_all only": sorted(created[part] - migrated[part], key=str),
        }
        for part in migrated
        if migrated[part] != created[part]
    }


def test_the_tests_run_on_a_database_the_migrations_built(app):
    heads = ScriptDirectory(app.extensions["migrate"].directory).get_heads()
    current = MigrationContext.configure(db.session.connection()).get_current_heads()
    assert set(current) == set(heads)


def test_the_protective_triggers_are_in_the_migrated_database(app):
    connection = db.session.connection()
    expected = PROTECTIVE_TRIGGERS[connection.dialect.name]
    found = {(table, name) for table, name, _ in schema_of(connection)["triggers"]}
    assert expected <= found, f"missing: {sorted(expected - found)}"


@pytest.fixture
def created_all_database(database_url, tmp_path):
    """A database of the session's backend whose schema create_all made from the models."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'created_all.sqlite3'}"
        with app_with(url) as app, app.app_context():
            db.create_all()
        yield url
        return
    with fresh_postgres_database("wx_create_all") as url:
        with app_with(url) as app, app.app_context():
            db.create_all()
        yield url


def test_the_models_describe_the_migrated_schema_exactly(database_url, created_all_database):
    migrated_engine = create_engine(database_url)
    created_engine = create_engine(created_all_database)
    try:
        with migrated_engine.connect() as migrated, created_engine.connect() as created:
            found = differences(schema_of(migrated), schema_of(created))
    finally:
        migrated_engine.dispose()
        created_engine.dispose()
    assert found == {}
