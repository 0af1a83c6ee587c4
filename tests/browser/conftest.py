"""A live server on 127.0.0.1 and headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.databases import migrated_sqlite_database, skip_or_fail
from warehouse_exchange import create_app
from warehouse_exchange.extensions import db

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
#: What Chromium writes to a page's console when the Content-Security-Policy blocks something.
CSP_VIOLATION = re.compile(r"Content Security Policy|Refused to")


#: The axe-core impacts a page may not have: a person using a screen reader or a keyboard
#: cannot get past them.
BLOCKING_IMPACTS = {"serious", "critical"}
#: Elements axe may not judge, each with why. Empty: every finding is fixed at its source.
AXE_EXCLUDED_SELECTORS: list[str] = []


class WatchedBrowser:
    """The browser the tests drive. Every window it opens reports what would make the test
    that opened it fail:

    - `csp_violations`: what the site's Content-Security-Policy blocked;
    - `outside_requests`: every request to a host other than 127.0.0.1, which is refused -
      no test may depend on, or leak to, the internet;
    - `accessibility_violations`: the serious and critical axe-core findings on each page
      loaded (checked once per path per test, as axe takes a few hundred milliseconds)."""

    def __init__(self, browser):
        self._browser = browser
        self.csp_violations: list[str] = []
        self.outside_requests: list[str] = []
        self.accessibility_violations: list[str] = []
        self.checked_paths: set[tuple[str, str]] = set()

    def start_test(self) -> None:
        self.csp_violations.clear()
        self.outside_requests.clear()
        self.accessibility_violations.clear()
        self.checked_paths.clear()

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("console", self._watch)
        context.route("**/*", self._only_local)
        context.on("page", self._check_accessibility_on_load)
        return context

    def _watch(self, message) -> None:
        if CSP_VIOLATION.search(message.text):
            where = message.page.url if message.page else "?"
            self.csp_violations.append(f"{where}: {message.text}")

    def _only_local(self, route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.fallback()
        else:
            self.outside_requests.append(route.request.url)
            route.abort()

    def _check_accessibility_on_load(self, page) -> None:
        page.on("load", self._check_accessibility)

    def _check_accessibility(self, page) -> None:
        address = urlsplit(page.url)
        if address.hostname != "127.0.0.1":
            return  # about:blank, or a download
        key = (page.viewport_size["width"] if page.viewport_size else 0, address.path)
        if key in self.checked_paths:
            return
        self.checked_paths.add(key)
        from axe_playwright_python.sync_playwright import Axe

        try:
            results = Axe().run(page, context={"exclude": AXE_EXCLUDED_SELECTORS})
        except Exception as error:  # the page navigated away while axe ran: check the next
            if "context was destroyed" in str(error) or "navigation" in str(error):
                self.checked_paths.discard(key)
                return
            raise
        for violation in results.response["violations"]:
            if violation["impact"] not in BLOCKING_IMPACTS:
                continue
            for node in violation["nodes"]:
                self.accessibility_violations.append(
                    f"{page.url}: {violation['id']} ({violation['impact']}) "
                    f"{node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}"
                )

    def __getattr__(self, name):
        return getattr(self._browser, name)


def closing_every_response(app):
    """`app`, reading each response whole and closing it before a byte is sent. A browser
    that drops a connection mid-response (a favicon it no longer wants) makes werkzeug's
    development server skip closing the response, leaving a static file open; the warning
    that raises in a later test would fail it for nothing it did."""

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


def serve(app):
    """`app` on a free port of 127.0.0.1 in a thread; the server and its URL."""
    server = make_server("127.0.0.1", 0, closing_every_response(app), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    database = migrated_sqlite_database(tmp_path_factory.mktemp("live") / "live.sqlite3")
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": database, "WTF_CSRF_ENABLED": True})


@pytest.fixture(scope="session")
def live_server(live_app):
    server, url = serve(live_app)
    yield url
    server.shutdown()
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield WatchedBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def watched_pages(request):
    """Every browser test fails if any page it opened broke the Content-Security-Policy,
    asked for anything beyond 127.0.0.1, or had a serious accessibility fault."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    browser.start_test()
    yield
    assert not browser.csp_violations, "\n".join(browser.csp_violations)
    assert not browser.outside_requests, "requests left the machine:\n" + "\n".join(
        browser.outside_requests
    )
    assert not browser.accessibility_violations, "accessibility:\n" + "\n".join(
        browser.accessibility_violations
    )


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def demo_uploads(demo_database: Path) -> Path:
    """The folder holding the demo's files (its photos): each app serving a copy of the demo
    database reads them there, as every test app otherwise gets an upload folder of its own."""
    return demo_database.with_name("uploads")


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A SQLite file holding the demo marketplace, loaded once; each journey works on a copy."""
    from warehouse_exchange.adapters.clock import utc_today
    from warehouse_exchange.demo import load_demo_data

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": migrated_sqlite_database(path),
            "UPLOAD_FOLDER": str(demo_uploads(path)),
        },
    )
    with app.app_context():
        load_demo_data(app.extensions["geocoder"], utc_today())
        db.session.remove()
        db.engine.dispose()  # the last connection to close folds the write-ahead log in
    assert not path.with_name(path.name + "-wal").exists()
    return path


@dataclass
class Site:
    url: str
    app: object


@pytest.fixture(scope="module")
def demo_site(demo_database, tmp_path_factory):
    """The demo marketplace served on 127.0.0.1 for one journey, with CSRF on as in production
    and its own copy of the data, so the journey's days and money touch no other test."""
    from warehouse_exchange.adapters.clock import set_clock_offset

    path = tmp_path_factory.mktemp("journey") / "demo.sqlite3"
    shutil.copyfile(demo_database, path)
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "WTF_CSRF_ENABLED": True,
            "UPLOAD_FOLDER": str(demo_uploads(demo_database)),
        },
    )
    server, url = serve(app)
    yield Site(url, app)
    server.shutdown()
    set_clock_offset(timedelta(0))
    with app.app_context():
        db.engine.dispose()
