"""People walking whole journeys through the pages: each in a browser window of their own,
starting from their home page, clicking what a person would click.

A journey calls no service between its steps; whatever it needs happens through a page. Every
page a person opens is checked to answer without a server error, and (by the browser fixture,
which watches every window) to break no Content-Security-Policy.
"""

from __future__ import annotations

import re

from tests.browser.conftest import screenshot

DEMO_PASSWORD = "demo-password-1"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class Person:
    def __init__(self, browser, site, email: str, password: str = DEMO_PASSWORD):
        self.site, self.email, self.password = site, email, password
        self.context = browser.new_context(viewport=DESKTOP)
        self.page = self.context.new_page()
        self.server_errors: list[str] = []
        self.page.on("response", self._watch)

    def _watch(self, response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def open(self, path: str = "/") -> None:
        self.page.goto(self.site.url + path)

    def log_in(self) -> None:
        """Log in from the site's front page, as a returning user does; lands on their home."""
        self.open("/")
        self.page.click("header a:has-text('Log in')")
        self.page.fill("#email", self.email)
        self.page.fill("#password", self.password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, self.text("main")

    def log_out(self) -> None:
        self.page.click("header button:has-text('Log out')")

    def menu(self, name: str) -> None:
        """Follow an item of the header's menu, under its "More" if it is folded there."""
        item = self.page.locator(f"header nav a:has-text('{name}')").first
        if not item.is_visible():
            self.page.click("header nav details.more summary")
        item.click()
        self.page.wait_for_load_state()

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.page.wait_for_load_state()

    def submit(self, label: str) -> None:
        self.click(f"main button:has-text('{label}')")

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).first.inner_text()

    def flash(self) -> str:
        return " ".join(self.page.locator(".flash").all_inner_texts())

    def sees(self, pattern: str, selector: str = "main") -> bool:
        return re.search(pattern, self.text(selector)) is not None

    def shot(self, name: str, phone: bool = True) -> None:
        """Screenshots of the page as it stands, at desktop width and on a phone."""
        screenshot(self.page, f"journey-{name}")
        if phone:
            self.page.set_viewport_size(PHONE)
            screenshot(self.page, f"journey-{name}-phone")
            self.page.set_viewport_size(DESKTOP)

    def close(self) -> None:
        self.context.close()
        assert not self.server_errors, self.server_errors
