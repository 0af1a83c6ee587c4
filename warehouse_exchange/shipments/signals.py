"""What shipments announce to the areas built on them (escrow starts releasing once goods are
in; notifications tell the parties what a check-in found). Receivers run inside the sender's
unit of work: they add to its transaction, and an error in one undoes the whole use case."""

from blinker import Namespace

_signals = Namespace()

#: sent with the Booking whose goods were checked in for the first time, once per lease;
#: keyword argument `at`, the time of that check-in
goods_checked_in = _signals.signal("goods-checked-in")

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
