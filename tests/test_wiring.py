"""The wiring module is the one place where receivers are connected: nothing connects itself
on import, nothing is left unconnected, and every signal an area sends is heard."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

from blinker import NamedSignal
from sqlalchemy import literal_column

import warehouse_exchange
from warehouse_exchange import wiring
from warehouse_exchange.bookings.signals import booking_cancelled, lease_shortened
from warehouse_exchange.disputes.receivers import refuse_while_disputed
from warehouse_exchange.escrow import hooks

RECEIVER_MODULES = ("receivers", "dispute_notices", "transfer_notices")


def package_modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages(warehouse_exchange.__path__, "warehouse_exchange.")
        if ".bench" not in info.name
    ]
    return [importlib.import_module(name) for name in names]


def wired() -> set:
    return {receiver for _signal, receivers in wiring.RECEIVERS for receiver in receivers}


def test_every_receiver_function_is_wired(app):
    receivers = [
        function
        for module in package_modules()
        if module.__name__.rsplit(".", 1)[-1] in RECEIVER_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    ]
    handlers = {
        wiring.disputes.disputed,
        wiring.disputes.settling_dispute,
    }
    assert len(receivers) > 30
    unwired = [f"{f.__module__}.{f.__name__}" for f in receivers if f not in wired() | handlers]
    assert unwired == []


def test_every_signal_an_area_sends_is_heard(app):
    declared = {
        value
        for module in package_modules()
        if module.__name__.endswith(".signals")
        for value in vars(module).values()
        if isinstance(value, NamedSignal)
    }
    heard = {signal for signal, _receivers in wiring.RECEIVERS}
    assert sorted(signal.name for signal in declared - heard) == []


def test_each_receiver_is_connected_once_however_many_apps_are_made(app):
    before = {signal: list(signal.receivers) for signal, _ in wiring.RECEIVERS}
    wiring.connect_receivers()
    wiring.connect_receivers()
    assert {signal: list(signal.receivers) for signal, _ in wiring.RECEIVERS} == before
    for signal, receivers in wiring.RECEIVERS:
        assert len(signal.receivers) == len(receivers), signal.name


def test_receivers_run_in_the_order_listed(app):
    for signal, receivers in wiring.RECEIVERS:
        assert list(signal.receivers.values()) == list(receivers), signal.name


def test_a_dispute_vetoes_before_any_money_moves(app):
    for signal in (booking_cancelled, lease_shortened):
        first = next(iter(signal.receivers.values()))
        assert first is refuse_while_disputed, signal.name


def test_escrow_consults_what_the_areas_above_registered(app):
    paid_by_card = hooks.card_payment_handler("transfer")
    assert paid_by_card is wiring.transfer_cards.record_price_paid_by_card
    frozen = str(hooks.escrow_frozen(literal_column("booking_id")))
    assert "disputes" in frozen  # the dispute condition takes part in the release run's query
