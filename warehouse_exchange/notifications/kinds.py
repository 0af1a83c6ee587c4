"""What a notification can be about, with the label its members see in their settings."""

KINDS: dict[str, str] = {
    "booking_requested": "A new booking request for one of our listings",
    "booking_accepted": "A booking accepted (or booked instantly)",
    "booking_declined": "A booking request declined",
    "booking_cancelled": "A booking cancelled by the other party",
    "booking_expired": "A booking request or an unpaid booking expired",
    "booking_confirmed": "A booking paid into escrow and confirmed",
    "lease_started": "A lease started",
    "lease_completed": "A lease completed",
    "refund_due": "A refund owed to us",
    "release": "Escrow released to us",
    "lease_ending": "A lease of ours ends in 14 or in 3 days",
    "request_waiting": "A booking request still waits for our answer",
    "instalment_due": "A monthly payment instalment of ours falls due in 3 days",
    "instalment_covered": "A missed instalment paid by the guarantee reserve (a default)",
    "lease_shortened": "A lease of ours made to end early",
    "card_declined": "A monthly instalment our saved card could not pay",
    "goods_received": "Goods of ours received and counted at a warehouse, with anything amiss",
    "lease_over_capacity": "Goods stored beyond the space a lease rents",
    "verification_decided": "Our verification request approved or rejected",
    "review_received": "A review of us after a lease",
    "party_blacklisted": "The other party to one of our leases was blacklisted",
    "transfer_offered": "A lease at one of our listings offered for transfer",
    "transfer_requested": "An exporter asks to take over a lease offered for transfer",
    "transfer_answered": "The owner approved or refused a transfer of a lease",
    "transfer_completed": "A lease transfer paid and completed",
    "transfer_ended": "A lease transfer withdrawn or expired",
}

#: the booking state a transition leads to -> the kind of notification it makes
KIND_OF_STATE = {
    "accepted": "booking_accepted",
    "declined": "booking_declined",
    "cancelled": "booking_cancelled",
    "expired": "booking_expired",
    "confirmed": "booking_confirmed",
    "active": "lease_started",
    "completed": "lease_completed",
}
