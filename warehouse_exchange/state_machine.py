"""The states a row of one area moves through (bookings, listings, transfers, disputes), the
moves allowed between them, and how a move is made, in one place: a wrong move is refused
with the same kind of error everywhere, before anything about the row changes.

States are `enum.StrEnum` members: their values are what the string columns store, and they
compare equal to those strings, so a state read back from the database needs no converting.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from blinker import Signal

from .errors import Conflict

S = TypeVar("S", bound=enum.StrEnum)

#: the message of a refused move: (current state, wanted state, the states it may be
#: reached from joined by "or", or "no") -> text
Refusal = Callable[[str, str, str], str]


class StateMachine(Generic[S]):
    def __init__(
        self,
        states: type[S],
        transitions: Mapping[S, Iterable[S]],
        refusal: Refusal,
        *,
        attribute: str = "state",
    ) -> None:
        missing = set(states) - set(transitions)
        if missing:
            raise ValueError(f"No transitions given from {sorted(missing)}")
        self.states = states
        self.transitions: dict[S, frozenset[S]] = {
            state: frozenset(targets) for state, targets in transitions.items()
        }
        self.refusal = refusal
        #: the entity's column that holds its state
        self.attribute = attribute

    def can(self, current: str, wanted: str) -> bool:
        return wanted in self.transitions.get(current, frozenset())

    def allowed_from(self, wanted: str) -> list[S]:
        """The states from which `wanted` may be reached, in alphabetical order."""
        return sorted(state for state, targets in self.transitions.items() if wanted in targets)

    def check(self, current: str, wanted: str) -> None:
        """Refuse a move that is not allowed (`wanted` may be any text a user sent)."""
        if not self.can(current, wanted):
            allowed = " or ".join(self.allowed_from(wanted)) or "no"
            raise Conflict(self.refusal(current, wanted, allowed))

    def sql_in(self, states: Iterable[S] | None = None) -> str:
        """SQL that a row is in one of `states` (all by default), for CHECK constraints and
        partial indexes: the text is that of a tuple of plain strings, as the schema has it."""
        values = tuple(str(state) for state in (self.states if states is None else states))
        return f"{self.attribute} IN {values!r}"

    def move(
        self,
        entity: Any,
        wanted: S,
        *,
        record: Callable[[str], object] | None = None,
        signal: Signal | None = None,
        **details: Any,
    ) -> str:
        """Move `entity` to `wanted` and return the state it left. After the check, `record`
        (given the state left) writes the area's event row and whatever must change with the
        state; then the state is set and `signal` is sent with the entity, `from_state`,
        `to_state` and `details`."""
        current = getattr(entity, self.attribute)
        self.check(current, wanted)
        if record is not None:
            record(current)
        setattr(entity, self.attribute, wanted)
        if signal is not None:
            signal.send(entity, from_state=current, to_state=wanted, **details)
        return current
