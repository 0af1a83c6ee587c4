"""Pure rules of transfers: the state machine, the payment reference, and how the money and
the rest of the lease are shared."""

from __future__ import annotations

import re

from ..errors import Conflict
from ..money import allocate

STATES = ("offered", "requested", "owner_approved", "completed", "withdrawn", "refused", "expired")
#: states in which the transfer still claims the lease's days from the effective day on
OPEN_STATES = ("offered", "requested", "owner_approved")

#: state -> states it may move to
TRANSITIONS: dict[str, set[str]] = {
    "offered": {"requested", "withdrawn", "expired"},
    "requested": {"owner_approved", "completed", "refused", "withdrawn", "expired"},
    "owner_approved": {"completed", "withdrawn", "expired"},
    "completed": set(),
    "withdrawn": set(),
    "refused": set(),
    "expired": set(),
}


def check_transition(current: str, wanted: str) -> None:
    if wanted not in TRANSITIONS[current]:
        allowed = sorted(state for state, targets in TRANSITIONS.items() if wanted in targets)
        raise Conflict(
            f"A transfer cannot become {wanted} from {current}; "
            f"only {' or '.join(allowed) or 'no'} transfers can."
        )


def payable_state(consent_required: bool) -> str:
    """The state in which the taker pays: after the owner's approval when it is needed."""
    return "owner_approved" if consent_required else "requested"


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
