"""API tokens expire, are listed with their last use, are revoked from the page or the API,
and reading with one does not write to the database on every request."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from tests.factories import PASSWORD
from tests.helpers import login
from warehouse_exchange.accounts.models import ApiToken
from warehouse_exchange.adapters.clock import utc_now
from warehouse_exchange.extensions import db

READ_ONLY_ROUTES = ("/api/v1/me", "/api/v1/tokens", "/api/v1/members", "/api/v1/notifications")


def issue(client, user, **body) -> dict:
    response = client.post(
        "/api/v1/tokens", json={"email": user.email, "password": PASSWORD, **body}
    )
    assert response.status_code == 201, response.json
    return response.json


def bearer(issued: dict) -> dict:
    return {"Authorization": f"Bearer {issued['token']}"}


def stored(token_id: int) -> ApiToken:
    db.session.expire_all()
    return db.session.get(ApiToken, token_id)


def age(token_id: int, **changes) -> None:
    """Move a token's moments into the past, as if time had passed since."""
    record = stored(token_id)
    for name, value in changes.items():
        setattr(record, name, value)
    db.session.commit()


@contextmanager
def statements():
    """Every SQL statement the app sends while the block runs."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.strip().split(None, 1)[0].upper() + " " + statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def writes(seen: list[str]) -> list[str]:
    """Changes and commits (a commit inside the test's transaction releases a savepoint)."""
    changing = ("INSERT", "UPDATE", "DELETE", "RELEASE", "COMMIT")
    return [s for s in seen if s.split(None, 1)[0] in changing]


# expiry


@pytest.mark.parametrize("days", [None, 7, 30])
def test_a_token_is_refused_once_it_has_expired(client, owner, days):
    body = {} if days is None else {"expires_in_days": days}
    issued = issue(client, owner, **body)
    assert client.get("/api/v1/me", headers=bearer(issued)).status_code == 200
    age(issued["id"], expires_at=utc_now() - timedelta(seconds=1))

    response = client.get("/api/v1/me", headers=bearer(issued))

    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_expired"
    assert "expired" in response.json["error"]["message"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_an_expired_token_is_refused_on_writes_too(client, owner):
    issued = issue(client, owner, expires_in_days=7)
    age(issued["id"], expires_at=utc_now() - timedelta(days=1))
    response = client.post(
        "/api/v1/invitations", json={"email": "new@example.com"}, headers=bearer(issued)
    )
    assert response.status_code == 401 and response.json["error"]["code"] == "token_expired"


@pytest.mark.parametrize("days, expected_days", [(None, 90), (7, 7), (30, 30), (90, 90), (1, 1)])
def test_the_expiry_is_shown_on_creation(client, owner, days, expected_days):
    body = {} if days is None else {"expires_in_days": days}
    issued = issue(client, owner, **body)
    expires = stored(issued["id"]).expires_at
    assert issued["expires_at"] == expires.isoformat()
    assert abs(expires - utc_now() - timedelta(days=expected_days)) < timedelta(minutes=1)


@pytest.mark.parametrize("days", [91, 0, -5, 10_000, "30"])
def test_a_lifetime_beyond_the_maximum_is_refused(client, owner, days):
    response = client.post(
        "/api/v1/tokens",
        json={"email": owner.email, "password": PASSWORD, "expires_in_days": days},
    )
    assert response.status_code == 422
    assert "expires_in_days" in response.json["error"]["fields"]
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id)).all() == []


def test_the_maximum_lifetime_is_configurable(app, client, owner):
    app.config["API_TOKEN_VALID_DAYS"] = 30
    try:
        assert (
            client.post(
                "/api/v1/tokens",
                json={"email": owner.email, "password": PASSWORD, "expires_in_days": 31},
            ).status_code
            == 422
        )
        issued = issue(client, owner)
    finally:
        app.config["API_TOKEN_VALID_DAYS"] = 90
    lifetime = stored(issued["id"]).expires_at - utc_now()
    assert timedelta(days=29) < lifetime <= timedelta(days=30)


def test_the_profile_page_creates_a_token_with_a_chosen_lifetime(client, owner):
    login(client, owner)
    page = client.post(
        "/profile/tokens", data={"name": "ERP sync", "valid_days": "7"}, follow_redirects=True
    )
    html = page.get_data(as_text=True)
    expires = (utc_now() + timedelta(days=7)).strftime("%Y-%m-%d")
    assert f"expires on {expires}" in html
    secret = re.search(r"shown only once: (wx_[\w-]+)", html).group(1)
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json["email"]
        == owner.email
    )


@pytest.mark.parametrize("valid_days", ["365", "0", "abc"])
def test_the_profile_page_refuses_a_lifetime_it_does_not_offer(client, owner, valid_days):
    login(client, owner)
    page = client.post(
        "/profile/tokens", data={"name": "Long", "valid_days": valid_days}, follow_redirects=True
    )
    assert "The token was not created." in page.get_data(as_text=True)
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id)).all() == []


# the list


def test_the_api_lists_ones_own_tokens_with_expiry_and_last_use(client, owner, other_owner):
    first = issue(client, owner, name="ERP", expires_in_days=30)
    second = issue(client, owner, name="Shop")
    issue(client, other_owner, name="Not mine")
    client.get("/api/v1/me", headers=bearer(first))
    client.delete(f"/api/v1/tokens/{second['id']}", headers=bearer(first))

    listed = client.get("/api/v1/tokens", headers=bearer(first))

    assert listed.status_code == 200
    by_name = {token["name"]: token for token in listed.json}
    assert set(by_name) == {"ERP", "Shop"}
    assert by_name["ERP"]["last_used_at"] is not None and by_name["ERP"]["status"] == "active"
    assert by_name["ERP"]["expires_at"] == first["expires_at"]
    assert by_name["Shop"]["status"] == "revoked" and by_name["Shop"]["last_used_at"] is None
    assert all("token" not in token and "token_hash" not in token for token in listed.json)


def test_the_profile_page_lists_tokens_with_expiry_last_use_and_status(client, owner):
    used = issue(client, owner, name="Used one", expires_in_days=30)
    issue(client, owner, name="Idle one")
    old = issue(client, owner, name="Old one")
    client.get("/api/v1/me", headers=bearer(used))
    age(old["id"], expires_at=utc_now() - timedelta(days=1))
    login(client, owner)

    html = client.get("/profile").get_data(as_text=True)

    rows = {
        name: row
        for row in re.findall(r"<tr><td>.*?</tr>", html, re.S)
        for name in ("Used one", "Idle one", "Old one")
        if f"<td>{name}</td>" in row
    }
    today, in_30 = utc_now(), utc_now() + timedelta(days=30)
    assert in_30.strftime("%Y-%m-%d") in rows["Used one"]
    assert rows["Used one"].count(today.strftime("%Y-%m-%d")) == 2  # created and last used
    assert "never" in rows["Idle one"] and "active" in rows["Idle one"]
    assert "expired" in rows["Old one"] and "Revoke" not in rows["Old one"]


# revocation


def test_revoking_from_the_page_stops_the_token(client, owner):
    issued = issue(client, owner)
    login(client, owner)
    page = client.post(f"/profile/tokens/{issued['id']}/revoke", follow_redirects=True)
    assert "revoked" in page.get_data(as_text=True)
    response = client.get("/api/v1/me", headers=bearer(issued))
    assert response.status_code == 401 and "revoked" in response.json["error"]["message"]


def test_revoking_through_the_api_stops_the_token_and_keeps_the_others(client, owner):
    doomed, kept = issue(client, owner), issue(client, owner)
    assert client.delete(f"/api/v1/tokens/{doomed['id']}", headers=bearer(kept)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(doomed)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(kept)).status_code == 200
    # a token may revoke itself, and is refused at once
    assert client.delete(f"/api/v1/tokens/{kept['id']}", headers=bearer(kept)).status_code == 204
    assert client.get("/api/v1/tokens", headers=bearer(kept)).status_code == 401


def test_someone_elses_token_is_not_found(client, owner, other_owner):
    theirs, mine = issue(client, other_owner), issue(client, owner)
    api = client.delete(f"/api/v1/tokens/{theirs['id']}", headers=bearer(mine))
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"
    login(client, owner)
    assert client.post(f"/profile/tokens/{theirs['id']}/revoke").status_code == 404
    assert client.delete("/api/v1/tokens/999999", headers=bearer(mine)).status_code == 404
    assert stored(theirs["id"]).revoked_at is None
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200


def test_an_unknown_or_missing_token_asks_for_a_bearer_token(client):
    unknown = client.get("/api/v1/me", headers={"Authorization": "Bearer wx_nonsense"})
    assert unknown.status_code == 401 and unknown.headers["WWW-Authenticate"].startswith("Bearer")
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"


# no write per read


def test_reading_with_a_token_writes_nothing_once_its_use_is_recorded(client, owner):
    issued = issue(client, owner)
    with statements() as first:
        assert client.get("/api/v1/me", headers=bearer(issued)).status_code == 200
    assert [s for s in writes(first) if s.startswith("UPDATE")] != []  # first use recorded

    with statements() as seen:
        for _ in range(3):
            for route in READ_ONLY_ROUTES:
                assert client.get(route, headers=bearer(issued)).status_code == 200, route

    assert any(s.startswith("SELECT") for s in seen)  # the listener does see the requests
    assert writes(seen) == []


def test_last_use_is_recorded_again_once_the_interval_has_passed(client, owner):
    issued = issue(client, owner)
    client.get("/api/v1/me", headers=bearer(issued))
    two_hours_ago = utc_now() - timedelta(hours=2)
    age(issued["id"], last_used_at=two_hours_ago)

    with statements() as seen:
        for _ in range(4):
            client.get("/api/v1/me", headers=bearer(issued))

    updates = [s for s in writes(seen) if s.startswith("UPDATE")]
    assert len(updates) == 1 and "api_tokens" in updates[0]
    assert stored(issued["id"]).last_used_at > two_hours_ago + timedelta(hours=1)


def test_the_last_use_interval_is_configurable(app, client, owner):
    issued = issue(client, owner)
    client.get("/api/v1/me", headers=bearer(issued))
    age(issued["id"], last_used_at=utc_now() - timedelta(minutes=10))
    app.config["API_TOKEN_LAST_USE_SECONDS"] = 300
    try:
        with statements() as seen:
            client.get("/api/v1/me", headers=bearer(issued))
            client.get("/api/v1/me", headers=bearer(issued))
    finally:
        app.config["API_TOKEN_LAST_USE_SECONDS"] = 3600
    assert len([s for s in writes(seen) if s.startswith("UPDATE")]) == 1


def test_a_refused_token_writes_nothing(client, owner):
    issued = issue(client, owner)
    age(issued["id"], expires_at=utc_now() - timedelta(seconds=1))
    with statements() as seen:
        for route in READ_ONLY_ROUTES:
            assert client.get(route, headers=bearer(issued)).status_code == 401
    assert writes(seen) == []
