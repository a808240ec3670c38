"""A community activity end to end: a manager plans it (capacity 4 people) and opens sign-up; three owners sign up in
the portal (2 + 2 people fill it; the third goes to the waiting list); on the day the phone check-in view checks the
first two in; the activity is held, both evaluate it in the portal; the review shows attendance, the average score
and the comments, and the manager saves what to improve."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from pm_admin.owners.models import Owner, OwnerPhone, Ownership
from pm_admin.places.models import Community, Room
from pm_admin.portal.models import OwnerAccount
from tests.browser.conftest import PHONE, another_browser, screenshot
from tests.browser.test_login_and_menus import at_home, log_in
from tests.browser.test_portal import code_for

pytestmark = pytest.mark.browser
TITLE = "中秋亲子手工灯笼"
PASSWORD = "活动测试密码2026"


def three_rooms(db) -> tuple[int, list[str]]:
    """C01 and three rooms of different owners with phones and no portal account yet."""
    with Session(db) as session:
        community = session.exec(select(Community).where(Community.code == "C01")).one()
        rows = session.exec(select(Owner.id, Room.code).join(Ownership, Ownership.owner_id == Owner.id)
                            .join(Room, Room.id == Ownership.room_id)
                            .where(Room.community_id == community.id, col(Ownership.ended_on).is_(None),
                                   col(Owner.id).in_(select(OwnerPhone.owner_id)),
                                   col(Owner.id).not_in(select(OwnerAccount.person_id)))
                            .order_by(Room.id)).all()
        return community.id, list(dict(reversed(rows)).values())[-3:]


def invite(page, db, community_id: int, room_code: str) -> tuple[str, int]:
    """The desk invites the room's owner: the activation path and the account's id."""
    page.goto(f"/owner-accounts?community={community_id}&q={room_code}")
    # The row of this room: the page may still show the previous search until its load has answered.
    row = page.get_by_test_id("owner-accounts").locator("tbody tr").filter(has_text=room_code)
    expect(page.get_by_test_id("owner-accounts").locator("tbody tr")).to_have_count(1)
    row.get_by_test_id("account-invite").click()
    page.get_by_test_id("invite-dialog-save").click()
    path = urlsplit(page.get_by_test_id("invite-link").inner_text()).path
    page.get_by_test_id("invite-dialog").get_by_role("button", name="取消").click()
    with Session(db) as session:
        account_id = session.exec(select(OwnerAccount.id).order_by(col(OwnerAccount.id).desc())).first()
    return path, account_id


def owner_phone(browser, live_server, db, token: str, account_id: int, card: str = "portal-activities-card"):
    """The owner activates the account on a phone (the code is the one the outbox holds) and opens a card of the
    portal's home (社区活动 unless told)."""
    context, page = another_browser(browser, live_server, PHONE)
    page.goto(token)
    page.get_by_test_id("activation-send-code").click()
    expect(page.get_by_text("验证码已发送")).to_be_visible()
    page.get_by_test_id("activation-code").fill(code_for(db, account_id))
    page.get_by_test_id("activation-password").fill(PASSWORD)
    page.get_by_test_id("activation-confirm").fill(PASSWORD)
    page.get_by_test_id("activation-submit").click()
    page.wait_for_url(re.compile(r"/portal/?$"))
    page.get_by_test_id(card).click()
    page.wait_for_url(re.compile(r"/portal/\w+$"))
    return context, page


def sign_up(page, people: int) -> None:
    card = page.get_by_test_id("portal-activity").filter(has_text=TITLE)
    if people != 1:
        card.get_by_role("combobox").nth(1).click()
        page.get_by_role("option", name=str(people), exact=True).click()
    card.get_by_test_id("portal-activity-sign-up").click()


def test_activity_planned_signed_up_until_full_waiting_list_check_in_evaluation_review(browser, live_server, page, db):
    community_id, rooms = three_rooms(db)

    # The manager plans the activity and opens sign-up (its 活动通知 drafted for approval).
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    invited = [invite(page, db, community_id, code) for code in rooms]
    page.goto("/activities")
    page.get_by_test_id("new-activity").click()
    form = page.get_by_test_id("activity-form")
    form.get_by_test_id("activity-title").fill(TITLE)
    form.get_by_test_id("activity-place").fill("小区中心广场")
    form.get_by_test_id("activity-capacity").fill("4")
    form.get_by_test_id("activity-budget").fill("1200")
    form.get_by_test_id("activity-form-save").click()
    page.wait_for_url(re.compile(r"/activities/\d+$"))
    activity_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_test_id("activity-heading")).to_have_text(TITLE)
    page.get_by_test_id("open-signup").click()
    expect(page.get_by_test_id("activity-status")).to_have_text("报名中")
    expect(page.get_by_test_id("activity-notice")).to_be_visible()

    # Owners sign up until it is full; the next one waits.
    owners = [owner_phone(browser, live_server, db, token, account_id) for token, account_id in invited]
    sign_up(owners[0][1], 2)
    expect(owners[0][1].get_by_test_id("portal-signup-status")).to_have_text("已报名")
    sign_up(owners[1][1], 2)
    expect(owners[1][1].get_by_test_id("portal-signup-status")).to_have_text("已报名")
    owners[2][1].reload()
    expect(owners[2][1].get_by_test_id("portal-activity-remaining")).to_have_text("0")
    sign_up(owners[2][1], 1)
    expect(owners[2][1].get_by_test_id("portal-signup-status")).to_have_text("候补")
    screenshot(owners[2][1], "portal-activity-waiting-phone")

    page.reload()
    expect(page.get_by_test_id("attendance")).to_have_text("0 / 4 / 4")
    expect(page.get_by_test_id("waiting")).to_have_text("1")
    screenshot(page, "activity-full-with-waiting")

    # On the day: the phone check-in view.
    phone_staff, staff = another_browser(browser, live_server, PHONE)
    log_in(staff, "demo.manager")
    staff.wait_for_url(at_home)
    staff.goto(f"/activities/{activity_id}/check-in")
    expect(staff.get_by_test_id("check-in-row")).to_have_count(3)
    for done in (1, 2):
        staff.get_by_test_id("check-in").first.click()
        expect(staff.get_by_test_id("check-in-attendance")).to_have_text(f"{2 * done} / 4 / 4")
    screenshot(staff, "activity-check-in-phone")
    phone_staff.close()

    page.reload()
    page.get_by_test_id("mark-done").click()
    expect(page.get_by_test_id("mark-done-subject")).to_have_text(TITLE)  # it asks first, naming the activity
    page.get_by_test_id("mark-done-confirm").click()
    expect(page.get_by_test_id("activity-status")).to_have_text("已举办")

    # The two households that came evaluate it in the portal, once.
    for (context, owner), (score, comment) in zip(owners[:2], ((5, "孩子很喜欢"), (4, "场地有点小")), strict=True):
        owner.reload()
        task = owner.get_by_test_id("portal-evaluation-task")
        task.get_by_test_id(f"score-{score}").click()
        task.get_by_test_id("portal-evaluation-comment").fill(comment)
        if score == 5:
            screenshot(owner, "portal-activity-evaluation-phone")
        task.get_by_test_id("portal-evaluate").click()
        expect(owner.get_by_test_id("portal-evaluation-task")).to_have_count(0)
        context.close()
    owners[2][1].reload()
    expect(owners[2][1].get_by_test_id("portal-evaluation-task")).to_have_count(0)  # waited, never came
    owners[2][0].close()

    # The review: attendance, the average score, the comments, what to improve.
    page.reload()
    expect(page.get_by_test_id("attendance")).to_have_text("4 / 4 / 4")
    expect(page.get_by_test_id("average-score")).to_have_text("4.5")
    expect(page.get_by_test_id("evaluation-row")).to_have_count(2)
    page.get_by_test_id("improvement").fill("场地换到会所多功能厅，提前准备材料")
    page.get_by_test_id("save-review").click()
    expect(page.get_by_test_id("activity-status")).to_have_text("已评估")
    screenshot(page, "activity-reviewed")
