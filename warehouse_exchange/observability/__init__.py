"""What a load balancer, Prometheus and a log shipper see of a running process: health and
readiness checks, metrics, request ids and structured logs."""

from __future__ import annotations

#: blueprints whose views must not wait for the database before they run (the demo clock's
#: per-request read): a liveness probe does no I/O, a readiness probe reports a dead database
#: as a 503 of its own rather than failing in a hook
UNHOOKED_BLUEPRINTS = frozenset({"health", "metrics"})


def register(app) -> None:
    from . import health, logs, metrics

    logs.register(app)
    health.register(app)
    metrics.register(app)
