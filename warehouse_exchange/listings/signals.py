"""What listings announce (bookings check a resize against the leases they hold), so that
listings need not know bookings. Receivers run inside the sender's unit of work: one that
raises undoes the whole use case."""

from blinker import Namespace

_signals = Namespace()

#: sent with the listing whose quantity or dates were just changed; keyword arguments
#: `quantity`, `start`, `end` (its new window)
listing_resized = _signals.signal("listing-resized")
