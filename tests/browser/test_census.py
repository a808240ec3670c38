"""Quarterly census in the browser: the community's cs (the default, seed 001 §4.4.2) confirms a household;
"changed" without a change is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from pm_admin.census.models import CensusTask, TaskStatus
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser


def test_the_cs_confirms_a_household_and_cannot_claim_a_change_not_made(page, db):
    log_in(page, "demo.cs")
    page.wait_for_url(at_home)
    page.goto("/census")
    tasks = page.get_by_test_id("census-tasks")
    first = tasks.locator("[data-row-id]").first
    expect(first).to_contain_text("待普查")
    task_id = int(first.get_attribute("data-row-id"))

    first.get_by_test_id("census-changed").click()
    dialog = page.get_by_test_id("census-result")
    expect(dialog).to_contain_text("登记有变化")
    dialog.get_by_test_id("census-result-save").click()
    expect(dialog).to_contain_text("还没有在业主页面登记任何变化")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)

    tasks.locator(f"[data-row-id='{task_id}']").get_by_test_id("census-confirm").click()
    expect(dialog).to_contain_text("确认无变化")
    dialog.locator("textarea[name=note]").fill("已电话核实，家庭情况无变化")
    dialog.get_by_test_id("census-result-save").click()
    expect(dialog).to_have_count(0)
    # "Only pending" is on: the confirmed household leaves the list.
    expect(tasks.locator(f"[data-row-id='{task_id}']")).to_have_count(0)
    screenshot(page, "census-confirmed")

    with Session(db) as session:
        task = session.get(CensusTask, task_id)
        assert (task.status, task.note, task.completed_by) == (TaskStatus.CONFIRMED, "已电话核实，家庭情况无变化",
                                                               "demo.cs")
