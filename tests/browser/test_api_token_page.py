"""The profile's API tokens in headless Chromium: create one with a shorter lifetime, read its
expiry, use it, and revoke it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_booking_pages import PASSWORD, log_in
from warehouse_exchange.accounts.services import Registration, register_organization
from warehouse_exchange.adapters.clock import utc_now

pytestmark = pytest.mark.browser
EMAIL = "ines@lisbon-docks.example"


@pytest.fixture(scope="module")
def token_owner(live_app):
    with live_app.app_context():
        register_organization(
            Registration("Lisbon Docks Storage", "owner", "PT", "Inês Costa", EMAIL, PASSWORD)
        )


def test_create_see_and_revoke_an_api_token(page, live_server, token_owner):
    log_in(page, live_server, EMAIL)
    page.goto(f"{live_server}/profile")
    page.fill("input[name=name]", "ERP sync")
    page.select_option("select[name=valid_days]", "30")
    page.click("text=Create token")

    flash = page.inner_text(".flash, .flashes, [role=status], main")
    expires = (utc_now() + timedelta(days=30)).strftime("%Y-%m-%d")
    assert f"expires on {expires}" in flash
    secret = re.search(r"shown only once: (wx_[\w-]+)", flash).group(1)
    me = page.request.get(f"{live_server}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200

    page.goto(f"{live_server}/profile")
    row = page.locator("table.api-tokens tr", has_text="ERP sync")
    assert expires in row.inner_text() and "active" in row.inner_text()
    assert utc_now().strftime("%Y-%m-%d") in row.locator("td").nth(3).inner_text()  # last used
    screenshot(page, "profile-api-tokens")

    row.locator("button", has_text="Revoke").click()
    assert "revoked" in page.locator("table.api-tokens tr", has_text="ERP sync").inner_text()
    refused = page.request.get(
        f"{live_server}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status == 401
    screenshot(page, "profile-api-tokens-revoked")
