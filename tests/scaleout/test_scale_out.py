"""The production topology end to end: nginx (Debian's) in front of two backend-only workers sharing Redis and
PostgreSQL, all on loopback, built and configured with deploy/ (what production and ``make run WORKERS=n`` use).

One smoke run through nginx, not the whole suite: the pages and headers nginx serves itself, crafted events
(a refusal, a permitted event, two tabs on different workers sharing data and state), and a browser.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import pkgutil
import re
import shutil

import httpx
import pytest
import redis
from playwright.sync_api import expect
from sqlmodel import Session, select

import pm_admin
from deploy import scaleout
from pm_admin.places.models import Room
from pm_admin.places.states.places import RoomForm, RoomsState
from pm_admin.users.states.users import UsersState
from tests.browser.conftest import CHROMIUM_ARGS, csp_violations, screenshot
from tests.browser.test_login_and_menus import at_home, log_in
from tests.server.test_crafted_events import audit_count, state_delta, toasts
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.postgres import PostgresUnavailable, _bindir
from tests.support.scale_out import SESSION_IDLE_MINUTES, ScaleOutStack
from tests.support.server import free_port
from tests.support.ws_client import CraftedClient, event_name

# Pages sharing a first segment with an HTTP route, and look-alikes of its prefixes: all stay with the build.
PAGES = ("/", "/login", "/owners", "/owners/17", "/archives", "/archives/requests", "/archives/17", "/tickets",
         "/tickets/board", "/tickets/17", "/files", "/authority", "/portal", "/portal/login", "/portal/tickets",
         "/portal/tickets/17", "/portal/activate/abc", "/portal/sessions", "/owner-accounts", "/messages")


def app_http_routes() -> list[str]:
    """Every Starlette route the app declares (each ``routes`` list of a ``…routes`` module of pm_admin)."""
    paths = []
    for module in pkgutil.walk_packages(pm_admin.__path__, "pm_admin."):
        if module.name.rsplit(".", 1)[-1].endswith("routes"):
            paths += [route.path for route in getattr(importlib.import_module(module.name), "routes", [])]
    return paths


def test_nginx_sends_every_http_route_to_the_workers_and_pages_to_the_build():
    proxied = scaleout.proxied_paths()
    routes = app_http_routes()
    assert {"/auth/session", "/files/upload/{purpose}", "/archives/file/{file_id}"} <= set(routes)
    for path in routes + ["/ping", "/_upload", "/_all_routes", "/api/v1/openapi.json", "/api/v1/tickets/17"]:
        assert proxied.match(re.sub(r"\{[^}]+\}", "17", path)), f"{path} is not proxied by deploy/nginx/pm_admin.conf"
    assert not [page for page in PAGES if proxied.match(page)]


def missing_servers() -> list[str]:
    missing = []
    try:
        scaleout.nginx_executable()
    except scaleout.ScaleOutError as error:
        missing.append(str(error))
    if shutil.which("redis-server") is None:
        missing.append("redis-server is not installed (apt-get install redis-server)")
    try:
        _bindir()
    except PostgresUnavailable as error:
        missing.append(str(error))
    return missing


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if missing := missing_servers():
        pytest.skip("scale-out stack unavailable (`make system-test-deps` installs it): " + "; ".join(missing))
    stack = ScaleOutStack(tmp_path_factory.mktemp("scale_out"))
    try:
        stack.start()
    except PostgresUnavailable as error:
        pytest.skip(f"PostgreSQL unavailable on this machine: {error}")
    print(f"scale-out stack up (cumulative seconds): {stack.timings}")
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def db(stack):
    from pm_admin.core.db import make_engine

    engine = make_engine(stack.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def on_failure_show_logs(request, stack):
    yield
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:
        print(stack.logs())


@pytest.mark.scaleout
def test_nginx_serves_the_build_compressed_cached_and_with_the_apps_headers(stack, on_failure_show_logs):
    gzip = {"Accept-Encoding": "gzip"}
    home = httpx.get(f"{stack.base_url}/", headers=gzip)
    assert home.status_code == 200 and home.headers["content-encoding"] == "gzip"
    assert home.headers["cache-control"] == "no-cache"
    assert home.headers["x-frame-options"] == "DENY" and "'sha256-" in home.headers["content-security-policy"]
    script = re.search(r'"(/assets/[^"]+\.js)"', home.text).group(1)
    asset = httpx.get(f"{stack.base_url}{script}", headers=gzip)
    assert asset.status_code == 200 and asset.headers["content-encoding"] == "gzip"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    dynamic = httpx.get(f"{stack.base_url}/owners/17")  # no file of its own: the SPA fallback, not a 404
    assert dynamic.status_code == 200 and "<html" in dynamic.text.lower()
    # A route of the app answers from a worker, with the app's own headers (nginx adds none to them).
    refused = httpx.post(f"{stack.base_url}/auth/session", json={"ticket": "not-a-ticket"})
    assert refused.status_code == 401 and refused.headers.get_list("x-frame-options") == ["DENY"]
    assert httpx.get(f"{stack.base_url}/_health").json() == {"status": True, "redis": True}
    assert scaleout.health(stack.base_url, stack.worker_ports) == []
    dead = scaleout.health(stack.base_url, [*stack.worker_ports, free_port()])
    assert len(dead) == 1 and dead[0].startswith("worker ")


@pytest.mark.scaleout
def test_crafted_events_through_nginx_on_two_workers(stack, db, on_failure_show_logs):
    cs_cookie = cookie_for(stack.base_url, "demo.cs")
    manager_cookie = cookie_for(stack.base_url, "demo.manager")
    refusals_before = audit_count(db, "guard.refused")

    async def refused_and_permitted():
        async with CraftedClient(stack.base_url, cookie=cs_cookie) as cs:
            await cs.hydrate("/places/rooms")
            refused = await cs.send(event_name(UsersState, "load"), path="/admin/users")
            permitted = await cs.send(event_name(RoomsState, "load"), path="/places/rooms")
        return refused, permitted

    refused, permitted = run(refused_and_permitted())
    assert state_delta(refused, UsersState) == {} and toasts(refused)
    assert len(state_delta(permitted, RoomsState)["rows_rx_state_"]) == 20
    assert audit_count(db, "guard.refused") == refusals_before + 1  # written by a worker into PostgreSQL

    layout = "三室两厅（扩容测试）"

    async def closed(client: CraftedClient) -> None:
        """Disconnect, and wait until nginx has logged the socket: it no longer counts for least_conn."""
        await client.__aexit__(None, None, None)
        for _ in range(100):
            if client.token in stack.upstreams_by_token():
                return
            await asyncio.sleep(0.05)

    async def two_tabs_on_two_workers():
        # least_conn: while a socket is open on one worker, the next socket goes to the other.
        writer = await CraftedClient(stack.base_url, cookie=manager_cookie).__aenter__()
        reader = await CraftedClient(stack.base_url, cookie=manager_cookie).__aenter__()
        await writer.hydrate("/places/rooms")
        loaded = await writer.send(event_name(RoomsState, "load"), path="/places/rooms")
        room = state_delta(loaded, RoomsState)["rows_rx_state_"][0]
        await writer.send(event_name(RoomForm, "open_edit"), {"room_id": room["id"]})
        await writer.send(event_name(RoomForm, "save"), {"form": {
            "number": room["number"], "floor": str(room["floor"]), "area": room["area"], "layout": layout,
            "occupancy": room["occupancy"]}})
        await writer.send(event_name(RoomForm, "open_edit"), {"room_id": room["id"]})  # left open in the state
        await reader.hydrate("/places/rooms")
        seen = await reader.send(event_name(RoomsState, "load"), path="/places/rooms")
        # The writer's tab comes back on the reader's worker: a third socket holds the writer's worker meanwhile.
        await closed(writer)
        async with CraftedClient(stack.base_url) as holder:
            await closed(reader)
            async with CraftedClient(stack.base_url, cookie=manager_cookie, token=writer.token) as again:
                rehydrated = await again.hydrate("/places/rooms")
        return room, seen, rehydrated, writer.token, reader.token, holder.token

    room, seen, rehydrated, writer, reader, holder = run(two_tabs_on_two_workers())
    # What one worker wrote into PostgreSQL, the other read.
    assert {row["id"]: row["layout"] for row in state_delta(seen, RoomsState)["rows_rx_state_"]}[room["id"]] == layout
    with Session(db) as session:
        assert session.exec(select(Room.layout).where(Room.id == room["id"])).one() == layout
    # The open dialog came back from Redis: written by one worker, read by the other.
    assert state_delta(rehydrated, RoomForm)["values_rx_state_"]["layout"] == layout
    # It lives in Redis as long as a session may sit idle (rxconfig: redis_token_expiration).
    client = redis.Redis.from_url(stack.redis.url)
    ttls = {key.decode(): client.ttl(key) for key in client.keys(f"*{writer}*")}
    assert SESSION_IDLE_MINUTES * 60 - 120 < max(ttls.values()) <= SESSION_IDLE_MINUTES * 60, ttls
    upstreams = stack.upstreams_by_token()
    assert len(upstreams[writer]) == 2 and upstreams[writer][1] == upstreams[reader][0] != upstreams[writer][0], \
        upstreams
    assert upstreams[holder] == upstreams[writer][:1], upstreams
    assert {address.rsplit(":", 1)[1] for address in sum(upstreams.values(), [])} == {
        str(port) for port in stack.worker_ports}


def browse(base_url: str, chromium: str) -> list[str]:
    """Log in as demo.manager and open the owner list and the ticket board; returns the CSP violations seen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN", base_url=base_url)
        page = context.new_page()
        page.set_default_timeout(20_000)
        violations = csp_violations(page)
        try:
            log_in(page, "demo.manager")
            page.wait_for_url(at_home)
            page.goto("/owners")
            expect(page.get_by_test_id("owners-grid").get_by_role("link").first).to_be_visible()
            page.goto("/tickets/board?tier=normal")  # the urgent tab may be empty on the day the demo data is seeded
            expect(page.get_by_test_id("ticket-card").first).to_be_visible()
            screenshot(page, "scale-out-ticket-board")
        except BaseException:
            screenshot(page, "FAILED-scale-out-browser")
            raise
        finally:
            browser.close()
    return violations


@pytest.mark.scaleout
def test_browser_through_nginx(stack, on_failure_show_logs):
    chromium = shutil.which("chromium")
    if chromium is None:  # as in the browser tests: `make test` installs it, so a missing one is a broken setup
        pytest.fail("Debian chromium is not installed (apt-get install chromium); `make test` installs it")
    # A thread, so a Playwright of its own: the browser tests' session-wide one may be holding this thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        violations = pool.submit(browse, stack.base_url, chromium).result()
    assert violations == [], f"Content-Security-Policy violations behind nginx: {violations}"
