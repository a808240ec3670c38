"""Scorecards 绩效 in the browser: a technician reads their own card and the tickets behind a figure; a manager
reads the staff of their communities; an executive the departments, and no staff card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser


def pick_last_month(page) -> None:
    page.get_by_test_id("scorecards-period").click()
    page.get_by_role("option", name="上月", exact=True).click()
    page.wait_for_url(re.compile(r"period=last_month"))


def test_a_technician_reads_their_card_and_the_tickets_behind_a_figure(page):
    log_in(page, "demo.technician")
    page.wait_for_url(re.compile(r"/my-orders/?$"))
    page.goto("/scorecards")
    expect(page.get_by_test_id("own-card")).to_be_visible()
    pick_last_month(page)
    handled = page.get_by_test_id("figure-handled")
    expect(handled).to_have_text(re.compile(r"^\d+$"))
    count = int(handled.inner_text())
    assert count > 0  # the demo technician resolves tickets every month
    expect(page.get_by_test_id("figure-sla_compliance")).to_have_text(re.compile(r"^\d+\.\d%$"))
    handled.click()
    dialog = page.get_by_test_id("tickets-behind")
    expect(dialog.get_by_test_id("behind-row")).to_have_count(min(count, 200))
    expect(dialog.get_by_test_id("behind-row").first).to_contain_text(re.compile(r"TS-\d{8}-\d{4}"))
    screenshot(page, "scorecard-technician")
    # Not a manager: the staff view is not offered, and asking for it in the URL falls back to their own card.
    page.goto("/scorecards?view=team")
    expect(page.get_by_test_id("own-card")).to_be_visible()
    expect(page.get_by_test_id("scorecards-table")).to_have_count(0)


def test_a_manager_reads_the_staff_and_an_executive_the_departments(page):
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    expect(page.get_by_test_id("home.rooms")).to_have_text(re.compile(r"^\d+$"))
    page.goto("/scorecards?view=team&period=last_month")
    rows = page.get_by_test_id("scorecard-row")
    expect(rows.first).to_be_visible()
    technician = rows.filter(has_text=re.compile("师傅"))
    expect(technician.first).to_be_visible()
    screenshot(page, "scorecard-team", full_page=True)
    # Only figures that count tickets open the tickets behind them: a steward's household figures are plain text.
    expect(page.get_by_test_id("cell-survey_index").filter(has_text=re.compile(r"\d")).first).to_be_visible()
    expect(page.get_by_test_id("cell-survey_index").locator("a")).to_have_count(0)
    first_value = technician.first.locator("a").first
    value = first_value.inner_text()
    first_value.click()
    expect(page.get_by_test_id("tickets-behind").get_by_test_id("behind-row")).to_have_count(min(int(value), 200))
    page.get_by_role("button", name="关闭").click()

    page.context.clear_cookies()
    log_in(page, "demo.executive")
    page.wait_for_url(at_home)
    expect(page.get_by_test_id("home.rooms")).to_have_text(re.compile(r"^\d+$"))
    page.goto("/scorecards?period=last_month")
    expect(page.get_by_test_id("scorecards-view")).to_contain_text("部门")
    expect(page.get_by_test_id("scorecards-view")).not_to_contain_text("员工")
    expect(page.get_by_test_id("scorecard-row").first).to_be_visible()
    screenshot(page, "scorecard-departments")
