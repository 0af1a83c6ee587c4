"""Bulk inserts for the benchmarks' generated rows: Core `insert()` executemany in batches.

The ORM's per-object bookkeeping would make loading 100k rows take minutes instead of seconds,
and one executemany of them all would hold every row in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from sqlalchemy import Connection, Table, insert

BATCH = 5000
Item = TypeVar("Item")


def batches(items: Iterable[Item], size: int = BATCH) -> Iterator[list[Item]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(connection: Connection, table: Table, rows: Iterable[dict]) -> int:
    """Insert `rows` into `table` in batches; returns how many went in."""
    statement = insert(table)
    count = 0
    for batch in batches(rows):
        connection.execute(statement, batch)
        count += len(batch)
    return count
