"""A manager gives a community's census and arrears follow-ups to the stewards on the community form (only that
field is theirs to change), and the open census tasks move with it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, select

from pm_admin.auth.models import User
from pm_admin.census.models import CensusTask
from pm_admin.places.models import Community
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser


def choose(page, row, label: str) -> None:
    row.get_by_role("button", name="编辑").click()
    dialog = page.get_by_test_id("community-form")
    expect(dialog.locator("input[name=name]")).to_be_disabled()  # the admins' to change
    dialog.get_by_test_id("household-work-role").click()
    page.get_by_role("option", name=label).click()
    dialog.get_by_test_id("community-form-save").click()
    expect(dialog).to_have_count(0)


def pending_assignees(db, community_id: int) -> set[str]:
    with Session(db) as session:
        return set(session.exec(select(User.username).join(CensusTask, CensusTask.assignee_id == User.id).where(
            CensusTask.community_id == community_id, CensusTask.status == "pending")).all())


def test_a_manager_gives_the_household_work_to_the_stewards_and_back(page, db):
    with Session(db) as session:
        c02 = session.exec(select(Community).where(Community.code == "C02")).one()
    assert c02.household_work_role == "cs" and pending_assignees(db, c02.id) == {"c02.service6"}
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/places/communities")
    row = page.get_by_test_id("communities-table").locator(f"[data-row-id='{c02.id}']")
    choose(page, row, "楼栋管家")
    expect(row).to_contain_text("管家")
    screenshot(page, "community-household-work-steward")
    with Session(db) as session:
        assert session.get(Community, c02.id).household_work_role == "steward"
        unassigned = session.scalar(sa.select(sa.func.count(CensusTask.id)).where(
            CensusTask.community_id == c02.id, CensusTask.status == "pending", CensusTask.assignee_id.is_(None)))
    assert pending_assignees(db, c02.id) == {"demo.steward"} and unassigned == 0  # the demo's steward of every building
    choose(page, row, "客服专员（待办最少者优先）")
    expect(row).to_contain_text("客服专员")
    assert pending_assignees(db, c02.id) == {"c02.service6"}
