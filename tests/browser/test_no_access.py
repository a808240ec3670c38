"""A page the role may not use shows the 无权限 page (its name, the permission missing, a link home), never an empty
page with refusal toasts."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in


def test_an_executive_opening_the_ticket_board_sees_no_access_and_no_toast(page):
    log_in(page, "demo.executive")
    page.wait_for_url(at_home)
    page.goto("/tickets/board")
    expect(page.get_by_test_id("no-access-title")).to_have_text("无权限")
    expect(page.get_by_test_id("no-access")).to_contain_text("工单看板")
    expect(page.get_by_test_id("no-access-permission")).to_have_text("tickets.view")
    expect(page.get_by_test_id("no-access")).to_contain_text("公司高管")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # a refused load's toast would have shown by now
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)
    screenshot(page, "no-access")
    page.get_by_test_id("no-access-home").click()
    page.wait_for_url(at_home)
    expect(page.get_by_test_id("no-access")).to_have_count(0)


def test_a_page_the_role_may_use_is_not_refused(page):
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/tickets/board")
    expect(page.get_by_test_id("column-new")).to_be_visible()
    expect(page.get_by_test_id("no-access")).to_have_count(0)
