"""What transfers announce at each step (notifications tell the parties), so that transfers
need not know notifications. Each is sent with the transfer, keyword argument `now`;
receivers run inside the sender's unit of work."""

from blinker import Namespace

_signals = Namespace()

#: the tenant offered part of a lease
transfer_offered = _signals.signal("transfer-offered")
#: an exporter asked to take it
transfer_requested = _signals.signal("transfer-requested")
#: the owner approved or refused the taker
transfer_answered = _signals.signal("transfer-answered")
#: the taker paid and the lease changed hands
transfer_completed = _signals.signal("transfer-completed")
#: withdrawn by the tenant, or expired
transfer_ended = _signals.signal("transfer-ended")
