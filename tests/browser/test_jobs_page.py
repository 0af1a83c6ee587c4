"""The operators' jobs console in headless Chromium: every job, its last run, run one now."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_booking_pages import log_in
from warehouse_exchange.accounts.services import create_operator
from warehouse_exchange.scheduler import jobs

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def operator(live_app):
    with live_app.app_context():
        create_operator("jobs@ops.example", "Jo Jobs", "browser-password")


def test_run_a_job_now_and_see_its_outcome(page, live_server, operator):
    log_in(page, live_server, "jobs@ops.example")
    page.click("header nav summary:has-text('More')")
    page.click("header a:has-text('Jobs')")
    rows = page.locator("main tbody tr")
    assert rows.count() == len(jobs.JOBS)
    row = rows.filter(has_text="expire-requests")
    row.locator("button:has-text('Run now')").click()
    page.wait_for_selector("text=expire-requests ran:")
    assert "items changed" in rows.filter(has_text="expire-requests").inner_text()
    screenshot(page, "jobs-console")
