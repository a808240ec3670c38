"""Playwright with Debian's chromium (never a downloaded browser) against the live prod server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:  # `make test` installs it: a missing browser is a broken setup, not a reason to pass
        pytest.fail("Debian chromium is not installed (apt-get install chromium); `make test` installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.call_report = report


@pytest.fixture(scope="session")
def db(live_server):
    """The live server's database, for a test to prepare rows and check what the pages wrote."""
    from pm_admin.core.db import make_engine

    engine = make_engine(live_server.database_url)
    yield engine
    engine.dispose()


def csp_violations(page) -> list[str]:
    """Chromium's console reports of anything the Content-Security-Policy blocked on this page (growing list)."""
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


DESKTOP, PHONE = {"width": 1280, "height": 860}, {"width": 390, "height": 844}


def another_browser(browser, live_server, viewport: dict[str, int] = DESKTOP, **options):
    """A person's own browser (a colleague's desk, an owner's or a steward's phone): its context, which the test
    closes, and a first page."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.base_url, **options)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


@pytest.fixture
def page(request, browser, live_server):
    context, page = another_browser(browser, live_server)
    violations = csp_violations(page)
    yield page
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:
        screenshot(page, f"FAILED-{request.node.name}")
        # The server's log lives in a temporary folder: show its end beside the failure.
        print(f"--- end of the server log ---\n{live_server.log_tail(60)}")
    context.close()
    # Every page a browser test opens runs under the app's Content-Security-Policy without a violation.
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """``full_page=False`` for what the user sees now (a drag in progress: a full-page capture resizes the view)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
