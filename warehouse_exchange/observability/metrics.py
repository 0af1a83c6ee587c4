"""Prometheus metrics at `/metrics`: requests by endpoint, what the marketplace does (from the
areas' signals) and what the scheduler runs, plus money held in escrow read from the ledger
when scraped.

Gunicorn runs several worker processes, each with its own counters; with
PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets it) every process writes its counts into
files there and a scrape of any worker adds them all up. Counters from signals count what
was announced: a use case that fails after announcing is still counted.

`/metrics` is not public: it answers only to METRICS_ALLOWED_ADDRESSES (addresses or
networks) or to `Authorization: Bearer METRICS_TOKEN`; anyone else gets a 404."""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import os

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from ..extensions import db, limiter
from .logs import request_seconds

bp = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "wx_http_requests", "HTTP requests answered", ["method", "endpoint", "status"]
)
HTTP_LATENCY = Histogram(
    "wx_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BOOKING_MOVES = Counter(
    "wx_booking_moves", "Bookings moved from one state to another", ["from_state", "to_state"]
)
BOOKING_REQUESTS = Counter("wx_booking_requests", "Booking requests made (not instant bookings)")
REFUNDS_DUE = Counter("wx_refunds_due", "Refunds that became owed to tenants", ["currency"])
RELEASES = Counter("wx_escrow_releases", "Instalments released from escrow", ["currency"])
RELEASED_MINOR = Counter(
    "wx_escrow_released_minor", "Money released from escrow, minor units", ["currency"]
)
RESERVE_COVERS = Counter(
    "wx_reserve_covered_instalments",
    "Missed instalments paid to owners from the guarantee reserve",
    ["currency"],
)
CARD_CHARGES_FAILED = Counter("wx_card_charges_failed", "Saved-card charges the gateway refused")
CHECK_INS = Counter("wx_goods_checked_in", "Leases whose goods were first checked in")
DISPUTES_OPENED = Counter("wx_disputes_opened", "Disputes opened")
DISPUTES_DECIDED = Counter("wx_disputes_decided", "Disputes decided")
LOGIN_LOCKOUTS = Counter("wx_login_lockouts", "Log-ins locked after repeated failures")
JOB_RUNS = Counter("wx_job_runs", "Scheduled job runs", ["job", "outcome"])
JOB_FAILED_ITEMS = Counter(
    "wx_job_failed_items", "Items a job could not process (retried next run)", ["job"]
)
JOB_DURATION = Histogram(
    "wx_job_duration_seconds",
    "How long a scheduled job ran",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)


# --- receivers -------------------------------------------------------------------------


def _never_fails(receiver):
    """Receivers run inside the sender's unit of work, where an error undoes the use case:
    a counter must never cost a booking or a release."""

    @functools.wraps(receiver)
    def counted(*args, **kwargs):
        try:
            receiver(*args, **kwargs)
        except Exception:
            log.exception("metrics receiver %s failed", receiver.__name__)

    return counted


@_never_fails
def count_booking_moved(_booking, from_state=None, to_state=None, **_):
    BOOKING_MOVES.labels(str(from_state), str(to_state)).inc()


@_never_fails
def count_booking_requested(_booking, **_):
    BOOKING_REQUESTS.inc()


@_never_fails
def count_refund_due(refund, **_):
    REFUNDS_DUE.labels(refund.currency).inc()


@_never_fails
def count_instalment_released(instalment, **_):
    RELEASES.labels(instalment.currency).inc()
    RELEASED_MINOR.labels(instalment.currency).inc(instalment.amount_minor)


@_never_fails
def count_instalment_covered(instalment, **_):
    RESERVE_COVERS.labels(instalment.currency).inc()


@_never_fails
def count_card_charge_failed(_payment, **_):
    CARD_CHARGES_FAILED.inc()


@_never_fails
def count_goods_checked_in(_booking, **_):
    CHECK_INS.inc()


@_never_fails
def count_dispute_opened(_dispute, **_):
    DISPUTES_OPENED.inc()


@_never_fails
def count_dispute_decided(_dispute, **_):
    DISPUTES_DECIDED.inc()


@_never_fails
def count_login_locked(_user, **_):
    LOGIN_LOCKOUTS.inc()


def count_job_run(job: str, seconds: float, failed_items: int, error: BaseException | None):
    JOB_RUNS.labels(job, "failed" if error is not None else "ok").inc()
    JOB_DURATION.labels(job).observe(seconds)
    if failed_items:
        JOB_FAILED_ITEMS.labels(job).inc(failed_items)


# --- requests --------------------------------------------------------------------------


def _count_request(response):
    endpoint = request.endpoint or "unmatched"  # unknown paths must not make new series
    HTTP_REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    seconds = request_seconds()
    if seconds is not None:
        HTTP_LATENCY.labels(request.method, endpoint).observe(seconds)
    return response


# --- the scrape ------------------------------------------------------------------------


class LedgerCollector:
    """Figures read from the database when scraped, the same whichever process answers: escrow
    held per currency, outbox emails by state, bank receipts and webhook events."""

    def collect(self):
        """With the database down the process's own counters still answer; a gauge says
        whether these figures could be read."""
        readable = GaugeMetricFamily(
            "wx_database_figures_up", "Whether the figures read from the database could be read"
        )
        try:
            families = list(self._read())
        except Exception:
            log.warning("metrics: the database figures could not be read", exc_info=True)
            db.session.rollback()
            families = []
        readable.add_metric([], 1 if families else 0)
        yield readable
        yield from families

    def _read(self):
        from ..escrow.models import BankReceipt, GatewayEvent
        from ..ledger.models import LedgerAccount, LedgerEntry
        from ..notifications.models import OutboxEmail

        held = GaugeMetricFamily(
            "wx_escrow_held_minor",
            "Money held in tenants' escrow accounts, minor units",
            labels=["currency"],
        )
        rows = db.session.execute(
            select(LedgerAccount.currency, func.sum(LedgerEntry.amount_minor))
            .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
            .where(LedgerAccount.kind == "tenant_escrow")
            .group_by(LedgerAccount.currency)
        )
        for currency, total in rows:
            held.add_metric([currency], int(total or 0))
        yield held
        emails = GaugeMetricFamily(
            "wx_outbox_emails",
            "Notification emails by state (pending, sent, failed)",
            labels=["state"],
        )
        for state, count in db.session.execute(
            select(OutboxEmail.state, func.count()).group_by(OutboxEmail.state)
        ):
            emails.add_metric([state], count)
        yield emails
        # rows that are never deleted, so their counts only grow, whichever process recorded them
        receipts = CounterMetricFamily(
            "wx_bank_receipts", "Bank transfers recorded into escrow", labels=["currency"]
        )
        for currency, count in db.session.execute(
            select(BankReceipt.currency, func.count()).group_by(BankReceipt.currency)
        ):
            receipts.add_metric([currency], count)
        yield receipts
        webhooks = CounterMetricFamily(
            "wx_gateway_events",
            "Payment gateway webhook events applied",
            labels=["gateway", "type"],
        )
        for gateway, kind, count in db.session.execute(
            select(GatewayEvent.gateway, GatewayEvent.type, func.count()).group_by(
                GatewayEvent.gateway, GatewayEvent.type
            )
        ):
            webhooks.add_metric([gateway, kind], count)
        yield webhooks


class _Together:
    def __init__(self, *sources):
        self.sources = sources

    def collect(self):
        for source in self.sources:
            yield from source.collect()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def process_counters() -> CollectorRegistry:
    """This process's counters, or, in multiprocess mode, every process's added up."""
    if not multiprocess_dir():
        return REGISTRY
    counters = CollectorRegistry()
    multiprocess.MultiProcessCollector(counters)
    return counters


def scrape() -> bytes:
    try:
        return generate_latest(_Together(process_counters(), LedgerCollector()))
    finally:
        db.session.rollback()


def _may_scrape() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        offered = request.headers.get("Authorization", "").encode()
        if hmac.compare_digest(offered, f"Bearer {token}".encode()):
            return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in _allowed_networks(current_app.config))


def _allowed_networks(config) -> list:
    allowed = config.get("METRICS_ALLOWED_ADDRESSES") or ()
    if isinstance(allowed, str):
        allowed = [part.strip() for part in allowed.split(",") if part.strip()]
    return [ipaddress.ip_network(entry, strict=False) for entry in allowed]


def serve_alone(port: int) -> None:
    """For a process that serves no web pages (the scheduler): its counters on 127.0.0.1."""
    from prometheus_client import start_http_server

    start_http_server(port, addr="127.0.0.1", registry=process_counters())


@bp.get("/metrics")
def metrics():
    if not _may_scrape():
        abort(404)  # the page is not there for the public, not forbidden
    return Response(scrape(), mimetype=CONTENT_TYPE_LATEST)


def register(app: Flask) -> None:
    _allowed_networks(app.config)  # a mistyped network fails at start, not at the first scrape
    app.after_request(_count_request)  # timed from logs' first hook, so the others count
    app.register_blueprint(bp)
    limiter.exempt(bp)
