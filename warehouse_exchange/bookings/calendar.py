"""Day-by-day capacity laid out for a calendar heat map: twelve month grids of day cells, each
with the share of its capacity that is free, held or used, put on a small discrete scale, and
the monthly figures a chart of held against capacity draws. Pure arithmetic: the queries that
fill the days live with the areas that own them (bookings for held, shipments for used)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

#: levels of the heat map's scale: 0 is none of the capacity, TOP all of it, and every share in
#: between takes one of the levels 1 to TOP - 1, so that 20 of 2000 never looks like 0 of 2000
TOP = 5
CALENDAR_MONTHS = 12


def share_level(part: int | Decimal, whole: int) -> int | None:
    """The scale step of `part` out of `whole`; None when there is no capacity at all."""
    if whole <= 0:
        return None
    if part <= 0:
        return 0
    if part >= whole:
        return TOP
    partial_steps = TOP - 1
    # the ceiling of part / whole in quarters, in exact arithmetic; part is positive here, so
    # Decimal's truncating division rounds down
    quarters, rest = divmod(Decimal(part) * partial_steps, whole)
    return min(int(quarters) + (rest > 0), partial_steps)


@dataclass(frozen=True)
class DayCell:
    day: date
    #: units on offer that day: 0 before today and outside the listing's window
    capacity: int
    held: int
    #: space the goods on hand take (owners' calendars only)
    used: Decimal | None = None
    chosen: bool = False
    #: a chosen day without the quantity asked for free
    short: bool = False

    @property
    def free(self) -> int:
        return max(self.capacity - self.held, 0)

    @property
    def open(self) -> bool:
        return self.capacity > 0

    @property
    def free_level(self) -> int | None:
        return share_level(self.free, self.capacity)

    @property
    def held_level(self) -> int | None:
        return share_level(self.held, self.capacity)

    @property
    def used_level(self) -> int | None:
        return share_level(self.used or 0, self.capacity)


@dataclass(frozen=True)
class MonthGrid:
    first: date
    #: Monday-first rows of seven; None pads the days of other months
    weeks: list[list[DayCell | None]]

    @property
    def days(self) -> list[DayCell]:
        return [cell for week in self.weeks for cell in week if cell is not None]


@dataclass(frozen=True)
class MonthFigures:
    """One month of a chart of held against capacity."""

    first: date
    #: the most units on offer on any open day of the month
    capacity: int
    peak_held: int
    #: the mean held over the month's open days, in whole units rounded half up
    average_held: int
    least_free: int
    most_free: int


def calendar_window(today: date, months: int = CALENDAR_MONTHS) -> tuple[date, date]:
    """From the first of this month to the last day of the twelfth month."""
    first = today.replace(day=1)
    year, month = divmod(first.month - 1 + months, 12)
    return first, date(first.year + year, month + 1, 1) - timedelta(days=1)


def day_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def mark_chosen(cells: list[DayCell], start: date, end: date, quantity: int) -> list[DayCell]:
    return [
        replace(c, chosen=True, short=c.free < quantity) if start <= c.day <= end else c
        for c in cells
    ]


def month_grids(cells: Iterable[DayCell]) -> list[MonthGrid]:
    by_month: dict[date, list[DayCell]] = {}
    for cell in cells:
        by_month.setdefault(cell.day.replace(day=1), []).append(cell)
    return [_grid(first, days) for first, days in by_month.items()]


def _grid(first: date, days: list[DayCell]) -> MonthGrid:
    padded: list[DayCell | None] = [None] * first.weekday() + list(days)
    padded += [None] * (-len(padded) % 7)
    return MonthGrid(first, [padded[n : n + 7] for n in range(0, len(padded), 7)])


def month_figures(grids: list[MonthGrid]) -> list[MonthFigures]:
    figures = []
    for grid in grids:
        open_days = [c for c in grid.days if c.open]
        held = [c.held for c in open_days]
        free = [c.free for c in open_days]
        average = (2 * sum(held) + len(held)) // (2 * len(held)) if held else 0
        figures.append(
            MonthFigures(
                grid.first,
                max((c.capacity for c in open_days), default=0),
                max(held, default=0),
                average,
                min(free, default=0),
                max(free, default=0),
            )
        )
    return figures
