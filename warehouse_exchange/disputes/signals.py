"""What disputes announce (notifications tell the parties, trust rates them again). Receivers
run inside the sender's unit of work."""

from blinker import Namespace

_signals = Namespace()

#: sent with the dispute just opened; keyword argument `now`
dispute_opened = _signals.signal("dispute-opened")
#: sent with the message just added; keyword argument `now`
dispute_message_added = _signals.signal("dispute-message-added")
#: sent with the dispute its opener just withdrew; keyword argument `now`
dispute_withdrawn = _signals.signal("dispute-withdrawn")
#: sent with the dispute just decided; keyword argument `now`
dispute_decided = _signals.signal("dispute-decided")
#: sent with a dispute a scheduler run found past its deadline; keyword argument `now`
dispute_escalated = _signals.signal("dispute-escalated")
