"""A page of results, as services return it to pages and the API alike."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from .errors import InvalidInput
from .extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int
    #: False when counting stopped early: there are more than `total` items
    total_is_exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (
            not self.total_is_exact and len(self.items) == self.per_page
        )


#: deeper pages are refused: nobody reads them, and the offset must fit a 64-bit integer
MAX_PAGE = 100_000


def check_page(page: int, per_page: int, max_per_page: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(
            f"Pages run from 1 to {MAX_PAGE}.", {"page": f"Must be between 1 and {MAX_PAGE}."}
        )
    if not 1 <= per_page <= max_per_page:
        raise InvalidInput(
            f"At most {max_per_page} results per page.",
            {"per_page": f"Must be between 1 and {max_per_page}."},
        )


def paginate(query: Select, page: int, per_page: int, max_per_page: int = 100) -> Page:
    check_page(page, per_page, max_per_page)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total or 0)
