"""Scheduler job of transfers: offers and requests not completed before their effective day
lapse."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..unit_of_work import locked_row
from ..work_items import item_failed
from .commands import move_transfer
from .models import Transfer
from .rules import (
    OPEN_STATES,
    TransferState,
)
from .signals import transfer_ended


def expire_transfers(now: datetime) -> int:
    """Offers and requests not completed before their effective day lapse, each in its own
    transaction (a runner skips one another runner holds). Returns how many expired."""
    today = now.date()
    due = db.session.scalars(
        select(Transfer.id).where(Transfer.state.in_(OPEN_STATES), Transfer.effective_date <= today)
    ).all()
    db.session.rollback()
    expired = 0
    for transfer_id in due:
        try:
            transfer = locked_row(
                select(Transfer).where(
                    Transfer.id == transfer_id,
                    Transfer.state.in_(OPEN_STATES),
                    Transfer.effective_date <= today,
                ),
                skip_locked=True,
            )
            if transfer is not None:
                move_transfer(
                    transfer,
                    TransferState.EXPIRED,
                    None,
                    now,
                    "Not completed before the effective day",
                )
                transfer_ended.send(transfer, now=now)
                expired += 1
            db.session.commit()
        except Exception:  # one bad item must not stop the run; it is retried next time
            db.session.rollback()
            item_failed(f"Transfer {transfer_id}")
    return expired
