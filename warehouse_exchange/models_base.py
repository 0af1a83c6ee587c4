"""Column helpers shared by the models of every area."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timestamps are stored in UTC and always come back timezone-aware, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


#: what an INTEGER column holds on every backend: ids, counts, sizes
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1
#: what a BIGINT column holds: amounts of money in minor units
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
