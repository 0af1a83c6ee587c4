"""Log-out, a new password and an operator's suspension end every session of the user: the
session cookie, a remember-me cookie, on every device; a suspension stops API tokens too."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import PASSWORD, OperatorFactory
from tests.helpers import api_token, login
from warehouse_exchange.audit.models import AuditEntry
from warehouse_exchange.extensions import db

NEW_PASSWORD = "tidal-lantern-orchard"
SESSION_COOKIE = "session"
REMEMBER_COOKIE = "remember_token"


def _cookie(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _device(app, **cookies):
    """Another browser that holds only the given cookies (copied, or stolen)."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _is_logged_in(client) -> bool:
    response = client.get("/profile")
    return response.status_code == 200


def _log_in_remembered(client, user, password: str = PASSWORD):
    response = client.post(
        "/login", data={"email": user.email, "password": password, "remember": "y"}
    )
    assert response.status_code == 302
    return _cookie(client, REMEMBER_COOKIE)


# log-out


def test_a_session_cookie_copied_before_log_out_opens_nothing_after_it(app, client, owner):
    login(client, owner)
    copied = _cookie(client, SESSION_COOKIE)
    assert _is_logged_in(_device(app, session=copied))
    response = client.post("/logout")
    assert response.status_code == 302
    client.get(response.headers["Location"])  # the flash is shown on the next page
    stolen = _device(app, session=copied).get("/profile")
    assert stolen.status_code == 302 and stolen.headers["Location"].startswith("/login")


def test_log_out_says_it_logged_out_every_device(client, owner):
    login(client, owner)
    page = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert "Logged out on every device." in page


def test_log_out_on_one_device_ends_the_others(app, client, owner):
    login(client, owner)
    laptop = app.test_client()
    login(laptop, owner)
    client.post("/logout")
    assert not _is_logged_in(laptop)


def test_a_remember_me_cookie_copied_before_log_out_is_refused_after_it(app, client, owner):
    remembered = _log_in_remembered(client, owner)
    assert _is_logged_in(_device(app, remember_token=remembered))
    client.post("/logout")
    fresh = _device(app, remember_token=remembered).get("/profile")
    assert fresh.status_code == 302 and fresh.headers["Location"].startswith("/login")


def test_without_remember_me_there_is_no_remember_cookie(client, owner):
    login(client, owner)
    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_an_old_style_or_forged_session_id_is_refused(app, owner):
    from warehouse_exchange.accounts.sessions import user_for_session

    assert user_for_session(owner.get_id()) == owner
    newer = f"{owner.id}:{owner.session_version + 1}"
    arabic_one = f"{owner.id}:\u0661"
    for forged in (str(owner.id), f"{owner.id}:", f"{owner.id}:x", arabic_one, newer,
                   "99999999999:1", ":", ""):  # fmt: skip
        assert user_for_session(forged) is None, forged


# password change


def _change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/profile/password",
        data={"current_password": current, "password": new, "confirm": confirm or new},
    )


def test_a_password_change_ends_other_sessions_and_keeps_this_one(app, client, owner):
    login(client, owner)
    other = app.test_client()
    remembered = _log_in_remembered(other, owner)
    copied = _cookie(client, SESSION_COOKIE)
    response = _change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    assert "Every other device is logged out" in client.get("/profile").get_data(as_text=True)
    assert _is_logged_in(client)
    assert not _is_logged_in(other)
    assert not _is_logged_in(_device(app, remember_token=remembered))
    assert not _is_logged_in(_device(app, session=copied))
    client.post("/logout")
    login(client, owner, NEW_PASSWORD)
    client.post("/logout")
    refused = client.post("/login", data={"email": owner.email, "password": PASSWORD})
    assert refused.status_code == 422


def test_a_password_change_renews_this_browsers_remember_cookie(app, client, owner):
    old = _log_in_remembered(client, owner)
    _change(client)
    renewed = _cookie(client, REMEMBER_COOKIE)
    assert renewed != old
    assert _is_logged_in(_device(app, remember_token=renewed))
    assert not _is_logged_in(_device(app, remember_token=old))


def test_a_password_change_needs_the_current_password(client, owner):
    login(client, owner)
    version = owner.session_version
    response = _change(client, current="not-the-password")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Not your current password." in page
    db.session.expire_all()
    assert owner.session_version == version
    assert _is_logged_in(client)


def test_a_refused_new_password_says_why_beside_the_field(client, owner):
    login(client, owner)
    name_based = owner.name.replace(" ", "") + "2024!"
    for new, why in (
        ("Password123!", "most common passwords"),
        (name_based, "Made of your name"),
        ("short", "between 10 and 200 characters"),
        (PASSWORD, "Choose a new password."),
    ):
        response = _change(client, new=new)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and why in page, new
        assert 'has-error"' in page
    mismatch = _change(client, confirm="something-else-entirely")
    assert "Passwords differ." in mismatch.get_data(as_text=True)


def test_the_password_change_page_is_linked_from_the_profile(client, owner):
    login(client, owner)
    assert "/profile/password" in client.get("/profile").get_data(as_text=True)
    page = client.get("/profile/password").get_data(as_text=True)
    assert "Current password" in page and "New password" in page


def test_the_api_changes_the_password_and_ends_browser_sessions(client, owner):
    headers = api_token(client, owner)
    login(client, owner)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/api/v1/me/password", json=body, headers=headers).status_code == 204
    assert not _is_logged_in(client)
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # tokens go on
    wrong = client.post("/api/v1/me/password", json=body, headers=headers)
    assert wrong.status_code == 422
    assert wrong.json["error"]["fields"] == {"current_password": "Not your current password."}
    weak = {"current_password": NEW_PASSWORD, "new_password": "qwertyuiop123"}
    refused = client.post("/api/v1/me/password", json=weak, headers=headers)
    assert refused.status_code == 422 and "password" in refused.json["error"]["fields"]
    assert client.post("/api/v1/me/password", json=body).status_code == 401


# suspension


def _suspend(client, user, reason="Phishing other members."):
    return client.post(f"/operator/users/{user.id}/suspend", data={"reason": reason})


def test_suspension_ends_the_users_sessions_tokens_and_log_in(app, client, owner, operator):
    browser = app.test_client()
    remembered = _log_in_remembered(browser, owner)
    headers = api_token(client, owner)
    login(client, operator)
    response = _suspend(client, owner)
    assert response.status_code == 302
    assert "is suspended and logged out everywhere" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert not _is_logged_in(browser)
    assert not _is_logged_in(_device(app, remember_token=remembered))
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    newcomer = app.test_client()
    refused = newcomer.post("/login", data={"email": owner.email, "password": PASSWORD})
    assert refused.status_code == 422 and not _is_logged_in(newcomer)
    assert "This account is suspended" in refused.get_data(as_text=True)
    token = app.test_client().post(
        "/api/v1/tokens", json={"email": owner.email, "password": PASSWORD}
    )
    assert token.status_code == 401
    assert "suspended" in token.get_json()["error"]["message"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.suspend"))
    assert entry.subject_id == owner.id and entry.after["reason"] == "Phishing other members."
    assert entry.actor_id == operator.id


def test_reinstating_lets_the_user_back_in(app, client, owner, operator):
    headers = api_token(client, owner)
    login(client, operator)
    _suspend(client, owner)
    page = client.get(f"/operator/users/{owner.id}").get_data(as_text=True)
    assert "Phishing other members." in page and "Reinstate the account" in page
    reinstate = f"/operator/users/{owner.id}/reinstate"
    client.post(reinstate, data={"reason": "Cleared after review."})
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    login(app.test_client(), owner)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user.suspend", "user.reinstate"]


def test_a_suspension_needs_a_reason_and_changes_nothing_without_one(client, owner, operator):
    login(client, operator)
    response = _suspend(client, owner, reason="")
    assert response.status_code == 422 and "This field is required." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert owner.active


def test_a_stale_page_never_does_the_opposite_of_its_button(client, owner, operator):
    login(client, operator)
    _suspend(client, owner)
    again = _suspend(client, owner, "Pressed on a page loaded before the suspension.")
    assert again.status_code == 409
    db.session.expire_all()
    assert not owner.active
    reinstate = f"/operator/users/{owner.id}/reinstate"
    assert client.post(reinstate, data={"reason": "Cleared."}).status_code == 302
    assert client.post(reinstate, data={"reason": "Cleared."}).status_code == 409


def test_an_operator_cannot_suspend_themselves(client, operator):
    login(client, operator)
    assert _suspend(client, operator).status_code == 403
    page = client.get(f"/operator/users/{operator.id}").get_data(as_text=True)
    assert "Suspend the account" not in page
    db.session.expire_all()
    assert operator.active and _is_logged_in(client)


def test_non_operators_may_not_see_or_suspend_users(client, owner, other_owner):
    login(client, owner)
    assert client.get("/operator/users").status_code == 403
    assert client.get(f"/operator/users/{other_owner.id}").status_code == 403
    assert _suspend(client, other_owner).status_code == 403
    db.session.expire_all()
    assert other_owner.active


def test_operators_find_users_by_email_name_or_organization(client, owner, exporter, operator):
    login(client, operator)
    assert "Users" in client.get("/operator/users").get_data(as_text=True)
    page = client.get("/operator/users", query_string={"q": owner.organization.name})
    text = page.get_data(as_text=True)
    assert owner.email in text and exporter.email not in text
    assert "No user matches" in client.get("/operator/users?q=%25_nobody").get_data(as_text=True)


def test_the_api_suspends_and_reinstates(client, owner, operator):
    owner_headers = api_token(client, owner)
    headers = api_token(client, operator)
    url = f"/api/v1/users/{owner.id}"
    suspended = client.post(f"{url}/suspend", json={"reason": "Fraud."}, headers=headers)
    assert suspended.status_code == 200 and suspended.json["active"] is False
    assert client.get("/api/v1/me", headers=owner_headers).status_code == 401
    again = client.post(f"{url}/suspend", json={"reason": "Fraud."}, headers=headers)
    assert again.status_code == 409
    listed = client.get("/api/v1/users", query_string={"q": owner.email}, headers=headers)
    assert [u["active"] for u in listed.json["results"]] == [False]
    reinstated = client.post(f"{url}/reinstate", json={"reason": "Cleared."}, headers=headers)
    assert reinstated.status_code == 200 and reinstated.json["active"] is True
    assert client.get("/api/v1/me", headers=owner_headers).status_code == 200


def test_the_api_refuses_bad_suspensions(client, owner, operator):
    headers = api_token(client, operator)
    owner_headers = api_token(client, owner)
    own = client.post(f"/api/v1/users/{operator.id}/suspend", json={"reason": "x"}, headers=headers)
    assert own.status_code == 403
    by_owner = client.post(
        f"/api/v1/users/{operator.id}/suspend", json={"reason": "x"}, headers=owner_headers
    )
    assert by_owner.status_code == 403
    assert client.get("/api/v1/users", headers=owner_headers).status_code == 403
    missing = client.post(f"/api/v1/users/{owner.id}/suspend", json={}, headers=headers)
    assert missing.status_code == 422 and "reason" in missing.json["error"]["fields"]
    nobody = client.post("/api/v1/users/999999/suspend", json={"reason": "x"}, headers=headers)
    assert nobody.status_code == 404
    db.session.expire_all()
    assert owner.active and operator.active


def test_one_operator_may_suspend_another(client, operator):
    colleague = OperatorFactory()
    login(client, operator)
    assert _suspend(client, colleague, "Left the company.").status_code == 302
    db.session.expire_all()
    assert not colleague.active
