"""Registration, log-in, members, invitations and API tokens, through pages and the API."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.factories import PASSWORD, UserFactory
from tests.helpers import api_token, login
from warehouse_exchange.accounts.models import Invitation, Organization, User
from warehouse_exchange.extensions import db

REGISTRATION = {
    "organization_name": "Nordsee Logistik GmbH",
    "kind": "owner",
    "country": "DE",
    "name": "Greta Hansen",
    "email": "Greta@Nordsee.example",
    "password": "a-long-password",
    "confirm": "a-long-password",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_register_creates_organization_and_admin_and_logs_in(client):
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "greta@nordsee.example"))
    assert user.role == "admin" and user.organization.name == "Nordsee Logistik GmbH"
    assert user.password_hash != "a-long-password"
    assert "Greta Hansen" in client.get("/profile").get_data(as_text=True)


def test_register_bad_input_shows_errors_and_changes_nothing(client):
    before = count(Organization), count(User)
    bad = {**REGISTRATION, "country": "XX", "password": "short", "confirm": "short"}
    response = client.post("/register", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Field must be between 10 and 200 characters long." in page
    assert 'value="Nordsee Logistik GmbH"' in page  # the form keeps its input
    assert (count(Organization), count(User)) == before


def test_register_unknown_country_is_refused_by_the_service(client):
    response = client.post("/register", data={**REGISTRATION, "country": "ZZ"})
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert count(Organization) == 0


def test_duplicate_email_is_refused_beside_the_field(client, owner):
    response = client.post("/register", data={**REGISTRATION, "email": owner.email})
    assert "Already used." in response.get_data(as_text=True)
    assert count(Organization) == 1


def test_login_wrong_password_and_logout(client, owner):
    response = client.post("/login", data={"email": owner.email, "password": "wrong-password"})
    assert "Wrong email or password." in response.get_data(as_text=True)
    login(client, owner)
    assert client.get("/profile").status_code == 200
    client.post("/logout")
    assert client.get("/profile").status_code == 302


def test_login_redirects_only_to_local_pages(client, owner):
    data = {"email": owner.email, "password": PASSWORD}
    response = client.post("/login?next=//evil.example/", data=data)
    assert response.headers["Location"] == "/home"
    client.post("/logout")
    response = client.post("/login?next=/warehouses/mine", data=data)
    assert response.headers["Location"] == "/warehouses/mine"


def test_invite_and_accept_a_member(client, owner):
    login(client, owner)
    response = client.post("/profile/invitations", data={"email": "new.member@example.com"})
    assert response.status_code == 302
    flashed = client.get("/profile").get_data(as_text=True)
    token = re.search(r"/invitations/([\w-]+)", flashed).group(1)
    client.post("/logout")
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert owner.organization.name in page
    form = {"name": "New Member", "password": "another-password", "confirm": "another-password"}
    assert client.post(f"/invitations/{token}", data=form).status_code == 302
    member = db.session.scalar(select(User).where(User.email == "new.member@example.com"))
    assert member.organization_id == owner.organization_id and member.role == "member"
    client.post("/logout")
    assert client.post(f"/invitations/{token}", data=form).status_code == 409  # replayed


def test_members_cannot_invite(client, owner):
    member = UserFactory(organization=owner.organization, role="member")
    login(client, member)
    assert client.post("/profile/invitations", data={"email": "x@example.com"}).status_code == 403
    assert count(Invitation) == 0


def test_expired_invitation_is_refused(app, client, owner):
    from warehouse_exchange.accounts.services import invite_member
    from warehouse_exchange.adapters.clock import utc_now

    _invitation, token = invite_member(owner, "late@example.com", utc_now() - timedelta(days=8), 7)
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 409 and "expired" in response.get_data(as_text=True)
    assert client.get("/invitations/not-a-token").status_code == 404


def test_create_operator_cli(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-operator",
            "--email",
            "ops@example.com",
            "--name",
            "Ops",
            "--password",
            "operator-password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ops@example.com"))
    assert user.is_operator and user.organization_id is None
    again = app.test_cli_runner().invoke(
        args=[
            "create-operator",
            "--email",
            "ops@example.com",
            "--name",
            "Ops",
            "--password",
            "operator-password",
        ]
    )
    assert again.exit_code != 0 and "already has an account" in again.output


def test_api_token_lifecycle(client, owner):
    headers = api_token(client, owner)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["email"] == owner.email
    token_id = client.post(
        "/api/v1/tokens", json={"email": owner.email, "password": PASSWORD}
    ).json["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=headers).status_code == 204
    stored = [t for t in owner_tokens(owner) if t.id == token_id][0]
    assert stored.revoked_at is not None and len(stored.token_hash) == 64


def owner_tokens(user):
    from warehouse_exchange.accounts.services import list_api_tokens

    return list_api_tokens(user)


def test_revoked_token_is_rejected(client, owner):
    headers = api_token(client, owner)
    token_id = owner_tokens(owner)[0].id
    login(client, owner)
    client.post(f"/profile/tokens/{token_id}/revoke")
    client.post("/logout")
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_api_ignores_session_cookies(client, owner):
    """The API is exempt from CSRF, so a logged-in browser session must not authorize it."""
    login(client, owner)
    assert client.get("/api/v1/me").status_code == 401


def test_api_token_bad_credentials(client, owner):
    response = client.post("/api/v1/tokens", json={"email": owner.email, "password": "nope"})
    assert response.status_code == 401
    response = client.post("/api/v1/tokens", json={"email": 5})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"email", "password"}


def test_api_register_and_someone_elses_revoke(client, owner):
    body = {k: v for k, v in REGISTRATION.items() if k != "confirm"}
    response = client.post("/api/v1/organizations", json=body)
    assert response.status_code == 201 and response.json["organization"]["kind"] == "owner"
    greta = db.session.scalar(select(User).where(User.email == "greta@nordsee.example"))
    greta_headers = api_token(client, greta, "a-long-password")
    owner_headers = api_token(client, owner)
    greta_token = owner_tokens(greta)[0].id
    assert client.delete(f"/api/v1/tokens/{greta_token}", headers=owner_headers).status_code == 404
    assert client.get("/api/v1/me", headers=greta_headers).status_code == 200


def test_organization_profile_page_and_api(client, owner):
    page = client.get(f"/organizations/{owner.organization_id}")
    assert page.status_code == 200 and owner.organization.name in page.get_data(as_text=True)
    body = client.get(f"/api/v1/organizations/{owner.organization_id}").json
    assert body["name"] == owner.organization.name and body["credit_score"] is None
    assert client.get("/api/v1/organizations/999999").status_code == 404
