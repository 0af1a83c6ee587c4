"""What fx announces (listings re-rank their prices), so that fx need not know listings.
Receivers run inside the sender's unit of work."""

from blinker import Namespace

_signals = Namespace()

#: sent with the currency whose latest rate just changed; keyword argument `rates`, the
#: latest RateTable
rate_recorded = _signals.signal("rate-recorded")
