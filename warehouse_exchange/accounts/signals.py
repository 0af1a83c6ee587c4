"""What accounts announce to the areas built on them (notifications email the owner of an
account), so that accounts need not know those areas. Receivers run inside the sender's unit
of work."""

from blinker import Namespace

_signals = Namespace()

#: sent with the user whose email address has just been locked out of log-in after too many
#: failures; keyword arguments `failures`, `until`, `now`
login_locked = _signals.signal("login-locked")
