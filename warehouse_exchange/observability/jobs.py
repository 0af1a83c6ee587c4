"""What each scheduled job run leaves for monitoring: counters, and one log line."""

from __future__ import annotations

import logging
import time

from . import metrics

log = logging.getLogger("warehouse_exchange.jobs")


def job_run_finished(
    job: str,
    clock_started: float,
    failed: int,
    changed: int | None = None,
    error: BaseException | None = None,
) -> None:
    """Count the run and log it: `failed` items could not be processed (retried next run)."""
    seconds = time.perf_counter() - clock_started
    metrics.count_job_run(job, seconds, failed, error)
    fields = {
        "job": job,
        "outcome": "failed" if error is not None else "ok",
        "changed": changed,
        "failed_items": failed,
        "duration_ms": round(seconds * 1000, 1),
    }
    if error is not None:
        fields["error"] = f"{type(error).__name__}: {error}"[:500]
        log.error("%s failed after %.0f ms: %s", job, seconds * 1000, fields["error"], extra=fields)
    else:
        log.info("%s: %s item(s) changed, %d failed", job, changed, failed, extra=fields)
