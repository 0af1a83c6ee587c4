"""One log line per request and per job run, and a request id that ties them together.

Each request gets an id: the proxy's `X-Request-ID` when it looks like one, else a new one. It
is sent back in the `X-Request-ID` header, written on every log line made while the request
runs, and shown on the error page, so a user's "it failed" leads to its log lines.

LOG_FORMAT "json" (production) writes every log record as one JSON object per line to stderr
(python-json-logger), for a log shipper; "text" leaves logging as Python and the development
server set it, readable by a person."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

log = logging.getLogger("warehouse_exchange.requests")

HEADER = "X-Request-ID"
ENVIRON_KEY = "warehouse_exchange.request_id"
STARTED_KEY = "warehouse_exchange.request_started"
#: what a proxy's id may look like: a uuid, a hex or base64ish token; nothing that could
#: forge a log line or an HTML page
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}")


def current_request_id() -> str:
    if not has_request_context():
        return ""
    # kept with the request, not in g: g belongs to the app context, which may outlive it
    environ = request.environ
    if ENVIRON_KEY not in environ:
        offered = request.headers.get(HEADER, "")
        environ[ENVIRON_KEY] = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex
    return environ[ENVIRON_KEY]


class RequestIdFilter(logging.Filter):
    """Every record made during a request names it, whichever logger made it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or None
        return True


def _start() -> None:
    current_request_id()
    request.environ[STARTED_KEY] = time.perf_counter()


def request_seconds() -> float | None:
    """How long the current request has run, from the first of its hooks (the log line and
    the latency metric read the same clock)."""
    started = request.environ.get(STARTED_KEY)
    return time.perf_counter() - started if started is not None else None


def _log_request(response):
    response.headers[HEADER] = current_request_id()
    seconds = request_seconds()
    duration_ms = round(seconds * 1000, 1) if seconds is not None else None
    user = g.get("_login_user")  # Flask-Login's, when the request loaded one: no query here
    fields = {
        "method": request.method,
        "path": request.path,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": duration_ms,
        "user_id": getattr(user, "id", None),
        "remote_addr": request.remote_addr,
    }
    log.info(
        "%s %s %s %s ms", request.method, request.path, response.status_code, duration_ms,
        extra=fields,
    )  # fmt: skip
    return response


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "{levelname}{name}{message}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
    )


def _is_ours(handler: logging.Handler) -> bool:
    return getattr(handler, "warehouse_exchange", False)


def configure(app: Flask) -> None:
    """JSON lines on the root logger (once per process: tests make many apps)."""
    log_format = app.config.get("LOG_FORMAT", "text")
    if log_format not in ("json", "text"):
        raise RuntimeError(f'LOG_FORMAT must be "json" or "text", not {log_format!r}')
    if log_format != "json":
        return
    root = logging.getLogger()
    if not any(_is_ours(handler) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.warehouse_exchange = True
        handler.setFormatter(json_formatter())
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.removeHandler(default_handler)  # Flask's own plain-text handler


def register(app: Flask) -> None:
    configure(app)
    # first of the hooks, so that a hook that fails (the database down) still has an id
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_log_request)
    app.context_processor(lambda: {"request_id": current_request_id})
