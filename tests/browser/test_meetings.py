"""A quarterly committee meeting end to end: the home reminder, a cs plans it from the meetings page, invites the
committee and signs two of three in (quorum shown with its rule), writes the minutes and an action item and submits
them; the manager approves and publishes (a 会议纪要 notice) and approves the notice; an owner of the community reads
it in the portal; the action item opens a ticket of channel 座谈会."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_today
from pm_admin.core.permissions import SYSTEM
from pm_admin.meetings.models import CommitteeMember, Meeting
from pm_admin.meetings.services import roster
from pm_admin.notify.models import OutboxMessage
from pm_admin.owners.models import Owner, OwnerPhone, Ownership
from pm_admin.places.models import Community, Room
from pm_admin.portal.models import OwnerAccount
from pm_admin.tickets.models import Ticket
from tests.browser.conftest import PHONE, another_browser, screenshot
from tests.browser.test_login_and_menus import at_home, log_in
from tests.browser.test_portal import code_for

pytestmark = pytest.mark.browser
TITLE = "2026年第四季度业委会会议"
RESOLUTION = "同意动用维修基金更换 3 栋 1 号电梯"


def committee(db) -> tuple[int, str, int, str]:
    """C01 with a three-member committee (owners with phones, no portal account yet):
    (community id, the chair's room code, owner id and name)."""
    today = local_today()
    with Session(db) as session:
        community = session.exec(select(Community).where(Community.code == "C01")).one()
        rows = session.exec(select(Room.code, Owner.id, Owner.name).join(Ownership, Ownership.room_id == Room.id)
                            .join(Owner, Owner.id == Ownership.owner_id)
                            .where(Room.community_id == community.id, col(Ownership.ended_on).is_(None),
                                   col(Owner.id).in_(select(OwnerPhone.owner_id)),
                                   col(Owner.id).not_in(select(OwnerAccount.person_id)))
                            .order_by(Room.id)).all()
        seen, members = set(), []
        for code, owner_id, name in rows:
            if owner_id not in seen and len(members) < 3:
                seen.add(owner_id)
                members.append((code, owner_id, name))
        existing = session.exec(select(CommitteeMember).where(CommitteeMember.community_id == community.id)).all()
        if not existing:
            for (code, _, _), position in zip(members, ("chair", "vice_chair", "member"), strict=True):
                roster.add_member(session, actor=SYSTEM, community_id=community.id, data=roster.MemberInput(
                    room_code=code, position=position, term_from=(today - timedelta(days=100)).isoformat(),
                    term_to=(today + timedelta(days=800)).isoformat()))
        session.commit()
        return community.id, *members[0]


def wait_until(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_quarterly_meeting_minutes_approved_published_in_the_portal_and_an_item_opens_a_ticket(
        browser, live_server, page, db):
    community_id, room_code, _owner_id, owner_name = committee(db)

    # The cs desk invites the chair to the portal; they activate (the code is the one the outbox holds).
    log_in(page, "demo.cs")
    page.wait_for_url(at_home)
    page.goto(f"/owner-accounts?community={community_id}&q={room_code}")
    page.get_by_test_id("account-invite").first.click()
    page.get_by_test_id("invite-dialog-save").click()
    activation = urlsplit(page.get_by_test_id("invite-link").inner_text()).path
    page.get_by_test_id("invite-dialog").get_by_role("button", name="取消").click()
    with Session(db) as session:
        account_id = session.exec(select(OwnerAccount.id).order_by(col(OwnerAccount.id).desc())).first()
    phone, owner = another_browser(browser, live_server, PHONE)
    owner.goto(activation)
    owner.get_by_test_id("activation-send-code").click()
    expect(owner.get_by_text("验证码已发送")).to_be_visible()
    owner.get_by_test_id("activation-code").fill(code_for(db, account_id))
    owner.get_by_test_id("activation-password").fill("我的新密码2026")
    owner.get_by_test_id("activation-confirm").fill("我的新密码2026")
    owner.get_by_test_id("activation-submit").click()
    owner.wait_for_url(re.compile(r"/portal/?$"))

    # The cs desk: the quarter has no committee meeting yet, on the home page and the meetings page.
    page.goto("/")
    expect(page.get_by_test_id("home.quarterly_meeting_missing")).to_have_text("1")
    page.goto("/meetings")
    reminder = page.get_by_test_id("quarter-reminder")
    expect(reminder).to_contain_text("翠湖花园")
    screenshot(page, "meetings-reminder")
    reminder.get_by_test_id("plan-quarterly").click()
    form = page.get_by_test_id("meeting-form")
    expect(form.get_by_test_id("meeting-agenda")).to_have_value(re.compile("物业管理报告"))
    form.get_by_test_id("meeting-title").fill(TITLE)
    form.get_by_test_id("meeting-place").fill("物业服务中心二楼会议室")
    form.get_by_test_id("meeting-form-save").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    meeting_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_test_id("meeting-heading")).to_have_text(TITLE)

    # Invite the committee, sign two of three in: the quorum and its rule.
    page.get_by_test_id("invite-committee").click()
    expect(page.get_by_test_id("invitee-row")).to_have_count(3)
    expect(page.get_by_test_id("quorum")).to_contain_text("0 / 3")
    for row in (0, 1):
        page.get_by_test_id("attended").nth(row).click()
        expect(page.get_by_test_id("quorum")).to_contain_text(f"{row + 1} / 3")
    expect(page.get_by_test_id("quorum")).to_contain_text("67%")
    expect(page.get_by_text("达到法定人数", exact=True)).to_be_visible()
    expect(page.get_by_test_id("quorum-rule")).to_contain_text("超过半数")

    # Minutes from the template, and a decision's action item.
    page.get_by_test_id("write-minutes").click()
    page.get_by_test_id("minutes-discussion").fill("业主反映 3 栋 1 号电梯频繁停运，维保单位建议整机更换。")
    page.get_by_test_id("minutes-resolutions").fill(RESOLUTION)
    page.get_by_test_id("minutes-form-save").click()
    expect(page.get_by_test_id("minutes")).to_contain_text(RESOLUTION)
    page.get_by_test_id("add-action").click()
    page.get_by_test_id("action-description").fill("3 栋 1 号电梯更换询价（三家）")
    page.get_by_test_id("action-name").fill(owner_name)
    page.get_by_test_id("action-due").fill((local_today() + timedelta(days=14)).isoformat())
    page.get_by_test_id("action-form-save").click()
    expect(page.get_by_test_id("action-row")).to_have_count(1)
    for label in ("时间", "地点", "出席", "议题", "讨论", "决议", "待办"):
        expect(page.get_by_test_id("minutes").get_by_text(label, exact=True)).to_be_visible()
    screenshot(page, "meeting-minutes-written")
    page.get_by_test_id("submit-minutes").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("纪要待审核")
    expect(page.get_by_test_id("approve-minutes")).to_have_count(0)  # a cs does not approve

    # The action item opens a ticket of channel 座谈会 in one step.
    page.get_by_test_id("open-ticket").click()
    page.get_by_test_id("ticket-form-save").click()
    ticket_link = page.get_by_test_id("action-ticket")
    expect(ticket_link).to_have_text(re.compile(r"TS-\d{8}-\d{4}"))
    with Session(db) as session:
        ticket = session.exec(select(Ticket).where(Ticket.code == ticket_link.inner_text())).one()
        assert (ticket.channel, ticket.community_id, ticket.title) == ("meeting", community_id,
                                                                       "3 栋 1 号电梯更换询价（三家）")

    # The manager approves and publishes: a 会议纪要 notice, which they approve; it is sent.
    manager_context, manager = another_browser(browser, live_server)
    log_in(manager, "demo.manager")
    manager.wait_for_url(at_home)
    manager.goto(f"/meetings/{meeting_id}")
    manager.get_by_test_id("approve-minutes").click()
    manager.get_by_test_id("approve-minutes-confirm").click()
    expect(manager.get_by_test_id("meeting-status")).to_have_text("已批准")
    manager.get_by_test_id("publish-minutes").click()
    manager.get_by_test_id("publish-minutes-confirm").click()
    expect(manager.get_by_test_id("meeting-status")).to_have_text("已公布")
    screenshot(manager, "meeting-published")
    manager.get_by_test_id("minutes-notice").click()
    manager.wait_for_url(re.compile(r"/notices/\d+$"))
    manager.get_by_test_id("notice-approve").click()
    manager.get_by_test_id("notice-approve-confirm").click()
    expect(manager.get_by_test_id("notice-status")).not_to_have_text(re.compile("待审批|草稿"))
    screenshot(manager, "meeting-notice-approved")
    with Session(db) as session:
        notice_ref = session.get(Meeting, meeting_id).notice_ref

    # The owner reads the minutes in the portal once the dispatcher delivered them.
    def delivered() -> bool:
        with Session(db) as session:
            return session.exec(select(OutboxMessage).where(
                OutboxMessage.recipient_id == account_id, OutboxMessage.cause == notice_ref,
                col(OutboxMessage.status).in_(["delivered", "read"]))).first() is not None
    wait_until(delivered, "the minutes in the owner's inbox")
    owner.goto("/portal/notices")
    expect(owner.get_by_test_id("portal-notice").filter(has_text=TITLE).first).to_be_visible()
    screenshot(owner, "portal-meeting-minutes-phone")
    owner.get_by_test_id("portal-notice").filter(has_text=TITLE).first.click()
    expect(owner.get_by_text(RESOLUTION)).to_be_visible()
    screenshot(owner, "portal-meeting-minutes-open-phone")
    manager_context.close()
    phone.close()
