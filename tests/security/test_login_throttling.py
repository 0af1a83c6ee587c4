"""Password guessing is throttled per email address (whatever the client's address, shared by
every worker through the database) and per client address (shared through Redis); a failed
log-in takes as long whether or not the email has an account."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.concurrency_support import isolated_app, run_at_once
from tests.databases import migrated_sqlite_database, skip_or_fail
from tests.factories import PASSWORD, UserFactory
from tests.helpers import app_with
from warehouse_exchange.accounts.models import LoginThrottle
from warehouse_exchange.accounts.services import authenticate, invite_member
from warehouse_exchange.accounts.throttling import LoginLocked, forget_stale_failures
from warehouse_exchange.errors import Unauthorized
from warehouse_exchange.extensions import db
from warehouse_exchange.notifications.models import OutboxEmail

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("WX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LOCKED = "Too many failed log-ins with this email address"


@pytest.fixture
def lockout_after_3(app, monkeypatch):
    """Three failures within 15 minutes lock log-in for 15 minutes."""
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_FAILURES", 3)
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_WINDOW_MINUTES", 15)
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_MINUTES", 15)
    return app


def log_in(client, email: str, password: str, address: str = "198.51.100.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def api_log_in(client, email: str, password: str, address: str = "198.51.100.1"):
    return client.post(
        "/api/v1/tokens",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def lockout_emails(user) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(
                OutboxEmail.to_address == user.email, OutboxEmail.notification_id.is_(None)
            )
        )
    )


# --- per account: whatever the client's address ---------------------------------------------


def test_wrong_passwords_from_many_addresses_lock_the_account(client, owner, lockout_after_3):
    """The finding: each guess came from another address, so the per-address limit never
    fired and every guess was tried. Now the third failure locks the account itself."""
    codes = [
        log_in(client, owner.email, f"guess-{n}", f"203.0.113.{n}").status_code for n in range(3)
    ]
    assert codes == [422, 422, 429]

    right = log_in(client, owner.email, PASSWORD, "192.0.2.99")
    assert right.status_code == 429 and LOCKED in right.get_data(as_text=True)
    assert 14 * 60 < int(right.headers["Retry-After"]) <= 15 * 60
    assert not logged_in(client)

    [email] = lockout_emails(owner)
    assert email.state == "pending" and "paused" in email.subject
    assert owner.email in email.text_body and "UTC" in email.text_body
    for n in range(5):  # more tries while locked: still one email
        log_in(client, owner.email, f"again-{n}", f"198.51.100.{n}")
    assert len(lockout_emails(owner)) == 1


def test_the_api_token_endpoint_counts_and_refuses_alike(client, owner, lockout_after_3):
    """Guesses split between the page and the API count together; the API answers 429 with
    its usual error body, even to the right password."""
    assert api_log_in(client, owner.email, "guess-1").status_code == 401
    assert log_in(client, owner.email, "guess-2").status_code == 422
    assert api_log_in(client, owner.email, "guess-3").status_code == 429

    response = api_log_in(client, owner.email, PASSWORD, "192.0.2.7")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "too_many_requests"
    assert LOCKED in response.json["error"]["message"]
    assert "token" not in response.json
    assert len(lockout_emails(owner)) == 1


def test_case_and_space_variants_of_the_email_are_one_account(client, lockout_after_3):
    owner = UserFactory(email="owner@example.com")
    for variant in ("Owner@Example.com", "OWNER@EXAMPLE.COM", " owner@example.com "):
        log_in(client, variant, "wrong-password")
    assert log_in(client, "owner@example.com", PASSWORD).status_code == 429
    assert len(lockout_emails(owner)) == 1


def test_an_unknown_email_is_locked_with_the_same_answer(client, owner, lockout_after_3):
    """Locking only registered addresses would tell which ones are."""
    answers = {}
    for email in (owner.email, "nobody-here@example.com"):
        for n in range(3):
            response = log_in(client, email, f"guess-{n}", f"203.0.113.{n}")
        answers[email] = (response.status_code, response.get_data(as_text=True))
    assert answers[owner.email] == answers["nobody-here@example.com"]
    assert answers[owner.email][0] == 429
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 1


def test_the_lock_ends_and_a_success_resets_the_count(app, owner, lockout_after_3):
    start = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)

    def fail(at: datetime) -> None:
        with pytest.raises(Unauthorized):
            authenticate(owner.email, "wrong-password", at)

    fail(start)
    fail(start + timedelta(minutes=1))
    assert authenticate(owner.email, PASSWORD, start + timedelta(minutes=2)) == owner
    fail(start + timedelta(minutes=3))
    fail(start + timedelta(minutes=4))  # two since the success: not yet three
    with pytest.raises(LoginLocked):
        authenticate(owner.email, "wrong-password", start + timedelta(minutes=5))
    with pytest.raises(LoginLocked):
        authenticate(owner.email, PASSWORD, start + timedelta(minutes=19))
    assert authenticate(owner.email, PASSWORD, start + timedelta(minutes=20, seconds=1)) == owner

    # a later lock-out is a new event: its owner hears of it too
    for minute in (21, 22):
        fail(start + timedelta(minutes=minute))
    with pytest.raises(LoginLocked):
        authenticate(owner.email, "wrong-password", start + timedelta(minutes=23))
    assert len(lockout_emails(owner)) == 2


def test_failures_spread_wider_than_the_window_never_lock(app, owner, lockout_after_3):
    start = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    for n in range(6):
        with pytest.raises(Unauthorized) as refused:
            authenticate(owner.email, "wrong-password", start + timedelta(minutes=8 * n))
        assert not isinstance(refused.value, LoginLocked)


def test_stale_failures_and_ended_lock_outs_are_forgotten(app, owner, lockout_after_3):
    start = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    for error in (Unauthorized, Unauthorized, LoginLocked):
        with pytest.raises(error):
            authenticate(owner.email, "wrong-password", start)
    with pytest.raises(Unauthorized):
        authenticate("someone@example.com", "wrong-password", start + timedelta(minutes=10))

    assert forget_stale_failures(start + timedelta(minutes=14)) == 0  # both still count
    assert forget_stale_failures(start + timedelta(minutes=20)) == 1  # the lock-out ended
    assert db.session.scalars(select(LoginThrottle.email)).all() == ["someone@example.com"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_parallel_wrong_passwords_lock_once_and_send_one_email(backend, tmp_path):
    """Workers counting failures of one account at the same moment lose none: exactly the
    limit locks it, once, with one email."""
    runners = 8
    settings = {"LOGIN_LOCKOUT_FAILURES": runners}
    with isolated_app(backend, tmp_path, **settings) as app:
        with app.app_context():
            email = UserFactory().email

        def guess():
            try:
                authenticate(email, "wrong-password", datetime.now(UTC))
            except (Unauthorized, LoginLocked) as refused:
                return type(refused).__name__

        outcomes = run_at_once(app, guess, runners)
        with app.app_context():
            throttle = db.session.get(LoginThrottle, email)
            sent = db.session.scalars(select(OutboxEmail.to_address)).all()
    assert sorted(outcomes) == ["LoginLocked"] + ["Unauthorized"] * (runners - 1)
    assert throttle.locked_until is not None
    assert sent == [email]


# --- timing -----------------------------------------------------------------------------------


def test_a_failed_log_in_takes_as_long_whether_or_not_the_email_has_an_account(client, owner):
    """Without an account to check the password against, the answer came 40 times sooner."""

    def median_seconds(email: str) -> float:
        times = []
        for n in range(5):
            started = time.perf_counter()
            log_in(client, email, f"wrong-password-{n}")
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    log_in(client, "warm-up@example.com", "wrong-password")
    unknown = median_seconds("nobody-here@example.com")
    known = median_seconds(owner.email)
    assert 0.5 < unknown / known < 2.0, (unknown, known)


# --- per client address: the rate limits ---------------------------------------------------


@contextmanager
def rate_limited_app(tmp_path, **settings):
    """An app with its rate limits on (the test app has them off), on a database of its own."""
    database = migrated_sqlite_database(tmp_path / "limited.sqlite3")
    limits = {"LOGIN_RATE_LIMIT": "3 per minute", "SIGNUP_RATE_LIMIT": "2 per hour"}
    with app_with(database, RATELIMIT_ENABLED=True, **(limits | settings)) as app:
        yield app


def test_log_in_page_and_api_share_one_limit_per_address(tmp_path):
    with rate_limited_app(tmp_path) as app, app.app_context():
        client = app.test_client()
        assert log_in(client, "a@example.com", "guess-1").status_code == 422
        assert api_log_in(client, "b@example.com", "guess-2").status_code == 401
        assert log_in(client, "c@example.com", "guess-3").status_code == 422

        api = api_log_in(client, "d@example.com", "guess-4")
        assert api.status_code == 429 and int(api.headers["Retry-After"]) > 0
        assert api.json["error"]["code"] == "too_many_requests"
        assert "Too many log-in attempts" in api.json["error"]["message"]
        page = log_in(client, "e@example.com", "guess-5")
        # the same window: the page's wait is the API's, less a second if one ticked between
        waited = int(api.headers["Retry-After"]) - int(page.headers["Retry-After"])
        assert page.status_code == 429 and waited in (0, 1)
        assert "Too many log-in attempts" in page.get_data(as_text=True)

        assert log_in(client, "a@example.com", "guess-6", "198.51.100.2").status_code == 422


def test_the_api_document_tells_of_the_limits(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/tokens", "/organizations", "/invitations/{token}/accept"):
        throttled = paths[f"/api/v1{path}"]["post"]["responses"]["429"]
        assert "Retry-After" in throttled["headers"], path


def test_a_forged_forwarded_for_header_is_no_new_address(tmp_path):
    """Only the address of the connection counts, unless proxies are declared; then the one
    the nearest proxy saw."""
    with rate_limited_app(tmp_path) as app, app.app_context():
        client = app.test_client()
        codes = [
            client.post(
                "/login",
                data={"email": "a@example.com", "password": "guess"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(4)
        ]
    assert codes == [422, 422, 422, 429]

    with rate_limited_app(tmp_path, TRUSTED_PROXIES=1) as app, app.app_context():
        client = app.test_client()
        forwarded = {"X-Forwarded-For": "203.0.113.9"}
        codes = [
            client.post("/login", data={"email": "a@example.com"}, headers=forwarded).status_code
            for _ in range(4)
        ]
        other = {"X-Forwarded-For": "203.0.113.10"}
        assert client.post("/login", data={}, headers=other).status_code == 422
    assert codes == [422, 422, 422, 429]


def test_registration_pages_and_api_share_one_limit_per_address(tmp_path):
    with rate_limited_app(tmp_path) as app, app.app_context():
        client = app.test_client()
        assert client.post("/register", data={"name": "x"}).status_code == 422
        assert client.post("/api/v1/organizations", json={}).status_code == 422
        api = client.post("/api/v1/organizations", json={})
        assert api.status_code == 429 and api.json["error"]["code"] == "too_many_requests"
        page = client.post("/register", data={"name": "x"})
        assert page.status_code == 429 and "Retry-After" in page.headers
        assert "Too many new accounts" in page.get_data(as_text=True)
        assert client.get("/register").status_code == 200  # reading the form is not limited


def test_invitation_acceptance_is_limited_with_registration(tmp_path):
    with rate_limited_app(tmp_path) as app, app.app_context():
        owner = UserFactory()
        _, token = invite_member(owner, "new@example.com", datetime.now(UTC), 7)
        client = app.test_client()
        form = {"name": "New", "password": "long-enough-1", "confirm": "different-one"}
        assert client.post(f"/invitations/{token}", data=form).status_code == 422
        assert client.post("/register", data={}).status_code == 422
        api = client.post(
            f"/api/v1/invitations/{token}/accept", json={"name": "N", "password": "long-enough-1"}
        )
        assert api.status_code == 429 and "Retry-After" in api.headers
        assert client.post(f"/invitations/{token}", data=form).status_code == 429


def test_with_the_shared_storage_down_each_process_still_limits(tmp_path):
    """Log-in keeps working, and limited, while Redis is away."""
    nowhere = "redis://127.0.0.1:1/0"
    with rate_limited_app(tmp_path, RATELIMIT_STORAGE_URI=nowhere) as app, app.app_context():
        client = app.test_client()
        codes = [log_in(client, "a@example.com", "guess").status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]


def test_two_instances_sharing_redis_share_the_count_per_address(tmp_path):
    """Workers are processes; with memory:// each would allow the limit again."""
    try:
        import redis

        store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        store.ping()
    except Exception as error:  # the client missing, or no server
        skip_or_fail(f"Redis not reachable at {REDIS_URL}: {error}")
    prefix = f"wx-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "WX_RATELIMIT_ENABLED": "true",
        "WX_RATELIMIT_STORAGE_URI": REDIS_URL,
        "WX_RATELIMIT_KEY_PREFIX": prefix,
        "WX_LOGIN_RATE_LIMIT": "3 per minute",
    }
    database = migrated_sqlite_database(tmp_path / "workers.sqlite3")

    def worker(attempts: int) -> list[int]:
        command = [sys.executable, "-m", "tests.security.login_worker", database, str(attempts)]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    try:
        assert worker(2) == [422, 422]
        assert worker(2) == [422, 429]
        assert store.keys(f"*{prefix}*"), "the count is kept under this run's prefix"
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
