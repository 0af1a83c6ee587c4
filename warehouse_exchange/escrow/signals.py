"""What escrow announces to the areas built on it (notifications), so that escrow need not
know them. Receivers run inside the sender's unit of work."""

from blinker import Namespace

_signals = Namespace()

#: sent with a Refund just owed to a tenant; keyword argument `now`
refund_due = _signals.signal("refund-due")

#: sent with a ReleaseInstalment just released to its owner; keyword argument `now`
instalment_released = _signals.signal("instalment-released")

#: sent with a PaymentInstalment the guarantee reserve just covered because its tenant missed
#: it (the tenant is in default); keyword argument `now`
instalment_covered = _signals.signal("instalment-covered")

#: sent with a CardPayment of a saved card that the gateway refused (or that needs the
#: tenant to confirm it); keyword argument `now`
card_charge_failed = _signals.signal("card-charge-failed")
