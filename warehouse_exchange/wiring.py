"""What happens after what: every receiver of every area's signals, and every handler a
higher area registers with a lower one, connected in one place that the app factory calls.

A receiver runs inside the transaction of the use case that sent the signal, in the order
listed: a receiver that raises undoes the whole use case, so a veto comes before anything
that moves money, and the metrics count last, once the others have stood.
"""

from __future__ import annotations

from blinker import Signal

from .accounts.signals import login_locked, user_reinstated, user_suspended
from .audit import receivers as audit
from .bookings import receivers as bookings
from .bookings.signals import (
    booking_cancelled,
    booking_expired,
    booking_moved,
    booking_requested,
    goods_checked_in,
    lease_shortened,
)
from .disputes import receivers as disputes
from .disputes.signals import (
    dispute_decided,
    dispute_escalated,
    dispute_message_added,
    dispute_opened,
    dispute_withdrawn,
)
from .escrow import hooks as escrow_hooks
from .escrow import receivers as escrow
from .escrow.signals import card_charge_failed, instalment_covered, instalment_released, refund_due
from .fx.signals import rate_recorded
from .listings import receivers as listings
from .listings.signals import listing_resized
from .notifications import dispute_notices, transfer_notices
from .notifications import receivers as notifications
from .observability import metrics
from .shipments.signals import (
    check_in_recorded,
    shipment_announced,
    shipment_cancelled,
    shipment_changed,
)
from .transfers import cards as transfer_cards
from .transfers.signals import (
    transfer_answered,
    transfer_completed,
    transfer_ended,
    transfer_offered,
    transfer_requested,
)
from .trust import receivers as trust
from .warehouses.signals import warehouse_archived

RECEIVERS: tuple[tuple[Signal, tuple], ...] = (
    # bookings
    (booking_requested, (notifications.tell_booking_requested, metrics.count_booking_requested)),
    (booking_moved, (
        escrow.schedule_payments,
        notifications.tell_booking_moved,
        trust.rate_parties,
        metrics.count_booking_moved,
    )),
    # an open dispute froze the escrow that cancelling or shortening would move
    (booking_cancelled, (disputes.refuse_while_disputed, escrow.refund_cancelled_booking)),
    (lease_shortened, (disputes.refuse_while_disputed, notifications.tell_lease_shortened)),
    (booking_expired, (escrow.refund_cancelled_booking,)),
    (goods_checked_in, (escrow.release_at_check_in, metrics.count_goods_checked_in)),
    # escrow
    (refund_due, (notifications.tell_refund_due, metrics.count_refund_due)),
    (instalment_released, (notifications.tell_released, metrics.count_instalment_released)),
    (instalment_covered, (
        notifications.tell_instalment_covered,
        trust.rate_defaulter,
        metrics.count_instalment_covered,
    )),
    (card_charge_failed, (notifications.tell_card_charge_failed, metrics.count_card_charge_failed)),
    # shipments
    (check_in_recorded, (notifications.tell_checked_in,)),
    (shipment_announced, (notifications.tell_shipment_announced,)),
    (shipment_changed, (notifications.tell_shipment_changed,)),
    (shipment_cancelled, (notifications.tell_shipment_cancelled,)),
    # transfers
    (transfer_offered, (transfer_notices.offered,)),
    (transfer_requested, (transfer_notices.requested,)),
    (transfer_answered, (transfer_notices.answered,)),
    (transfer_completed, (transfer_notices.completed,)),
    (transfer_ended, (transfer_notices.ended,)),
    # disputes
    (dispute_opened, (
        dispute_notices.tell_opened,
        trust.rate_disputants,
        metrics.count_dispute_opened,
    )),
    (dispute_message_added, (dispute_notices.tell_message,)),
    (dispute_withdrawn, (trust.rate_disputants,)),
    (dispute_decided, (
        dispute_notices.tell_decided,
        trust.rate_disputants,
        metrics.count_dispute_decided,
    )),
    (dispute_escalated, (dispute_notices.tell_escalated,)),
    # listings follow their warehouse and the exchange rates; bookings guard a resize
    (listing_resized, (bookings.refuse_resize_over_leases,)),
    (warehouse_archived, (listings.archive_listings,)),
    (rate_recorded, (listings.rerank_prices,)),
    # accounts
    (user_suspended, (audit.record_suspension,)),
    (user_reinstated, (audit.record_reinstatement,)),
    (login_locked, (notifications.tell_login_locked, metrics.count_login_locked)),
)  # fmt: skip


def connect_receivers() -> None:
    """Connect every receiver and register every handler. Each app made in a process calls
    it; connecting again changes nothing (blinker keeps one connection per receiver)."""
    for signal, receivers in RECEIVERS:
        for receiver in receivers:
            signal.connect(receiver, weak=False)
    escrow_hooks.applies_card_payments_for("transfer")(transfer_cards.record_price_paid_by_card)
    escrow_hooks.freezes_escrow(disputes.disputed)
    escrow_hooks.finds_settlement(disputes.settling_dispute)
