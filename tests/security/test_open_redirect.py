"""A redirect target taken from the request is a path on this site, however it is spelt;
anything else sends the browser to the page's default."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.helpers import login
from warehouse_exchange.web.redirects import local_url

HOME = "/home"

#: spellings of "another site" that browsers, proxies or URL parsers accept
FOREIGN = [
    "/\t/evil.example/phish",  # the original finding: a tab a browser drops
    "/%09/evil.example/phish",  # the same, still percent-encoded
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%2F%2Fevil.example",
    "/%252F%252Fevil.example",  # double-encoded
    "/%25252F%25252Fevil.example",  # triple-encoded
    "/%2525252525252F/evil.example",  # encoded past any sane depth
    "https://evil.example/",
    "http:evil.example",
    "HTTPS://evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\n/evil.example",
    "/\r\nLocation: https://evil.example",
    " //evil.example",
    "//evil.example ",
    "/\u00a0/evil.example",  # no-break space
    "/\u3000/evil.example",  # ideographic space
    "/\u200b/evil.example",  # zero-width space
    "/\uff0fevil.example",  # fullwidth solidus folds to "/"
    "/%EF%BC%8Fevil.example",  # the same, percent-encoded
    "\uff0f\uff0fevil.example",
    "/\u2215evil.example",  # division slash some parsers read as "/"
    "/z\u00fcrich",  # no path of this site is spelt outside ASCII
    "/%C3%BCber",
    "/../..//evil.example",
    "/./evil",
    "evil.example",
    "home",
    "",
    None,
    "/" + "a" * 3000,
]

LOCAL = [
    ("/warehouses/mine", "/warehouses/mine"),
    ("/", "/"),
    ("/search?country=DE&page=2", "/search?country=DE&page=2"),
    ("/search?city=New%20York", "/search?city=New%20York"),
    ("/search?next=//not-a-host", "/search?next=//not-a-host"),
    ("/listings/5/", "/listings/5/"),
    ("/search?city=Z\u00fcrich", "/search?city=Z%C3%BCrich"),  # re-built as ASCII
    ("/search?city=Z%C3%BCrich#results", "/search?city=Z%C3%BCrich"),
]


@pytest.mark.parametrize("target", FOREIGN)
def test_a_foreign_or_odd_target_falls_back_to_the_default(target):
    assert local_url(target, HOME) == HOME


@pytest.mark.parametrize(("target", "expected"), LOCAL)
def test_a_path_on_this_site_is_kept(target, expected):
    assert local_url(target, HOME) == expected


def _log_in_with_next(client, user, next_value: str):
    data = {"email": user.email, "password": PASSWORD}
    return client.post("/login", query_string={"next": next_value}, data=data)


def test_login_with_a_tab_before_the_host_goes_home(client, owner):
    # /login?next=/%09/evil.example/phish answered "Location: //evil.example/phish"
    response = client.post(
        "/login?next=/%09/evil.example/phish", data={"email": owner.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == HOME


@pytest.mark.parametrize(
    "next_value",
    ["/\\evil.example", "//evil.example", "https://evil.example", "javascript:alert(1)",
     "/%2F%2Fevil.example", "/\uff0fevil.example", " /evil"],
)  # fmt: skip
def test_login_never_sends_the_browser_elsewhere(client, owner, next_value):
    response = _log_in_with_next(client, owner, next_value)
    assert response.status_code == 302 and response.headers["Location"] == HOME


def test_login_still_returns_to_the_page_that_asked_for_it(client, owner):
    redirected = client.get("/warehouses/mine")
    assert "next=/warehouses/mine" in redirected.headers["Location"]
    response = _log_in_with_next(client, owner, "/warehouses/mine")
    assert response.headers["Location"] == "/warehouses/mine"


def test_notification_and_booking_forms_keep_their_next_on_this_site(client, owner):
    login(client, owner)
    for target in ("//evil.example", "/%09/evil.example", "https://evil.example"):
        response = client.post("/notifications/read-all", data={"next": target})
        assert response.headers["Location"] == "/notifications"
    response = client.post("/notifications/read-all", data={"next": "/bookings/inbox"})
    assert response.headers["Location"] == "/bookings/inbox"
