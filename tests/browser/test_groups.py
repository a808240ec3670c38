"""VIP owner groups end to end: demo.manager creates the group (群主 demo.cs) on its page; owner A applies in the
portal and sees the identity and fee checks; the manager approves, A sees the invitation and its link; the group
owner confirms A joined. Owner B, whose room has an arrears case open for more than a month, is refused with the
reason in the portal. Member A reported twice gets a warning then a mute (禁言 until …); the third time the removal
waits for a second approver (待复核): demo.manager, who reviewed it, cannot approve it; a second manager can, and
A is removed."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from pm_admin.arrears.models import ArrearsCase
from pm_admin.core.clock import local_today
from pm_admin.core.permissions import SYSTEM
from pm_admin.places.models import Community, Room
from pm_admin.users.services import create_user
from tests.browser.conftest import another_browser, screenshot
from tests.browser.test_activities import invite, owner_phone, three_rooms
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser
GROUP = "VIP业主群（测试）"
LINK = "https://work.weixin.qq.com/gm/vip-test"
SECOND_MANAGER = "second.manager"
SECOND_PASSWORD = "第二位经理密码2026"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" \
      b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"


def staff_page(browser, live_server, username: str, password: str | None = None):
    context, page = another_browser(browser, live_server)
    if password is None:
        log_in(page, username)
    else:
        log_in(page, username, password)
    page.wait_for_url(at_home)
    return context, page


def tab(page, name: str) -> None:
    page.get_by_test_id(f"tab-{name}").click()


def report_and_confirm(page, room: str, description: str, evidence: Path | None = None) -> None:
    tab(page, "members")
    page.get_by_test_id("member-row").filter(has_text=room).get_by_test_id("member-report").click()
    form = page.get_by_test_id("report-form")
    form.get_by_test_id("report-category").click()
    page.get_by_role("option", name="广告").click()
    form.get_by_test_id("report-description").fill(description)
    if evidence is not None:
        form.get_by_test_id("report-evidence").set_input_files(str(evidence))
    form.get_by_test_id("report-form-save").click()
    expect(form).to_be_hidden()
    tab(page, "violations")
    row = page.get_by_test_id("violation-row").filter(has_text=description)
    expect(row.get_by_test_id("violation-status")).to_have_text("待审核")
    row.get_by_test_id("violation-confirm").click()
    page.get_by_test_id("violation-form-save").click()
    expect(page.get_by_test_id("violation-form")).to_be_hidden()


def test_admission_with_checks_refusal_for_arrears_and_the_ladder_with_a_second_approver(
        browser, live_server, page, db, tmp_path: Path):
    community_id, rooms = three_rooms(db)
    room_a, room_b = rooms[0], rooms[1]
    with Session(db) as session:
        community_name = session.get(Community, community_id).name
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    token_a, account_a = invite(page, db, community_id, room_a)
    token_b, account_b = invite(page, db, community_id, room_b)

    # The manager creates the group on the page: 群主 = demo.cs (王客服), staff of the community.
    page.goto("/groups")
    page.get_by_test_id("new-group").click()
    form = page.get_by_test_id("group-form")
    form.get_by_test_id("group-community").click()
    page.get_by_role("option", name=community_name).click()
    form.get_by_test_id("group-name").fill(GROUP)
    form.get_by_test_id("group-owner").click()
    page.get_by_role("option", name="王客服").click()
    form.get_by_test_id("group-link").fill(LINK)
    form.get_by_test_id("group-form-save").click()
    page.wait_for_url(re.compile(r"/groups/\d+$"))
    group_path = urlsplit(page.url).path
    expect(page.get_by_test_id("group-heading")).to_have_text(GROUP)
    expect(page.get_by_test_id("group-join-link")).to_have_text(LINK)

    # B's room has owed fees for 45 days: an open arrears case older than a month.
    with Session(db) as session:
        room = session.exec(select(Room).where(Room.community_id == community_id, Room.code == room_b)).one()
        session.add(ArrearsCase(room_id=room.id, community_id=community_id, building_id=room.building_id,
                                opened_on=local_today() - timedelta(days=45), next_due_on=local_today()))
        session.commit()

    # Owner A applies on a phone: both checks pass, the application waits for staff.
    context_a, phone_a = owner_phone(browser, live_server, db, token_a, account_a, card="portal-groups-card")
    phone_a.get_by_test_id("portal-group").filter(has_text=GROUP).get_by_test_id("portal-group-apply").click()
    application_a = phone_a.get_by_test_id("portal-application").filter(has_text=GROUP)
    expect(application_a.get_by_test_id("portal-application-status")).to_have_text("待审核")
    expect(application_a.get_by_test_id("portal-application-identity")).to_contain_text("身份核验通过")
    expect(application_a.get_by_test_id("portal-application-fee")).to_have_text("物业费记录核验通过")

    # Owner B is refused with the reason.
    context_b, phone_b = owner_phone(browser, live_server, db, token_b, account_b, card="portal-groups-card")
    phone_b.get_by_test_id("portal-group").filter(has_text=GROUP).get_by_test_id("portal-group-apply").click()
    application_b = phone_b.get_by_test_id("portal-application").filter(has_text=GROUP)
    expect(application_b.get_by_test_id("portal-application-status")).to_have_text("未通过")
    expect(application_b.get_by_test_id("portal-application-fee")).to_contain_text("欠费超过一个月")
    expect(application_b.get_by_test_id("portal-application-reason")).to_have_count(0)  # the check says it once
    screenshot(phone_b, "portal-group-refused-phone")
    context_b.close()

    # The manager reads the checks and approves A; B's row shows the reason and a manager's override.
    page.reload()
    row_a = page.get_by_test_id("application-row").filter(has_text=room_a)
    row_b = page.get_by_test_id("application-row").filter(has_text=room_b)
    expect(row_a.get_by_test_id("application-fee")).to_have_text("物业费记录核验通过")
    expect(row_b.get_by_test_id("application-reason")).to_contain_text("欠费超过一个月")
    expect(row_b.get_by_test_id("application-override")).to_be_visible()
    row_a.get_by_test_id("application-approve").click()
    expect(page.get_by_test_id("dialog-identity")).to_contain_text("身份核验通过")
    page.get_by_test_id("application-form-save").click()
    expect(row_a.get_by_test_id("application-status")).to_have_text("已邀请")

    # A sees the invitation and its link.
    phone_a.reload()
    expect(application_a.get_by_test_id("portal-application-status")).to_have_text("已邀请")
    expect(application_a.get_by_test_id("portal-application-link")).to_have_text(LINK)
    qr = application_a.get_by_test_id("portal-application-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the QR code drew (an image the CSP allows)

    # The group owner (demo.cs) confirms A is in the group.
    cs_context, cs_page = staff_page(browser, live_server, "demo.cs")
    cs_page.goto(group_path)
    cs_row = cs_page.get_by_test_id("application-row").filter(has_text=room_a)
    cs_row.get_by_test_id("application-joined").click()
    expect(cs_page.get_by_test_id("application-joined-subject")).to_contain_text(room_a)
    cs_page.get_by_test_id("application-joined-confirm").click()
    expect(cs_row.get_by_test_id("application-status")).to_have_text("已入群")
    tab(cs_page, "members")
    expect(cs_page.get_by_test_id("member-row").filter(has_text=room_a).get_by_test_id("member-status")) \
        .to_have_text("正常")
    cs_context.close()
    phone_a.reload()
    expect(phone_a.get_by_test_id("portal-membership").filter(has_text=GROUP)
           .get_by_test_id("portal-membership-status")).to_have_text("正常")

    # The manager records A's election as an admin for a term: the badge shows.
    page.reload()
    tab(page, "members")
    page.get_by_test_id("member-row").filter(has_text=room_a).get_by_test_id("member-elect").click()
    page.get_by_test_id("admin-form-save").click()
    expect(page.get_by_test_id("member-row").filter(has_text=room_a).get_by_test_id("member-admin")).to_be_visible()

    # Reported twice: a warning, then a mute (the first report carries a screenshot).
    photo = tmp_path / "chat.png"
    photo.write_bytes(PNG)
    page.reload()
    report_and_confirm(page, room_a, "在群里发装修广告", evidence=photo)
    first = page.get_by_test_id("violation-row").filter(has_text="在群里发装修广告")
    expect(first.get_by_test_id("violation-sanction")).to_have_text("警告")
    expect(first.get_by_role("button", name="截图证据")).to_be_visible()
    report_and_confirm(page, room_a, "又发了贷款广告")
    second = page.get_by_test_id("violation-row").filter(has_text="又发了贷款广告")
    expect(second.get_by_test_id("violation-sanction")).to_have_text("禁言")
    tab(page, "members")
    expect(page.get_by_test_id("member-row").filter(has_text=room_a).get_by_test_id("member-status")) \
        .to_have_text(re.compile(r"^禁言 至 \d{4}-\d{2}-\d{2}"))
    tab(page, "tasks")
    expect(page.get_by_test_id("task-row").filter(has_text="禁言")).to_have_count(1)

    # The third time: removal, waiting for a second approver — not the manager who reviewed it.
    report_and_confirm(page, room_a, "第三次发广告")
    third = page.get_by_test_id("violation-row").filter(has_text="第三次发广告")
    expect(third.get_by_test_id("violation-status")).to_have_text("待复核")
    expect(third.get_by_test_id("violation-sanction")).to_have_text("移出群聊")
    third.get_by_test_id("violation-second").click()
    page.get_by_test_id("violation-form-save").click()
    expect(page.get_by_test_id("violation-error")).to_have_text("移出群聊须由另一位经理复核批准")
    page.get_by_test_id("violation-form").get_by_role("button", name="取消").click()
    tab(page, "members")
    expect(page.get_by_test_id("member-row").filter(has_text=room_a).get_by_test_id("member-status")) \
        .to_contain_text("禁言")
    screenshot(page, "group-removal-awaiting-second")

    # A second manager of the community approves: A is removed.
    with Session(db) as session:
        create_user(session, actor=SYSTEM, username=SECOND_MANAGER, display_name="赵经理", password=SECOND_PASSWORD,
                    roles=["manager"], community_ids=[community_id], must_change_password=False)
        session.commit()
    second_context, second_page = staff_page(browser, live_server, SECOND_MANAGER, SECOND_PASSWORD)
    second_page.goto(group_path)
    tab(second_page, "violations")
    third = second_page.get_by_test_id("violation-row").filter(has_text="第三次发广告")
    third.get_by_test_id("violation-second").click()
    expect(second_page.get_by_test_id("violation-form")).to_contain_text("demo.manager")
    second_page.get_by_test_id("violation-form-save").click()
    expect(third.get_by_test_id("violation-status")).to_have_text("已确认")
    expect(third.get_by_test_id("violation-second-approver")).to_contain_text(SECOND_MANAGER)
    tab(second_page, "members")
    expect(second_page.get_by_test_id("member-row").filter(has_text=room_a).get_by_test_id("member-status")) \
        .to_have_text("已移出")
    tab(second_page, "log")
    expect(second_page.get_by_test_id("log-row").first).to_contain_text("移出群聊")
    expect(second_page.get_by_test_id("log-row").first).to_contain_text("禁言 → 已移出")
    screenshot(second_page, "group-log-after-removal")
    tab(second_page, "violations")
    screenshot(second_page, "group-violations-after-removal")
    second_context.close()

    # A reads it in the portal, with the one appeal offered.
    phone_a.reload()
    expect(phone_a.get_by_test_id("portal-membership").filter(has_text=GROUP)
           .get_by_test_id("portal-membership-status")).to_have_text("已移出")
    expect(phone_a.get_by_test_id("portal-violation")).to_have_count(3)
    expect(phone_a.get_by_test_id("portal-appeal-submit")).to_have_count(3)
    screenshot(phone_a, "portal-groups-phone")
    context_a.close()
