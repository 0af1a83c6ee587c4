"""Account security in headless Chromium: a member changes their password (a refused one says
why beside the field), and an operator suspends an account, which logs it out at once."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from warehouse_exchange.accounts.services import (
    Registration,
    create_operator,
    register_organization,
)

pytestmark = pytest.mark.browser

PASSWORD = "browser-password"
NEW_PASSWORD = "tidal-lantern-orchard"
MEMBER = "hana@kyotoshelf.example"
OPERATOR = "sam@security-ops.example"


@pytest.fixture(scope="module")
def accounts(live_app):
    with live_app.app_context():
        register_organization(
            Registration("Kyoto Shelf KK", "owner", "JP", "Hana Sato", MEMBER, PASSWORD)
        )
        create_operator(OPERATOR, "Sam Guard", PASSWORD)


def _log_in(page, live_server, email, password=PASSWORD, remember=False):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    if remember:
        page.check("#remember")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/home")


def test_change_password_then_be_suspended(browser, page, live_server, accounts):
    _log_in(page, live_server, MEMBER, remember=True)
    page.click("header a:has-text('Hana Sato')")
    page.click("main a:has-text('Change password')")
    page.fill("#current_password", PASSWORD)
    page.fill("#password", "KyotoShelf2024!")
    page.fill("#confirm", "KyotoShelf2024!")
    page.click("main button:has-text('Change password')")
    field = page.locator(".field.has-error")
    assert "Made of your name" in field.inner_text()
    screenshot(page, "account-password-refused")
    page.fill("#current_password", PASSWORD)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("main button:has-text('Change password')")
    page.wait_for_url(f"{live_server}/profile")
    assert "Every other device is logged out" in page.locator(".flash").inner_text()

    operator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _log_in(operator, live_server, OPERATOR)
    operator.click("header nav a:has-text('Users')")
    operator.fill("input[name=q]", "Kyoto")
    operator.click("main button:has-text('Find')")
    operator.click(f"main a:has-text('{MEMBER}')")
    operator.fill("#reason", "Payment fraud reported by two tenants.")
    screenshot(operator, "account-suspend")
    operator.click("main button:has-text('Suspend the account')")
    assert "logged out everywhere" in operator.locator(".flash").inner_text()
    assert "Payment fraud reported" in operator.locator("main").inner_text()
    screenshot(operator, "account-suspended")

    page.goto(f"{live_server}/profile")  # the member's browser, remember-me cookie and all
    assert "/login" in page.url
    page.fill("#email", MEMBER)
    page.fill("#password", NEW_PASSWORD)
    page.click("main button[type=submit]")
    assert "/login" in page.url
    operator.context.close()
