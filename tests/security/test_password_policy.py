"""Passwords that attackers try first are refused wherever a password is set, with the reason
beside the field: the most common ones, and ones made of the person's name, email address or
organization, whatever digits, punctuation or letter swaps are added."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from warehouse_exchange.accounts.models import Organization, User
from warehouse_exchange.accounts.passwords import (
    TOO_COMMON,
    TOO_LONG,
    TOO_PERSONAL,
    TOO_SHORT,
    TOO_SIMPLE,
    common_passwords,
    password_problem,
)
from warehouse_exchange.demo import OPERATOR, ORGANIZATIONS
from warehouse_exchange.demo import PASSWORD as DEMO_PASSWORD
from warehouse_exchange.extensions import db

GRETA = ("Nordsee Logistik GmbH", "Greta Hansen", "owner@nordsee.example")
REGISTRATION = {
    "organization_name": "Nordsee Logistik GmbH",
    "kind": "owner",
    "country": "DE",
    "name": "Greta Hansen",
    "email": "owner@nordsee.example",
}


@pytest.mark.parametrize(
    "password",
    ["password1234", "Password123!", "P@ssw0rd2024", "qwertyuiop12", "1234567890",
     "letmein!!2024", "dragon2024!!", "!!Monkey2024", "iloveyou-1234", "Dragon-Dragon-1",
     "football.football"],
)  # fmt: skip
def test_common_passwords_are_refused_in_any_dress(password):
    assert password_problem(password, GRETA) == TOO_COMMON


@pytest.mark.parametrize(
    "password",
    ["nordsee2024!", "Owner12345", "NORDSEE_2024", "2024nordsee", "n0rds33-2024",
     "GretaHansen", "Greta-Hansen-99", "Nordsee-Logistik-GmbH", "hansen.greta.1",
     "nordsee-password", "WarehouseExchange1", "Warehouse-Exchange!"],
)  # fmt: skip
def test_passwords_made_of_the_persons_own_words_are_refused(password):
    assert password_problem(password, GRETA) == TOO_PERSONAL


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short", TOO_SHORT), ("x" * 201, TOO_LONG), ("aaaaaaaaaaaa", TOO_SIMPLE),
     ("abababababab", TOO_SIMPLE), ("", TOO_SHORT)],
)  # fmt: skip
def test_length_and_variety(password, problem):
    assert password_problem(password, GRETA) == problem


@pytest.mark.parametrize(
    "password",
    ["greta-loves-hamburg-docks", "correct-horse-battery", "tidal-lantern-orchard",
     "8301947265", "x" * 197 + "yzw", "Zürich-Möwe-Fähre-7"],
)  # fmt: skip
def test_good_passwords_pass(password):
    assert password_problem(password, GRETA) is None


def test_the_common_list_ships_with_the_package_and_is_large():
    common = common_passwords()
    assert len(common) >= 10_000
    assert {"password", "123456", "qwerty", "iloveyou"} <= common


def test_the_demo_password_is_accepted_for_every_demo_account():
    for name, _kind, _country, contact, email in ORGANIZATIONS:
        assert password_problem(DEMO_PASSWORD, (name, contact, email)) is None, name
    assert password_problem(DEMO_PASSWORD, OPERATOR) is None


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("password", "why"),
    [("nordsee2024!", "Made of your name"), ("Password123!", "most common passwords"),
     ("Greta-Hansen-99", "Made of your name")],
)  # fmt: skip
def test_registration_refuses_it_beside_the_field_and_keeps_the_input(client, password, why):
    data = {**REGISTRATION, "password": password, "confirm": password}
    response = client.post("/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    field = re.search(r'<div class="field [^"]*has-error">.*?</div>', page, re.S).group(0)
    assert 'name="password"' in field and why in field
    assert 'value="Nordsee Logistik GmbH"' in page
    assert (_count(Organization), _count(User)) == (0, 0)


def test_the_registration_api_says_why(client):
    body = {**REGISTRATION, "password": "Owner12345"}
    response = client.post("/api/v1/organizations", json=body)
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"password": TOO_PERSONAL}
    accepted = client.post(
        "/api/v1/organizations", json={**body, "password": "tidal-lantern-orchard"}
    )
    assert accepted.status_code == 201


def test_accepting_an_invitation_checks_against_the_organization_and_person(client, owner):
    from warehouse_exchange.accounts.services import invite_member
    from warehouse_exchange.adapters.clock import utc_now

    _invitation, token = invite_member(owner, "jonas.weber@example.com", utc_now(), 7)
    organization_word = owner.organization.name.split()[0]
    for password in (
        "JonasWeber2024",
        "jonas.weber.1",
        f"{organization_word}-{organization_word}-1",
    ):
        form = {"name": "Jonas Weber", "password": password, "confirm": password}
        response = client.post(f"/invitations/{token}", data=form)
        assert response.status_code == 422, password
        assert TOO_PERSONAL in response.get_data(as_text=True)
    api = client.post(
        f"/api/v1/invitations/{token}/accept",
        json={"name": "Jonas Weber", "password": "iloveyou123"},
    )
    assert api.status_code == 422 and api.json["error"]["fields"] == {"password": TOO_COMMON}
    good = {
        "name": "Jonas Weber",
        "password": "tidal-lantern-orchard",
        "confirm": "tidal-lantern-orchard",
    }
    assert client.post(f"/invitations/{token}", data=good).status_code == 302


def test_a_password_change_applies_the_policy(client, owner):
    from tests.factories import PASSWORD

    login(client, owner)
    own_email = owner.email.split("@")[0] + "!!2024"
    for password, why in ((own_email, TOO_PERSONAL), ("monkey123456", TOO_COMMON)):
        data = {"current_password": PASSWORD, "password": password, "confirm": password}
        response = client.post("/profile/password", data=data)
        assert response.status_code == 422 and why in response.get_data(as_text=True)


def test_operator_creation_applies_the_policy(app):
    def create(password: str):
        args = ["create-operator", "--email", "ops@example.com", "--name", "Olu Okafor",
                "--password", password]  # fmt: skip
        return app.test_cli_runner().invoke(args=args)

    for password in ("OluOkafor2024", "ops-ops-ops-1", "password12345"):
        result = create(password)
        assert result.exit_code != 0 and "Choose another password" in result.output, password
    assert _count(User) == 0
    assert create("tidal-lantern-orchard").exit_code == 0
