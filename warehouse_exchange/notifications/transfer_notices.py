"""What the parties to a transfer hear at each step. Each notice joins the transaction of
the step it tells about."""

from __future__ import annotations

from datetime import datetime

from ..transfers.models import Transfer
from .messages import Message
from .services import notify


def _link(transfer: Transfer) -> str:
    # a plain path: the expiry job runs without a request
    return f"/transfers/{transfer.id}"


def _what(transfer: Transfer) -> str:
    return (
        f"{transfer.quantity} units of lease #{transfer.booking_id} at “{transfer.listing.title}”"
        f" from {transfer.effective_date}"
    )


def _owner(transfer: Transfer) -> int:
    return transfer.listing.warehouse.organization_id


def _tell(organization_ids, transfer: Transfer, kind: str, subject: str, body: str, now):
    key = f"transfer:{transfer.id}:{transfer.state}"  # a transfer never enters a state twice
    for organization_id in dict.fromkeys(organization_ids):
        if organization_id is not None and organization_id not in _acting(transfer):
            notify(organization_id, Message(kind, subject, body), _link(transfer), key, now)


def _acting(transfer: Transfer) -> tuple[int, ...]:
    """The party that took the step hears nothing of it (the tenant withdrawing)."""
    return (transfer.tenant_id,) if transfer.state == "withdrawn" else ()


def offered(transfer: Transfer, *, now: datetime, **_) -> None:
    _tell(
        [_owner(transfer)], transfer, "transfer_offered",
        f"Lease #{transfer.booking_id} offered for transfer",
        f"{transfer.tenant.name} offers {_what(transfer)} for {transfer.price}."
        + (" You will be asked to approve the taker." if transfer.consent_required else ""),
        now,
    )  # fmt: skip


def requested(transfer: Transfer, *, now: datetime, **_) -> None:
    ask = " Approve or refuse the new tenant." if transfer.consent_required else ""
    _tell(
        [transfer.tenant_id, _owner(transfer)], transfer, "transfer_requested",
        f"{transfer.taker.name} asks to take over lease #{transfer.booking_id}",
        f"{transfer.taker.name} asks to take over {_what(transfer)}.{ask}",
        now,
    )  # fmt: skip


def answered(transfer: Transfer, *, now: datetime, **_) -> None:
    verdict = "approved" if transfer.state == "owner_approved" else "refused"
    why = f" Reason: {transfer.reason}" if verdict == "refused" else " The taker may now pay."
    _tell(
        [transfer.tenant_id, transfer.taker_id], transfer, "transfer_answered",
        f"The owner {verdict} the transfer of lease #{transfer.booking_id}",
        f"The owner {verdict} the transfer of {_what(transfer)} to {transfer.taker.name}.{why}",
        now,
    )  # fmt: skip


def completed(transfer: Transfer, *, now: datetime, **_) -> None:
    _tell(
        [transfer.tenant_id, transfer.taker_id, _owner(transfer)], transfer,
        "transfer_completed", f"Lease #{transfer.booking_id} transferred",
        f"{_what(transfer)} now belong to {transfer.taker.name} (lease"
        f" #{transfer.new_booking_id}); the price was paid into escrow.",
        now,
    )  # fmt: skip


def ended(transfer: Transfer, *, now: datetime, **_) -> None:
    how = "withdrawn by the tenant" if transfer.state == "withdrawn" else "expired"
    _tell(
        [transfer.tenant_id, transfer.taker_id, _owner(transfer)], transfer, "transfer_ended",
        f"Transfer of lease #{transfer.booking_id} {how}",
        f"The transfer of {_what(transfer)} was {how}.",
        now,
    )  # fmt: skip
