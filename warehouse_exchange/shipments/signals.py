"""What shipments announce to the areas built on them (escrow), so that shipments need not
know them. Receivers run inside the sender's unit of work."""

from blinker import Namespace

_signals = Namespace()

#: sent with a Booking when its tenant's goods are checked in for the first time;
#: keyword argument `at` (the check-in time)
goods_checked_in = _signals.signal("goods-checked-in")
