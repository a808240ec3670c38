"""Surveys end to end: an owner answers through a one-time link on a phone, the manager's results move,
the same link is refused the second time; a steward enters a phone survey with a mistake first."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, select

from pm_admin.auth.models import User
from pm_admin.places.models import Building, Community, Room
from pm_admin.surveys import queries
from pm_admin.surveys.models import PlanStatus, SurveyPlan, SurveyResponse
from pm_admin.surveys.services import responses
from tests.browser.conftest import PHONE, another_browser, screenshot
from tests.browser.test_login_and_menus import at_home, log_in
from tests.support import factories

pytestmark = pytest.mark.browser


def signed_in(session, username: str):
    return factories.sign_in(session, session.exec(select(User).where(User.username == username)).one())


def open_plan_and_link(db):
    with Session(db) as session:
        manager = signed_in(session, "demo.manager")
        plan_id = session.exec(select(SurveyPlan.id).where(SurveyPlan.status == PlanStatus.OPEN)).first()
        community = session.exec(select(Community.id).where(Community.code == "C01")).one()
        link = responses.issue_links(session, actor=manager, plan_id=plan_id, community_id=community)[0]
        before = queries.results(session, manager, plan_id, "zh-CN")
        session.commit()
    return plan_id, link, before


def building_of(db, room_code: str) -> str:
    """The building's label on the results page, e.g. "翠湖花园 3栋"."""
    with Session(db) as session:
        return session.execute(sa.select(Community.name + " " + Building.name)
                               .join(Building, Building.community_id == Community.id)
                               .join(Room, Room.building_id == Building.id).where(Room.code == room_code)).scalar_one()


def building_index(results: dict, label: str) -> float:
    return next((row["index"] for row in results["buildings"] if row["name"] == label), 0.0) or 0.0


def test_an_owner_answers_once_through_the_link_and_the_score_moves(browser, live_server, page, db):
    plan_id, link, before = open_plan_and_link(db)
    phone, owner = another_browser(browser, live_server, PHONE)
    owner.goto(f"/s/{link.token}")
    expect(owner.get_by_test_id("survey-room")).to_contain_text(link.room_code)
    questions = owner.get_by_test_id("survey-question")
    expect(questions.first).to_be_visible()
    owner.get_by_test_id("survey-submit").click()  # nothing answered: told which questions, the link still works
    expect(owner.locator(".field-error").first).to_have_text("请回答此题")
    for index in range(7):  # the seven rating questions: all "5"
        questions.nth(index).get_by_role("radio", name="5", exact=True).check()
    questions.nth(7).get_by_role("radio", name="停车管理").check()
    questions.nth(8).locator("textarea").fill("物业服务很好，谢谢")
    screenshot(owner, "survey-owner-phone")
    owner.get_by_test_id("survey-submit").click()
    expect(owner.get_by_test_id("survey-thanks")).to_be_visible()
    owner.goto(f"/s/{link.token}")  # the same link again
    expect(owner.get_by_test_id("survey-refused")).to_contain_text("此链接已使用过")
    screenshot(owner, "survey-link-used")
    phone.close()

    with Session(db) as session:
        after = queries.results(session, signed_in(session, "demo.manager"), plan_id, "zh-CN")
    building = building_of(db, link.room_code)
    # All fives pull the household's building up (the company-wide index may move less than its rounding).
    assert building_index(after, building) > building_index(before, building)
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto(f"/surveys/{plan_id}")
    expect(page.get_by_test_id("satisfaction-index")).to_have_text(f"{after['index']:g}")  # as JavaScript prints it
    expect(page.get_by_test_id("by-building")).to_contain_text(f"{building}{building_index(after, building):g}")
    screenshot(page, "survey-results")


def test_a_steward_enters_a_phone_survey_and_a_mistake_keeps_the_answers(page, db):
    with Session(db) as session:
        plan_id = session.exec(select(SurveyPlan.id).where(SurveyPlan.status == PlanStatus.OPEN)).first()
        community = session.exec(select(Community.id).where(Community.code == "C01")).one()
        room_id, room_code = session.execute(
            sa.select(Room.id, Room.code).where(Room.id.in_(responses.targeted_households(session, plan_id, community)),
                                                Room.id.not_in(select(SurveyResponse.room_id)
                                                               .where(SurveyResponse.plan_id == plan_id)))
            .order_by(Room.id)).first()
    log_in(page, "demo.steward")
    page.wait_for_url(at_home)
    page.goto(f"/surveys/{plan_id}")
    page.get_by_test_id("tab-collection").click()
    form = page.locator("form").filter(has=page.get_by_test_id("entry-save"))
    form.get_by_test_id("entry-room").fill("C09-1-1-101")  # no such room
    questions = form.get_by_test_id("survey-question")
    for index in range(7):
        questions.nth(index).get_by_role("radio", name="4", exact=True).check()
    questions.nth(7).get_by_role("radio", name="噪音").check()
    page.get_by_test_id("entry-save").click()
    expect(form.locator(".field-error")).to_have_text(["没有这个房号"])
    screenshot(page, "survey-entry-error")
    expect(questions.nth(0).get_by_role("radio", name="4", exact=True)).to_be_checked()  # nothing typed is lost
    form.get_by_test_id("entry-room").fill(room_code)
    page.get_by_test_id("entry-save").click()
    expect(page.get_by_text(f"已保存 {room_code} 的问卷")).to_be_visible()
    with Session(db) as session:
        saved = session.exec(select(SurveyResponse).where(SurveyResponse.plan_id == plan_id,
                                                          SurveyResponse.room_id == room_id)).one()
    assert (saved.method, saved.entered_by) == ("phone", "demo.steward")


def test_publishing_results_asks_first_naming_the_plan(page, db):
    """Issue 17 item 4: an irreversible step (公示) asks for confirmation naming the plan; cancelling changes nothing."""
    with Session(db) as session:
        plan = session.exec(select(SurveyPlan).where(SurveyPlan.status == PlanStatus.CLOSED)
                            .order_by(SurveyPlan.id.desc())).first()
        plan_id, title = plan.id, plan.title
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto(f"/surveys/{plan_id}")
    page.get_by_test_id("publish-plan").click()
    dialog = page.get_by_test_id("publish-plan-dialog")
    expect(dialog).to_contain_text(title)
    screenshot(page, "survey-publish-confirm")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    with Session(db) as session:
        assert session.get(SurveyPlan, plan_id).status == PlanStatus.CLOSED
    page.get_by_test_id("publish-plan").click()
    page.get_by_test_id("publish-plan-confirm").click()
    expect(page.get_by_test_id("publish-plan")).to_have_count(0)
    with Session(db) as session:
        assert session.get(SurveyPlan, plan_id).status == PlanStatus.PUBLISHED
