"""What a user waits for, in a real browser: Playwright (Debian's chromium) against ``reflex run --env prod``.

    .venv/bin/python bench/ui.py                       # starts a server on the demo data (SQLite, memory state)
    .venv/bin/python bench/ui.py --runs 5 --user demo.manager
    .venv/bin/python bench/ui.py --url http://127.0.0.1:3000   # a server already running (its own password costs)

Each run is a new browser context (no cookies, an empty cache), as a colleague's first visit of the day: it signs
in, opens each page from the sidebar and by its address, waits for the dashboard's charts, turns the owner grid's
page and switches the board's tier tab. Every figure is the time from the user's action (a click, an address
typed) until the condition that shows the result on screen holds, waited for, never slept. Prints p50/p95 per
figure beside its target (issue 17): sign-in → home figures ≤ 1.0 s, a page's first content ≤ 1.0 s, the
dashboard with all its charts ≤ 1.5 s, a click → updated content ≤ 300 ms.

The server this script starts is the test suite's (``tests.support.server``), whose demo accounts are hashed at
bcrypt's cheapest cost; the signing-in user's password is hashed again at production's cost (12) first, so the
sign-in pays what it pays in production.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PM_ENV", "test")
os.environ.setdefault("PM_DATA_DIR", tempfile.mkdtemp(prefix="pm_bench_"))

from pm_admin.dashboards.charts import FIGURES  # noqa: E402
from pm_admin.demo.seed import DEMO_PASSWORD  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402

PRODUCTION_BCRYPT_ROUNDS = 12
CHART_NAMES = list(FIGURES)  # the three satisfaction charts only where surveys were answered
SIGN_IN, FIRST_CONTENT, DASHBOARD, CLICK = 1.0, 1.0, 1.5, 0.3
# Each page's first content: the rows (or cards, or figures) of its data, not the frame around them — a CSS
# selector and, where the element shows before its data, the text it must show.
PAGES = {
    "owners": ("/owners", "[data-testid='owners-grid'] [data-row-id]", ""),
    "tickets": ("/tickets", "[data-testid='ticket-list'] [data-row-id]", ""),
    # The urgent tab (the board's first) may have no card at all: its count arrives with its cards.
    "ticket_board": ("/tickets/board", "[data-testid='tier-urgent'] .rt-Badge", "^[0-9]+$"),
    "archives": ("/archives", "[data-testid='archive-catalog'] [data-row-id]", ""),
    "dashboard": ("/dashboard", "[data-testid='kpi-created']", "^[0-9,]+$"),
}
# Checked on every animation frame in the page. Not ``locator.wait_for``: Playwright re-checks a selector after 20,
# 50, 100, 100 and then every 500 ms, so anything later than ~0.3 s was read up to half a second late.
SHOWN = """([selector, pattern]) => {
    const element = document.querySelector(selector);
    return !!element && element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden'
        && (!pattern || new RegExp(pattern).test(element.textContent.trim()));
}"""
# Every Plotly chart card on the page drawn with its data (an empty figure would pass a plain visibility check).
CHARTS_DRAWN = """names => {
    const cards = names.map(name => document.querySelector(`[data-testid='chart-${name}']`)).filter(Boolean);
    return cards.length >= names.length - 3 && cards.every(card => {
        const plot = card.querySelector('.js-plotly-plot');
        return plot && plot.data && plot.data.length > 0 && plot.querySelector('.main-svg');
    });
}"""


def shown(page, selector: str, text: str = "") -> None:
    page.wait_for_function(SHOWN, arg=[selector, text], polling="raf")


# The tab is selected and shows its own cards: others than before, or none when its count says it has none.
TIER_SHOWN = """([tier, before]) => {
    const tab = document.querySelector(`[data-testid='tier-${tier}']`);
    const codes = [...document.querySelectorAll("[data-testid='ticket-card']")].map(c => c.dataset.code).join();
    const empty = tab.querySelector('.rt-Badge')?.textContent.trim() === '0';
    return tab.getAttribute('aria-selected') === 'true' && (empty ? codes === '' : codes !== before);
}"""


def not_login(url: str) -> bool:
    return not urlsplit(url).path.rstrip("/").endswith("/login")


class Figures:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.targets: dict[str, float] = {}
        self.errors: dict[str, int] = defaultdict(int)

    def measure(self, action, *checkpoints: tuple[str, float, Callable[[], object]]) -> None:
        """``action`` is the user's (a click, an address); each checkpoint's figure is the time from it until the
        checkpoint's condition holds (waited for in order: later ones include the earlier ones' time)."""
        started = time.perf_counter()
        name = "the action"
        try:
            action()
            for name, target, until in checkpoints:
                self.targets[name] = target
                until()
                self.samples[name].append(time.perf_counter() - started)
        except Exception as error:  # a figure that never came is counted, not hidden: the run goes on
            self.errors[name] += 1
            print(f"  {name}: {type(error).__name__}: {str(error).splitlines()[0]}", file=sys.stderr)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def sign_in(page, figures: Figures, username: str) -> None:
    page.goto("/login")
    page.wait_for_function("() => { const b = document.querySelector(\"[data-testid='login-submit']\");"
                           " return b && !b.disabled; }")  # enabled once the page is hydrated
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    figures.measure(page.get_by_test_id("login-submit").click,
                    ("sign-in click → leaves /login", SIGN_IN, lambda: page.wait_for_url(not_login, wait_until="commit")),
                    ("sign-in click → home figures", SIGN_IN,
                     lambda: shown(page, "[data-testid='home-figure']")))


def visible_nav(page, key: str):
    return page.locator(f"[data-nav='{key}']").filter(visible=True).first


def charts_drawn(page) -> None:
    page.wait_for_function(CHARTS_DRAWN, arg=CHART_NAMES)


def pages_from_sidebar(page, figures: Figures) -> None:
    for key, (path, selector, text) in PAGES.items():
        checkpoints = [(f"sidebar → {path} first content", FIRST_CONTENT,
                        lambda selector=selector, text=text: shown(page, selector, text))]
        if key == "dashboard":
            checkpoints.append(("sidebar → /dashboard all charts", DASHBOARD, lambda: charts_drawn(page)))
        figures.measure(visible_nav(page, key).click, *checkpoints)


def pages_by_address(context, figures: Figures) -> None:
    """Each in a new tab: a tab of its own has no state of an earlier visit to show before the page's load runs."""
    for key, (path, selector, text) in PAGES.items():
        page = context.new_page()
        checkpoints = [(f"open {path} → first content", FIRST_CONTENT,
                        lambda page=page, selector=selector, text=text: shown(page, selector, text))]
        if key == "dashboard":
            checkpoints.append(("open /dashboard → all charts", DASHBOARD, lambda page=page: charts_drawn(page)))
        figures.measure(lambda page=page, path=path: page.goto(path, wait_until="commit"), *checkpoints)
        page.close()


def first_row(page, testid: str) -> str:
    return page.locator(f"[data-testid='{testid}'] [data-row-id]").first.get_attribute("data-row-id") or ""


def clicks(page, figures: Figures) -> None:
    page.goto("/owners")
    grid = page.get_by_test_id("owners-grid")
    grid.locator("[data-row-id]").first.wait_for()
    for direction in ("next", "previous"):
        before = first_row(page, "owners-grid")
        button = grid.get_by_role("button", name=re.compile("下一页" if direction == "next" else "上一页"))
        figures.measure(button.click, (f"owners grid: {direction} page", CLICK, lambda before=before: page.wait_for_function(
            "before => { const row = document.querySelector(\"[data-testid='owners-grid'] [data-row-id]\");"
            " return row && row.dataset.rowId !== before; }", arg=before)))
    page.goto("/tickets/board?tier=normal")
    page.get_by_test_id("ticket-card").first.wait_for()
    for tier in ("important", "urgent", "normal"):
        codes = page.get_by_test_id("ticket-card").evaluate_all("cards => cards.map(c => c.dataset.code).join()")
        figures.measure(page.get_by_test_id(f"tier-{tier}").click, (f"board: tier tab {tier}", CLICK,
                        lambda tier=tier, codes=codes: page.wait_for_function(TIER_SHOWN, arg=[tier, codes])))


def run_once(browser, base_url: str, username: str, figures: Figures) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", base_url=base_url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        sign_in(page, figures, username)
        pages_from_sidebar(page, figures)
        pages_by_address(context, figures)
        clicks(page, figures)
    finally:
        context.close()


def report(figures: Figures, runs: int) -> None:
    print(f"\n{'figure':<42} {'p50':>7} {'p95':>7} {'target':>7}  met  (n, errors) over {runs} runs")
    for name, samples in figures.samples.items():
        if not samples:
            continue
        p50, p95 = percentiles(samples)
        target = figures.targets[name]
        print(f"{name:<42} {p50:>6.2f}s {p95:>6.2f}s {target:>6.2f}s  {'yes' if p95 <= target else 'NO ':<4} "
              f"({len(samples)}, {figures.errors.get(name, 0)})")
    for name, count in figures.errors.items():
        if not figures.samples.get(name):
            print(f"{name:<42} no figure: {count} errors")


def production_password(database_url: str, username: str) -> None:
    """The seeded demo hashes are at the suite's bcrypt cost 4; production's is 12."""
    from sqlmodel import Session, select

    from pm_admin.auth.models import User
    from pm_admin.auth.passwords import hash_password
    from pm_admin.core.db import make_engine

    engine = make_engine(database_url)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        user.password_hash = hash_password(DEMO_PASSWORD, rounds=PRODUCTION_BCRYPT_ROUNDS)
        session.add(user)
        session.commit()
    engine.dispose()


def load_average() -> str:
    return "load average " + ", ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server; default: start one on the demo data")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--user", default="demo.manager", help="a user who may open every page measured")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("Debian chromium is not installed (apt-get install chromium)")
    server = None
    try:
        if args.url:
            base_url = args.url
        else:
            from tests.support.server import DemoData, ProdServer

            demo = DemoData(Path(tempfile.mkdtemp(prefix="pm_bench_demo_")))
            server = ProdServer(Path(tempfile.mkdtemp(prefix="pm_bench_server_")), demo).start()
            production_password(server.database_url, args.user)
            base_url = server.base_url
        print(f"{base_url}, {args.user}, {args.runs} runs; {os.cpu_count()} cores, {load_average()} before")
        figures = Figures()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            run_once(browser, base_url, args.user, Figures())  # warm-up: the server's first compile of each page
            for n in range(args.runs):
                run_once(browser, base_url, args.user, figures)
                print(f"  run {n + 1}/{args.runs} done ({load_average()})", file=sys.stderr)
            browser.close()
        report(figures, args.runs)
        print(f"\n{load_average()} after; uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
