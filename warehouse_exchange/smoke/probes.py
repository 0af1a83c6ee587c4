"""The smoke run's probes after the traffic: one log-in limit across both instances, and
readiness that follows Redis down and back while pages that need no Redis keep answering."""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic, sleep

from .checks import Check
from .http import Client, Tally
from .processes import Service

LOGIN_LIMIT = 10
READINESS_WAIT = 15


@dataclass(frozen=True)
class RedisOutage:
    seconds_to_not_ready: float | None
    seconds_to_ready: float | None
    answers_while_down: dict[str, int]


def login_limit(ports: list[int], tally: Tally) -> Check:
    """Wrong passwords from one address, alternating between the instances: the first ten are
    refused as wrong, the next one is throttled whichever instance receives it. Each uses
    another unknown email, so that only the per-address limit can throttle."""
    clients = [Client(port, "203.0.113.9", tally) for port in ports]
    statuses = []
    for attempt in range(LOGIN_LIMIT + 2):
        body = {"email": f"nobody{attempt}@smoke.example", "password": "wrong-password-123",
                "name": "smoke"}  # fmt: skip
        answer = clients[attempt % 2].request("wrong log-in", "POST", "/api/v1/tokens", body=body)
        statuses.append(answer.status)
    holds = all(s == 401 for s in statuses[:LOGIN_LIMIT]) and statuses[LOGIN_LIMIT:] == [429, 429]
    return Check("the 11th wrong log-in refused on either instance", f"answers {statuses}", holds)


def redis_outage(redis: Service, ports: list[int], tally: Tally) -> tuple[list[Check], Service]:
    """Stop Redis, wait for both instances to say they are not ready, check that search and
    the home page still answer, start Redis again on its port and wait for readiness."""
    clients = [Client(port, "203.0.113.20", tally) for port in ports]
    redis.stop()
    stopped = monotonic()
    not_ready = _wait_for(clients, 503)
    down = _while_down(clients)
    restarted = Service(redis.name, redis.command, redis.environment, redis.port).start()
    back = monotonic()
    ready = _wait_for(clients, 200)
    outage = RedisOutage(
        None if not_ready is None else not_ready - stopped,
        None if ready is None else ready - back,
        down,
    )
    return _outage_checks(outage), restarted


def _wait_for(clients: list[Client], status: int) -> float | None:
    """When every instance's /readyz answered `status`, or None after READINESS_WAIT s."""
    deadline = monotonic() + READINESS_WAIT
    while monotonic() < deadline:
        if all(c.request("readyz", "GET", "/readyz").status == status for c in clients):
            return monotonic()
        sleep(0.25)
    return None


def _while_down(clients: list[Client]) -> dict[str, int]:
    answers = {}
    for number, client in enumerate(clients):
        answers[f"search on instance {number + 1}"] = client.request(
            "search", "GET", "/api/v1/search", query={"lat": 51.92, "lon": 4.48}
        ).status
        answers[f"home page on instance {number + 1}"] = client.request(
            "home page", "GET", "/"
        ).status
    return answers


def _outage_checks(outage: RedisOutage) -> list[Check]:
    def seconds(value: float | None) -> str:
        return "never" if value is None else f"after {value:.1f} s"

    return [
        Check("/readyz fails when Redis stops", seconds(outage.seconds_to_not_ready),
              outage.seconds_to_not_ready is not None),
        Check("search and home page answer while Redis is down",
              ", ".join(f"{k}: {v}" for k, v in outage.answers_while_down.items()),
              all(status == 200 for status in outage.answers_while_down.values())),
        Check("/readyz recovers when Redis is back", seconds(outage.seconds_to_ready),
              outage.seconds_to_ready is not None),
    ]  # fmt: skip
