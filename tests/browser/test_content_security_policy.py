"""The Content-Security-Policy in a real browser: injected script does not run, and the pages'
own behaviour (forms that ask first, the error page's way back) still works under it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.marketplace import PASSWORD, pallet_listing, register

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def owner_with_listing(live_app):
    with live_app.app_context():
        owner = register("Policy Port Storage", "owner", "NL", "Pia Vos", "pia@policy.example")
        listing = pallet_listing(
            owner,
            live_app.extensions["geocoder"],
            warehouse=("Policy Hall", "Europaweg 2", "Rotterdam", "NL"),
            title="Pallets under a strict policy",
            quantity=40,
            days=200,
            price_minor=300,
            currency="EUR",
            categories=["general"],
        )
        return listing.id


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/home")


def test_injected_inline_script_and_handlers_are_blocked_and_reported(page, live_server, browser):
    page.goto(f"{live_server}/login")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            const button = document.createElement("button");
            button.setAttribute("onclick", "window.clicked = true");
            button.id = "planted";
            button.textContent = "Planted";
            document.body.append(button);
        }"""
    )
    page.click("#planted")
    assert page.evaluate("() => [window.injected, window.clicked]") == [None, None]
    blocked = list(browser.csp_violations)
    assert any("inline script" in message for message in blocked), blocked
    assert any("inline event handler" in message for message in blocked), blocked
    browser.csp_violations.clear()  # seen on purpose: the watch itself is what is tested


def test_archiving_asks_first_and_cancelling_keeps_the_listing(
    page, live_server, owner_with_listing
):
    log_in(page, live_server, "pia@policy.example")
    page.goto(f"{live_server}/listings/{owner_with_listing}")
    questions: list[str] = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.click("main form[data-confirm] button:has-text('Archive')")
    assert questions == ["Archive this listing for good?"]
    page.reload()
    assert page.is_visible("main button:has-text('Pause')")  # still active
    screenshot(page, "listing-archive-asks-first")

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.click("main form[data-confirm] button:has-text('Archive')")
    page.wait_for_selector(".flash:has-text('is now archived')")
    assert len(questions) == 2
    assert not page.is_visible("main button:has-text('Archive')")
    screenshot(page, "listing-archived")


def test_the_error_pages_back_button_returns_to_the_page_before(page, live_server):
    page.goto(f"{live_server}/credit")
    page.goto(f"{live_server}/no-such-page")
    assert page.is_visible("h1:has-text('Not found')")
    screenshot(page, "error-page")
    page.click("main button:has-text('Back')")
    page.wait_for_url(f"{live_server}/credit")
