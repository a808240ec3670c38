"""The visit programme end to end: the manager plans C01's weekly rounds (two visits a week) and its door-to-door
round and generates the tasks; the steward, on a phone, makes the week's two visits — the first from its household
task, where the owner raises an issue that becomes a ticket (channel 走访) with a reply promised in three days, the
second by phone the day before; the round and the household's task are done. The owner reads the promised date in
the portal; the daily job run for the day before that date reminds the steward through the outbox (in the delivery
log); the steward replies and the owner reads it. The completion report counts the round."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from pm_admin.auth.models import User
from pm_admin.core.clock import local_today
from pm_admin.notify.models import OutboxMessage
from pm_admin.tickets.models import Channel, Ticket
from pm_admin.visits.models import Visit, VisitIssue
from pm_admin.visits.services.plans import generate_all
from pm_admin.visits.services.replies import remind_due
from tests.browser.conftest import PHONE, another_browser, screenshot
from tests.browser.test_activities import invite, owner_phone, three_rooms
from tests.browser.test_login_and_menus import at_home, log_in
from tests.support.outbox import wait_until

pytestmark = pytest.mark.browser
ISSUE = "地下车库入口下雨积水，车开不进去"


def plan(page, kind_label: str, target: str | None = None) -> None:
    page.get_by_test_id("new-plan").click()
    form = page.get_by_test_id("plan-form")
    form.get_by_test_id("plan-community").click()
    page.get_by_role("option", name="翠湖花园").click()
    form.get_by_test_id("plan-kind").click()
    page.get_by_role("option", name=kind_label).click()
    if target is not None:
        form.get_by_test_id("plan-target").fill(target)
    form.get_by_test_id("plan-form-save").click()
    expect(form).to_be_hidden()


def choose(page, form, testid: str, option: str | None = None) -> None:
    form.get_by_test_id(testid).click()
    options = page.get_by_role("option")
    (options.filter(has_text=option).first if option else options.first).click()


def delivered(db, issue_id: int, template: str) -> bool:
    with Session(db) as session:
        return session.exec(select(OutboxMessage.id).where(
            OutboxMessage.cause == f"visit_issue:{issue_id}", OutboxMessage.template == template,
            col(OutboxMessage.status).in_(["delivered", "read"]))).first() is not None


def test_a_stewards_week_of_visits_raises_a_ticket_whose_promised_date_reminds(browser, live_server, page, db):
    community_id, rooms = three_rooms(db)
    room_a, room_b = rooms[0], rooms[1]
    today = local_today()
    earlier = max(today - timedelta(days=today.weekday()), today - timedelta(days=1))  # this week, before today
    promised = today + timedelta(days=3)

    # The manager plans C01's visits and generates this period's tasks at once.
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/visits/plans")
    plan(page, "每周走访", target="2")
    plan(page, "登门回访")
    weekly = page.get_by_test_id("visit-plans").locator("tr[data-kind='weekly']").filter(has_text="翠湖花园")
    weekly.get_by_test_id("plan-generate").click()
    expect(page.get_by_text(re.compile(r"已生成 \d+ 个走访任务"))).to_be_visible()
    expect(weekly.get_by_test_id("plan-tasks")).to_have_text("0 / 1")  # one steward, 张管家, has C01's buildings
    door = page.get_by_test_id("visit-plans").locator("tr[data-kind='door_to_door']").filter(has_text="翠湖花园")
    expect(door.get_by_test_id("plan-tasks")).to_have_text("0 / 0")  # each plan's button generates its own tasks
    door.get_by_test_id("plan-generate").click()
    expect(door.get_by_test_id("plan-tasks")).to_have_text(re.compile(r"^0 / [1-9]\d*$"))
    screenshot(page, "visit-plans")
    token, account_id = invite(page, db, community_id, room_a)
    owner_context, owner = owner_phone(browser, live_server, db, token, account_id)

    # The steward on a phone: room A's household task, recorded from the list; the issue becomes a ticket.
    steward_context, phone = another_browser(browser, live_server, PHONE)
    log_in(phone, "demo.steward")
    phone.wait_for_url(at_home)
    phone.goto(f"/visits?room={room_a}")
    task = phone.get_by_test_id("visit-tasks").locator("[data-row-id]").filter(has_text=room_a)
    expect(task).to_have_count(1)
    expect(task.get_by_test_id("task-state")).to_have_text("待走访")
    task.get_by_test_id("task-record").click()
    form = phone.get_by_test_id("visit-form")
    expect(form.get_by_test_id("visit-room")).to_have_value(room_a)
    form.get_by_test_id("visit-topics").fill("了解入住情况和对物业服务的意见")
    form.get_by_test_id("visit-satisfaction-4").click()
    screenshot(phone, "visit-form-phone", full_page=False)
    form.get_by_test_id("visit-add-issue").click()
    form.get_by_test_id("visit-issue-text-0").fill(ISSUE)
    choose(phone, form, "visit-issue-action-0", "转工单")
    choose(phone, form, "visit-issue-kind-0", "报修")
    choose(phone, form, "visit-issue-category-0")
    form.get_by_test_id("visit-issue-promised-0").fill(promised.isoformat())
    form.get_by_test_id("visit-issue").scroll_into_view_if_needed()
    screenshot(phone, "visit-form-phone-issue", full_page=False)
    box = form.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the form fits the phone's width
    form.get_by_test_id("visit-form-save").click()
    expect(form).to_be_hidden()
    expect(task).to_have_count(0)  # done: no longer open

    # The second visit of the week, yesterday by phone, to room B (typed).
    phone.get_by_test_id("new-visit").click()
    form.get_by_test_id("visit-room").fill(room_b)
    form.get_by_test_id("visit-day").fill(earlier.isoformat())
    choose(phone, form, "visit-method", "电话")
    form.get_by_test_id("visit-topics").fill("电话回访，了解维修后的使用情况")
    form.get_by_test_id("visit-satisfaction-5").click()
    form.get_by_test_id("visit-form-save").click()
    expect(form).to_be_hidden()
    phone.goto("/visits?state=done")
    round_row = phone.get_by_test_id("visit-tasks").locator("[data-row-id]").filter(has_text="每周走访")
    expect(round_row.get_by_test_id("task-progress")).to_have_text("2 / 2")

    with Session(db) as session:
        visit = session.exec(select(Visit).order_by(col(Visit.id).desc()).limit(2)).all()[-1]
        issue = session.exec(select(VisitIssue).where(VisitIssue.visit_id == visit.id)).one()
        ticket = session.get(Ticket, issue.ticket_id)
        assert (ticket.channel, ticket.kind, ticket.title[:8], ticket.room_id) == (
            Channel.VISIT, "repair", ISSUE[:8], visit.room_id)
        assert issue.promised_on == promised
        steward_id = session.exec(select(User.id).where(User.username == "demo.steward")).one()
    phone.goto(f"/visits?view=records&room={room_a}")
    expect(phone.get_by_test_id("issue-ticket")).to_have_text(ticket.code)
    screenshot(phone, "visit-records-phone")
    phone.get_by_test_id("issue-ticket").click()
    phone.wait_for_url(re.compile(rf"/tickets/{ticket.id}$"))
    expect(phone.get_by_text(ticket.code).first).to_be_visible()

    # The owner is told the promised date in the portal inbox.
    wait_until(lambda: delivered(db, issue.id, "notify.visit_reply_promised"), what="the owner's message")
    owner.goto("/portal/notices")
    expect(owner.get_by_test_id("portal-notice").filter(has_text=f"我们将于 {promised.isoformat()} 前答复您")) \
        .to_be_visible()

    # Time passes: the daily job of two days before reminds nobody, of the day before reminds the steward, once.
    with Session(db) as session:
        for day in (promised - timedelta(days=2), promised - timedelta(days=1)):
            generate_all(session, day)
            remind_due(session, day)
            session.commit()
        reminders = session.exec(select(OutboxMessage).where(OutboxMessage.cause == f"visit_issue:{issue.id}",
                                                             OutboxMessage.template == "notify.visit_reply_due")).all()
        assert [(m.recipient_kind, m.recipient_id) for m in reminders] == [("user", steward_id)]
        assert session.get(VisitIssue, issue.id).reminded_on == promised - timedelta(days=1)
    page.goto(f"/messages?q=visit_issue:{issue.id}")
    expect(page.get_by_text(f"预约答复将到期：{room_a}").first).to_be_visible()

    # The steward replies; the owner reads it.
    phone.goto("/visits?view=replies")
    promise = phone.get_by_test_id("visit-replies").locator(f"[data-row-id='{issue.id}']")
    expect(promise).to_contain_text(promised.isoformat())
    promise.get_by_test_id("reply-open").click()
    phone.get_by_test_id("reply-text").fill("已安排工程部加装挡水板，本周五前完工")
    phone.get_by_test_id("reply-form-save").click()
    expect(phone.get_by_test_id("reply-form")).to_be_hidden()
    phone.goto("/visits?view=replies&state=replied")
    expect(phone.get_by_test_id("visit-replies").locator(f"[data-row-id='{issue.id}']")
           .get_by_test_id("reply-state")).to_have_text("已答复")
    wait_until(lambda: delivered(db, issue.id, "notify.visit_replied"), what="the reply's message")
    owner.reload()
    expect(owner.get_by_test_id("portal-notice").filter(has_text="加装挡水板")).to_be_visible()
    owner_context.close()
    steward_context.close()

    page.goto("/visits?view=replies&state=all")
    expect(page.get_by_test_id("visit-replies").locator(f"[data-row-id='{issue.id}']")).to_contain_text("已答复")
    screenshot(page, "visits-replies")

    # The completion report: the steward's weekly round is done this week.
    page.goto("/visits/report?period=this_week&community=" + str(community_id))
    steward_row = page.get_by_test_id("report-stewards").locator("tr").filter(has_text="张管家")
    expect(steward_row.get_by_test_id("report-stewards-weekly_tasks")).to_have_text("1 / 1")
    expect(page.get_by_test_id("not-reached").locator("[data-row-id]").first).to_be_visible()
    screenshot(page, "visits-report")
