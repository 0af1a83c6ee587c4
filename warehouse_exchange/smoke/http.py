"""A small HTTP client for the smoke run: one keep-alive connection per instance, a client
address of its own (sent as X-Forwarded-For, which the instances trust from one proxy), its
own cookies, and every answer counted in a shared Tally by kind."""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from time import monotonic, perf_counter, sleep
from urllib.parse import urlencode

TIMEOUT = 60
#: how long a read is tried again while its connections die
READ_PATIENCE = 120
#: the status recorded for a request whose connection died without an answer
DROPPED = 0
#: kinds whose 503 is an answer, not an error: readiness while Redis is stopped
PROBES = frozenset({"readyz"})
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Tally:
    """Every answer by kind of request: statuses, latencies and the first server errors."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    server_errors: list[str] = field(default_factory=list)
    #: the first refusal (4xx) of each kind and status, to tell what was refused and why
    refusals: dict[tuple[str, int], str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, answer: Answer, where: str) -> None:
        status = answer.status
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1
            if status >= 500 and kind not in PROBES and len(self.server_errors) < 20:
                self.server_errors.append(f"{status} {where}: {answer.body[:200]!r}")
            if 400 <= status < 500:
                self.refusals.setdefault((kind, status), answer.body[:300].decode(errors="replace"))

    def count(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def dropped(self) -> int:
        return sum(counts[DROPPED] for counts in self.statuses.values())

    def errors(self) -> int:
        return sum(
            n
            for kind, counts in self.statuses.items()
            if kind not in PROBES
            for status, n in counts.items()
            if status >= 500
        )


class Client:
    def __init__(self, port: int, address: str, tally: Tally, token: str | None = None):
        self.port, self.address, self.tally, self.token = port, address, tally, token
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def request(self, kind: str, method: str, path: str, *, body=None, form=None,
                files=None, query=None, token: str | None = None) -> Answer:  # fmt: skip
        headers = {"X-Forwarded-For": self.address}
        bearer = token or self.token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        payload = _encode(headers, body, form, files)
        target = f"{path}?{urlencode(query, doseq=True)}" if query else path
        started = perf_counter()
        answer = self._send(method, target, payload, headers)
        self.tally.add(kind, perf_counter() - started, answer, f"{method} {target}")
        return answer

    def _send(self, method: str, target: str, payload, headers: dict) -> Answer:
        """A kept-alive connection the server closed is opened again once. A read is safe to
        repeat: like a person reloading the page, it is tried again until READ_PATIENCE
        seconds have gone, while workers are killed under it."""
        give_up = monotonic() + (READ_PATIENCE if method == "GET" else 0)
        attempt = 0
        while True:
            attempt += 1
            answer = self._attempt(method, target, payload, headers)
            if answer.status != DROPPED or (attempt >= 2 and monotonic() >= give_up):
                return answer
            if attempt >= 2:
                sleep(0.5)

    def _attempt(self, method: str, target: str, payload, headers: dict) -> Answer:
        if self._connection is None:
            self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            self._connection.request(method, target, payload, headers)
            response = self._connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            # a worker killed mid-request, or a kept-alive connection closed while idle
            self.close()
            return Answer(DROPPED, {}, b"")
        self._keep_cookies(response)
        return Answer(response.status, dict(response.getheaders()), body)

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        # The instances run the production configuration, whose cookies are Secure; this
        # client speaks plain HTTP to 127.0.0.1 and keeps them anyway.
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def log_in(self, email: str, password: str) -> Answer:
        """Log in through the page, as a browser does: its form, its CSRF token."""
        page = self.request("log-in page", "GET", "/login")
        token = CSRF_FIELD.search(page.body.decode())
        form = {"email": email, "password": password, "csrf_token": token.group(1) if token else ""}
        return self.request("log-in page", "POST", "/login", form=form)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _encode(headers: dict, body, form, files) -> bytes | None:
    if body is not None:
        headers["Content-Type"] = "application/json"
        return json.dumps(body).encode()
    if files:
        boundary = "wx-smoke-boundary-7c1f"
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        return _multipart(boundary, form or {}, files)
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return urlencode(form).encode()
    return None


def _multipart(boundary: str, form: dict, files: dict[str, tuple[str, str, bytes]]) -> bytes:
    parts = []
    for name, value in form.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())  # fmt: skip
    for name, (filename, content_type, data) in files.items():
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n')  # fmt: skip
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()
