"""Each role logs in and sees its own menu; wrong password; logout and Back."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from pm_admin.demo.seed import DEMO_PASSWORD
from tests.browser.conftest import another_browser, screenshot

pytestmark = pytest.mark.browser

MENUS = {
    "demo.admin": {"home", "owners", "contact_requests", "messages", "communities", "buildings", "rooms", "users",
                   "ticket_settings", "api_tokens", "audit"},
    "demo.manager": {"home", "visits", "visit_plans", "visit_report", "my_inspections", "inspections", "rectifications", "inspection_setup", "scorecards", "suggestions", "faq", "groups", "dashboard", "reports", "callback_batch", "surveys", "activities", "ticket_board", "tickets", "callbacks", "review", "owners",
                     "owner_accounts", "contact_requests", "notices", "meetings", "committee", "messages", "archives",
                     "archive_requests", "arrears", "census", "communities", "buildings", "rooms", "audit"},
    "demo.cs": {"home", "visits", "scorecards", "suggestions", "faq", "groups", "surveys", "activities", "ticket_board", "tickets", "callbacks", "review", "callback_batch", "owners", "owner_accounts",
                "contact_requests", "notices", "meetings", "committee", "archives", "archive_requests", "arrears",
                "census", "communities", "buildings", "rooms"},
    "demo.steward": {"home", "visits", "inspections", "rectifications", "scorecards", "suggestions", "faq", "groups", "surveys", "activities", "ticket_board", "tickets", "owners", "owner_accounts", "contact_requests",
                     "notices", "meetings", "committee", "arrears", "census", "communities", "buildings", "rooms"},
    "demo.technician": {"home", "my_inspections", "inspections", "rectifications", "scorecards", "my_orders", "communities", "buildings", "rooms"},
    "demo.archivist": {"home", "owners", "archives", "archive_requests", "communities", "buildings", "rooms"},
    "demo.executive": {"home", "visits", "visit_report", "inspections", "rectifications", "scorecards", "suggestions", "faq", "groups", "dashboard", "reports", "surveys", "activities", "meetings", "committee", "communities", "buildings", "rooms"},
}


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def at_home(url: str) -> bool:
    return urlsplit(url).path == "/"


def visible_menu(page) -> set[str]:
    page.locator("[data-nav='home']").filter(visible=True).first.wait_for()
    return {key for key in page.locator("[data-nav]").evaluate_all("els => els.filter(e => e.offsetParent)"
                                                                   ".map(e => e.dataset.nav)")}


@pytest.mark.parametrize("username", sorted(MENUS))
def test_each_role_sees_its_own_menu(page, username):
    log_in(page, username)
    if username == "demo.technician":  # a technician starts on 我的工单 (issue 17), home is one click away
        page.wait_for_url(re.compile(r"/my-orders/?$"))
        page.locator("[data-nav='home']").filter(visible=True).first.click()
    page.wait_for_url(at_home)
    assert visible_menu(page) == MENUS[username]
    expect(page.get_by_test_id("home.rooms")).to_have_text(re.compile(r"^\d+$"))
    # The header always names the scope: one community, or "all".
    expect(page.get_by_test_id("community-switcher")).to_have_text(re.compile(r"\S"))
    screenshot(page, f"home-{username}")


def test_wrong_password_shows_a_clear_message(page):
    log_in(page, "demo.cs", "not-the-password")
    # The refusal waits for a full bcrypt check (no timing hint): allow for a loaded machine.
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误", timeout=15_000)
    assert re.search(r"/login/?$", page.url)
    screenshot(page, "login-wrong-password")


def test_sign_in_waits_for_the_page_to_be_ready(page):
    """The page's load event resets the form: a sign-in sent before it would lose its error message.
    With the server's event socket held back the page never gets ready, so the button stays disabled."""
    page.route_web_socket(re.compile(r"/_event"), lambda socket: None)
    page.goto("/login")
    page.get_by_test_id("login-username").fill("demo.cs")
    page.get_by_test_id("login-password").fill("not-the-password")
    expect(page.get_by_test_id("login-submit")).to_be_disabled()
    page.get_by_test_id("login-password").press("Enter")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert re.search(r"/login/?$", page.url)


def test_the_sign_in_button_shows_progress_while_the_password_is_checked(page, db):
    """The check (bcrypt at cost 12 in production, then the session written) takes a while: the button turns busy
    at once. Here another connection holds the database's write lock, so the check cannot end until the test lets
    go: progress shown only with the answer (as before) never appears while the lock is held."""
    page.goto("/login")
    page.get_by_test_id("login-username").fill("demo.steward")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    submit = page.get_by_test_id("login-submit")
    expect(submit).to_be_enabled()
    with db.connect() as held:
        held.exec_driver_sql("UPDATE community SET name = name WHERE id = (SELECT min(id) FROM community)")
        submit.click()
        expect(submit).to_be_disabled()
        expect(submit.locator(".rt-Spinner")).to_be_visible()
        screenshot(page, "login-checking", full_page=False)
        assert re.search(r"/login/?$", page.url)
        held.rollback()
    page.wait_for_url(at_home)
    expect(page.get_by_test_id("home.rooms")).to_have_text(re.compile(r"^\d+$"))


def test_protected_page_without_login_goes_to_login(page):
    page.goto("/admin/users")
    page.wait_for_url(re.compile(r"/login/?\?next=/admin/users"))
    expect(page.get_by_test_id("login-submit")).to_be_visible()


def test_logout_returns_to_login_and_back_shows_no_data(page):
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/places/rooms")
    expect(page.get_by_test_id("rooms-table").locator("[data-row-id]").first).to_be_visible()
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/login/?$"))
    page.go_back()
    page.wait_for_url(re.compile(r"/login/?\?next="))
    assert page.locator("[data-row-id]").count() == 0
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    screenshot(page, "after-logout-back")


def test_admin_users_page_and_language_switch(page):
    log_in(page, "demo.admin")
    page.wait_for_url(at_home)
    page.goto("/admin/users")
    expect(page.get_by_test_id("users-table")).to_contain_text("demo.admin")
    expect(page).to_have_title("用户管理 · 物业管理后台")
    page.get_by_role("radio", name="EN").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page).to_have_title("Users · Property Admin")  # the tab follows the language too
    screenshot(page, "users-en")
    page.get_by_role("radio", name="中文").click()
    expect(page.get_by_role("heading", name="用户管理")).to_be_visible()
    expect(page).to_have_title("用户管理 · 物业管理后台")


def test_room_form_shows_field_errors_and_keeps_input(page):
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/places/rooms")
    page.get_by_test_id("rooms-table").locator("[data-row-id]").first.wait_for()
    page.get_by_test_id("rooms-table").get_by_role("button", name="编辑").first.click()
    dialog = page.get_by_test_id("room-form")
    dialog.locator("input[name=area]").fill("-5")
    dialog.locator("input[name=layout]").fill("3室2厅2卫")
    dialog.get_by_test_id("room-form-save").click()
    expect(dialog.locator(".field-error")).to_contain_text("必须大于 0")
    expect(dialog.locator("input[name=layout]")).to_have_value("3室2厅2卫")
    screenshot(page, "room-form-error")


def test_on_a_tablet_the_menu_is_a_drawer_and_pages_fit_the_screen(browser, live_server):
    context, page = another_browser(browser, live_server, {"width": 820, "height": 1180}, has_touch=True)
    try:
        log_in(page, "demo.manager")
        page.wait_for_url(at_home)
        assert page.locator("[data-nav]").evaluate_all("els => els.filter(e => e.offsetParent).length") == 0
        page.get_by_role("button", name="菜单").click()
        assert visible_menu(page) == MENUS["demo.manager"]
        screenshot(page, "tablet-drawer")
        page.locator("[data-nav='rooms']").filter(visible=True).first.click()
        page.wait_for_url(re.compile(r"/places/rooms"))
        expect(page.get_by_test_id("rooms-table").locator("[data-row-id]").first).to_be_visible()
        # Wide tables scroll inside their frame; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        screenshot(page, "tablet-rooms")
    finally:
        context.close()


@pytest.mark.parametrize("username", ["demo.manager", "demo.admin"])
def test_every_menu_page_runs_under_the_content_security_policy(page, username):
    """Each page of the menu loads, hydrates and shows its charts and toasts with the app's CSP in force (the
    ``page`` fixture fails the test on any violation Chromium reports)."""
    from pm_admin.shell.nav import NAV_ITEMS

    response = page.goto("/login")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy and "'sha256-" in policy
    log_in(page, username)
    page.wait_for_url(at_home)
    for item in NAV_ITEMS:
        if item.key not in MENUS[username]:
            continue
        page.locator(f"[data-nav='{item.key}']").filter(visible=True).first.click()
        page.wait_for_url(lambda url, href=item.href: urlsplit(url).path == href)
        page.wait_for_load_state("networkidle")
        expect(page.locator("[data-nav='home']").filter(visible=True).first).to_be_visible()
