"""What the homes of the roles share: a block of a count and the first few items, and the
lease states and lateness that the owner's arrivals and the exporter's shipments are read by."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import Select, and_, func, select

from ..extensions import db
from ..shipments.models import Shipment

#: how many items of each block a home page lists; the count says how many there are
TOP = 5
#: lease states that hold the listing's space (paid)
PAID_STATES = ("confirmed", "active")

T = TypeVar("T")


@dataclass(frozen=True)
class Queue(Generic[T]):
    """How many there are, and the first few of them."""

    count: int
    items: list[T] = field(default_factory=list)


def queue_of(query: Select, *order, options=()) -> Queue:
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if not count:
        return Queue(0, [])
    items = db.session.scalars(query.options(*options).order_by(*order).limit(TOP)).unique()
    return Queue(count, list(items))


def arriving_late(today: date):
    """A shipment not arrived yet that was expected before today."""
    return and_(Shipment.arrived_at.is_(None), Shipment.expected_arrival < today)
