"""Pure rules of transfers: the state machine, the payment reference, and how the money and
the rest of the lease are shared."""

from __future__ import annotations

import enum
import re

from ..money import allocate
from ..state_machine import StateMachine


class TransferState(enum.StrEnum):
    OFFERED = "offered"
    REQUESTED = "requested"
    OWNER_APPROVED = "owner_approved"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"
    EXPIRED = "expired"


#: states in which the transfer still claims the lease's days from the effective day on
OPEN_STATES = (TransferState.OFFERED, TransferState.REQUESTED, TransferState.OWNER_APPROVED)
#: states in which the transfer ended without completing
ABANDONED_STATES = (TransferState.WITHDRAWN, TransferState.REFUSED, TransferState.EXPIRED)

#: state -> states it may move to
TRANSITIONS: dict[TransferState, frozenset[TransferState]] = {
    TransferState.OFFERED: frozenset(
        {TransferState.REQUESTED, TransferState.WITHDRAWN, TransferState.EXPIRED}
    ),
    TransferState.REQUESTED: frozenset(
        {
            TransferState.OWNER_APPROVED,
            TransferState.COMPLETED,
            TransferState.REFUSED,
            TransferState.WITHDRAWN,
            TransferState.EXPIRED,
        }
    ),
    TransferState.OWNER_APPROVED: frozenset(
        {TransferState.COMPLETED, TransferState.WITHDRAWN, TransferState.EXPIRED}
    ),
    TransferState.COMPLETED: frozenset(),
    TransferState.WITHDRAWN: frozenset(),
    TransferState.REFUSED: frozenset(),
    TransferState.EXPIRED: frozenset(),
}
TRANSFER_MACHINE = StateMachine(
    TransferState,
    TRANSITIONS,
    lambda current, wanted, allowed: (
        f"A transfer cannot become {wanted} from {current}; only {allowed} transfers can."
    ),
)


def payable_state(consent_required: bool) -> TransferState:
    """The state in which the taker pays: after the owner's approval when it is needed."""
    return TransferState.OWNER_APPROVED if consent_required else TransferState.REQUESTED


#: WT, the transfer's id in 7 digits, 2 check digits (a booking's references begin with WX)
REFERENCE = re.compile(r"^WT(\d{7})(\d{2})$")


def _check_digits(number: int) -> int:
    """ISO 7064 MOD 97-10, as bookings' references: a mistyped or swapped digit is caught."""
    return 98 - (number * 100) % 97


def transfer_reference(transfer_id: int) -> str:
    return f"WT{transfer_id:07d}{_check_digits(transfer_id):02d}"


def is_transfer_reference(reference: str) -> bool:
    """Whether the reference is meant as a transfer's (WT…), even mistyped: it is then
    checked as one, and a mistake is reported as a transfer reference's."""
    return re.sub(r"[\s-]", "", reference or "").upper().startswith("WT")


def transfer_id_of(reference: str) -> int | None:
    match = REFERENCE.match(re.sub(r"[\s-]", "", reference or "").upper())
    if not match or _check_digits(int(match[1])) != int(match[2]):
        return None
    return int(match[1])


def split_price(price_minor: int, fee_bp: int) -> tuple[int, int]:
    """(what the tenant is owed, the platform's fee): shares that add up to the price."""
    to_tenant, fee = allocate(price_minor, [10_000 - fee_bp, fee_bp])
    return to_tenant, fee


def split_escrow(value_minor: int, taken: int, kept: int) -> tuple[int, int]:
    """The escrow of the days handed on, shared by units between the taker and the tenant."""
    if kept == 0:
        return value_minor, 0
    taker, tenant = allocate(value_minor, [taken, kept])
    return taker, tenant
