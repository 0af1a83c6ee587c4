"""What shipments announce (notifications tell the parties what a check-in found; escrow starts
releasing once goods are in). Receivers run inside the sender's unit of work: they add to its
transaction, and an error in one undoes the whole use case."""

from blinker import Namespace

#: escrow listens to it and sits below shipments, so the signal is declared in bookings
from ..bookings.signals import goods_checked_in as goods_checked_in

_signals = Namespace()

#: sent with every CheckIn just recorded; keyword arguments `now` and `over_capacity` (True
#: when this check-in made the lease store more than it rents)
check_in_recorded = _signals.signal("check-in-recorded")

#: sent with every Shipment just announced; keyword argument `now`
shipment_announced = _signals.signal("shipment-announced")

#: sent with a Shipment its tenant changed; keyword arguments `changes` (a list of
#: (what, before, after) texts) and `now`
shipment_changed = _signals.signal("shipment-changed")

#: sent with a Shipment its tenant cancelled; keyword argument `now`
shipment_cancelled = _signals.signal("shipment-cancelled")
