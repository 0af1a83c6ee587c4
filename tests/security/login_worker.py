"""One app instance in a process of its own, as one gunicorn worker is: it makes a few failed
log-ins and prints their status codes as JSON. Its settings come from WX_ variables in the
environment, as a deployment's do.

    python -m tests.security.login_worker DATABASE_URL ATTEMPTS

The database is already migrated (the test made it), as a deployment's is before its workers
start.
"""

from __future__ import annotations

import json
import sys

from warehouse_exchange import create_app


def main(database_url: str, attempts: int) -> list[int]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    client = app.test_client()
    form = {"email": "nobody@example.com", "password": "not-the-password"}
    return [client.post("/login", data=form).status_code for _ in range(attempts)]


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
