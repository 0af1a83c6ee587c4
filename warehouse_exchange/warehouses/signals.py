"""What warehouses announce (listings archive theirs), so that warehouses need not know
listings. Receivers run inside the sender's unit of work."""

from blinker import Namespace

_signals = Namespace()

#: sent with the warehouse just archived
warehouse_archived = _signals.signal("warehouse-archived")
