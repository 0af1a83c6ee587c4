"""What accounts announce to the areas built on them (notifications email the owner of an
account, the audit log records a suspension), so that accounts need not know those areas.
Receivers run inside the sender's unit of work."""

from blinker import Namespace

_signals = Namespace()

#: sent with the user whose email address has just been locked out of log-in after too many
#: failures; keyword arguments `failures`, `until`, `now`
login_locked = _signals.signal("login-locked")

#: sent with the user an operator just suspended, and with one just reinstated; keyword
#: arguments `actor` (the operator), `reason`, `now`
user_suspended = _signals.signal("user-suspended")
user_reinstated = _signals.signal("user-reinstated")
