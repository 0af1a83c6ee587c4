"""localstripe (a fake Stripe API) for the payment-gateway tests, on 127.0.0.1 only.

localstripe's own entry point listens on every interface and pickles its store to
/tmp/localstripe.pickle after each write, so a small script builds its aiohttp app instead:
the store stays in memory and the socket is bound to loopback on a free port, which the
script prints before serving. It also lets PaymentIntents carry `setup_future_usage`, which
localstripe refuses as unknown.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import stripe

from tests.conftest import skip_or_fail
from warehouse_exchange.adapters.stripe_gateway import build_gateway

LOCALSTRIPE_API_KEY = "sk_test_localstripe"

_SERVER_SCRIPT = """
import socket
from aiohttp import web
from localstripe import resources
resources.Store.dump_to_disk = lambda self: None
# Stripe saves the card of a PaymentIntent made with setup_future_usage; localstripe does
# not know the parameter (its charges of a saved card need no attachment): drop it.
_create = resources.PaymentIntent._api_create.__func__
resources.PaymentIntent._api_create = classmethod(
    lambda cls, setup_future_usage=None, **data: _create(cls, **data)
)
from localstripe.server import app
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
web.run_app(app, sock=sock, print=None, handle_signals=True)
"""


def _wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 20) -> None:
    request = urllib.request.Request(
        f"{url}/v1/customers", headers={"Authorization": f"Bearer {LOCALSTRIPE_API_KEY}"}
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise RuntimeError(f"localstripe did not answer at {url} within {timeout} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """Base address of a localstripe server that lives for the whole test session."""
    if importlib.util.find_spec("localstripe") is None:
        skip_or_fail("localstripe is not installed (pip install -e '.[dev]')")
    log_path = tmp_path_factory.mktemp("localstripe") / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", _SERVER_SCRIPT],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        port = process.stdout.readline().strip()
        if not port:
            raise RuntimeError(f"localstripe did not start; see {log_path}")
        url = f"http://127.0.0.1:{port}"
        _wait_until_answering(url, process)
        yield url
    finally:
        _stop(process)
        process.stdout.close()


API_KEY = "sk_test_cards"
WEBHOOK_SECRET = "whsec_cards"


@pytest.fixture
def cards(app, localstripe_url):
    """The app switched to card payments through localstripe, for one test; the client is
    what a browser's Stripe.js (or a test standing in for it) talks to."""
    settings = {
        "PAYMENT_METHOD": "stripe",
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe_url,
    }
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)
    app.extensions["payment_gateway"] = build_gateway(app.config)
    yield stripe.StripeClient(API_KEY, base_addresses={"api": localstripe_url})
    app.config.update(saved)
    app.extensions["payment_gateway"] = None
