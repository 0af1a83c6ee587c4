"""What bookings announce to the areas built on them (escrow refunds a cancelled booking,
notifications tell the other party), so that bookings need not know those areas. Receivers
run inside the sender's unit of work: they add to its transaction, and an error in one undoes
the whole use case."""

from blinker import Namespace

_signals = Namespace()

#: sent with the booking just cancelled; keyword arguments `actor`, `now`, `by_owner`
booking_cancelled = _signals.signal("booking-cancelled")

#: sent with the booking that just lapsed (unanswered, or unpaid); keyword argument `now`
booking_expired = _signals.signal("booking-expired")

#: sent with the booking after every transition; keyword arguments `from_state`, `to_state`,
#: `actor` (None when the platform moved it), `now`, `reason`
booking_moved = _signals.signal("booking-moved")

#: sent with a lease just made to end earlier; keyword arguments `old_end`, `actor`, `now`,
#: `reason`
lease_shortened = _signals.signal("lease-shortened")

#: sent with a booking request just made (not an instant booking, which is moved to
#: accepted at once); keyword argument `now`
booking_requested = _signals.signal("booking-requested")

#: sent by shipments with the Booking whose goods were checked in for the first time, once per
#: lease; keyword argument `at`, the time of that check-in. Declared here, below both, because
#: escrow (which starts releasing on it) must not import shipments
goods_checked_in = _signals.signal("goods-checked-in")
