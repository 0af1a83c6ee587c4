"""An app on a database of its own, where services really commit and many connections meet
(the per-test rollback fixture shares one connection, so it cannot show races)."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager

from tests.databases import migrated_database
from warehouse_exchange import create_app
from warehouse_exchange.extensions import db


@contextmanager
def isolated_app(backend: str, tmp_path, pool_size: int = 20, **settings):
    with ExitStack() as stack:
        url = stack.enter_context(migrated_database(backend, tmp_path, "wx_race"))
        options = {"pool_size": pool_size, "max_overflow": 0} if backend == "postgresql" else {}
        app = create_app(
            "testing",
            {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options, **settings},
        )
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def run_at_once(app, work, runners: int = 2) -> list:
    """Start `runners` threads at the same moment, each calling `work()` in an app context of
    its own (so a session and a connection of its own); return what each returned."""
    import threading

    from warehouse_exchange.extensions import db

    start_together, results = threading.Barrier(runners), []

    def runner():
        with app.app_context():
            start_together.wait()
            try:
                results.append(work())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
