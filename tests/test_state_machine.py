"""The state machine helper: a wrong move is refused before anything changes, the refusal
names the states a move is allowed from, and each area's machine words it as before."""

from __future__ import annotations

import enum
from types import SimpleNamespace

import pytest
from blinker import Signal

from warehouse_exchange.bookings.rules import BOOKING_MACHINE, BookingState
from warehouse_exchange.disputes.rules import DISPUTE_MACHINE, DisputeState
from warehouse_exchange.errors import Conflict
from warehouse_exchange.listings.rules import LISTING_MACHINE, ListingStatus
from warehouse_exchange.state_machine import StateMachine
from warehouse_exchange.transfers.rules import TRANSFER_MACHINE, TransferState


class Door(enum.StrEnum):
    OPEN = "open"
    SHUT = "shut"
    LOCKED = "locked"


DOORS = StateMachine(
    Door,
    {Door.OPEN: {Door.SHUT}, Door.SHUT: {Door.OPEN, Door.LOCKED}, Door.LOCKED: {Door.SHUT}},
    lambda current, wanted, allowed: f"{current} -> {wanted}: only from {allowed}",
)


def test_a_legal_move_records_sets_and_announces_in_that_order():
    door = SimpleNamespace(state="open")
    seen = []
    moved = Signal()

    def receiver(sender, **details):
        seen.append(("signal", sender.state, details))

    moved.connect(receiver)
    left = DOORS.move(
        door,
        Door.SHUT,
        record=lambda from_state: seen.append(("record", from_state, door.state)),
        signal=moved,
        by="the wind",
    )

    assert left == "open"
    assert door.state == Door.SHUT == "shut"
    assert seen == [
        ("record", "open", "open"),
        ("signal", "shut", {"from_state": "open", "to_state": Door.SHUT, "by": "the wind"}),
    ]


def test_an_illegal_move_raises_and_changes_nothing():
    door = SimpleNamespace(state="open")
    seen = []
    moved = Signal()
    moved.connect(lambda sender, **details: seen.append(details), weak=False)

    with pytest.raises(Conflict) as refused:
        DOORS.move(door, Door.LOCKED, record=seen.append, signal=moved)

    assert str(refused.value) == "open -> locked: only from shut"
    assert door.state == "open"
    assert seen == []


def test_the_refusal_names_every_state_the_move_is_allowed_from():
    assert DOORS.allowed_from(Door.SHUT) == [Door.LOCKED, Door.OPEN]
    with pytest.raises(Conflict, match=r"^open -> open: only from shut$"):
        DOORS.check("open", "open")
    # text that is no state at all (an owner's form, say) is refused the same way
    with pytest.raises(Conflict, match=r"^open -> ajar: only from no$"):
        DOORS.check("open", "ajar")
    with pytest.raises(Conflict, match=r"^broken -> open: only from shut$"):
        DOORS.check("broken", "open")


def test_the_entity_attribute_can_be_named():
    statuses = StateMachine(Door, DOORS.transitions, DOORS.refusal, attribute="status")
    door = SimpleNamespace(status="shut")
    statuses.move(door, Door.LOCKED)
    assert door.status == "locked"
    assert statuses.sql_in() == "status IN ('open', 'shut', 'locked')"


def test_sql_is_the_text_of_a_tuple_of_strings():
    assert DOORS.sql_in() == f"state IN {('open', 'shut', 'locked')!r}"
    assert DOORS.sql_in([Door.LOCKED]) == "state IN ('locked',)"


def test_every_state_needs_its_transitions():
    with pytest.raises(ValueError, match="locked"):
        StateMachine(Door, {Door.OPEN: {Door.SHUT}, Door.SHUT: set()}, DOORS.refusal)


@pytest.mark.parametrize(
    ("machine", "current", "wanted", "message"),
    [
        (
            BOOKING_MACHINE,
            "requested",
            BookingState.CONFIRMED,
            "A booking cannot become confirmed from requested; only accepted bookings can.",
        ),
        (
            BOOKING_MACHINE,
            "completed",
            BookingState.CANCELLED,
            "A booking cannot become cancelled from completed;"
            " only accepted or confirmed or requested bookings can.",
        ),
        (
            BOOKING_MACHINE,
            "active",
            BookingState.REQUESTED,
            "A booking cannot become requested from active; only no bookings can.",
        ),
        (
            LISTING_MACHINE,
            "archived",
            ListingStatus.ACTIVE,
            "A listing cannot go from archived to active; only paused listings can.",
        ),
        (
            LISTING_MACHINE,
            "active",
            "deleted",
            "A listing cannot go from active to deleted; only no listings can.",
        ),
        (
            TRANSFER_MACHINE,
            "offered",
            TransferState.COMPLETED,
            "A transfer cannot become completed from offered;"
            " only owner_approved or requested transfers can.",
        ),
        (
            DISPUTE_MACHINE,
            "awaiting_response",
            DisputeState.RESOLVED,
            "A dispute that is awaiting response cannot become resolved.",
        ),
    ],
)
def test_each_area_words_its_refusal(machine, current, wanted, message):
    with pytest.raises(Conflict) as refused:
        machine.check(current, wanted)
    assert refused.value.message == message


def test_states_are_the_strings_the_columns_store():
    assert BookingState.ACCEPTED == "accepted"
    assert f"{TransferState.OWNER_APPROVED}" == "owner_approved"
    assert {"under_review": 1}[DisputeState.UNDER_REVIEW] == 1
    assert ListingStatus("paused") is ListingStatus.PAUSED
