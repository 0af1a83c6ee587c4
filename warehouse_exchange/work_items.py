"""Jobs work item by item, one transaction each. An item that fails is rolled back, logged and
retried on the next run; the job's run record counts it, so operators see it in the console."""

from __future__ import annotations

import logging

from flask import g, has_app_context

log = logging.getLogger(__name__)


def item_failed(description: str) -> None:
    """Call from an `except` block, after rolling the item's transaction back."""
    log.exception("%s could not be processed", description)
    if has_app_context():
        g.setdefault("failed_items", []).append(description)


def item_not_done(description: str) -> None:
    """Count an item that failed in a way the caller expects and has logged itself (a mail
    server that refused): no traceback, but the run's record counts it all the same."""
    if has_app_context():
        g.setdefault("failed_items", []).append(description)


def failed_items() -> list[str]:
    """The items that failed in this app context so far, forgotten once read."""
    return g.pop("failed_items", []) if has_app_context() else []
