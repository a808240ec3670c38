"""The suggestion box end to end: an owner writes a suggestion on a phone; the manager accepts it, answers, and
publishes its improvement action as 整改公示 (a notice waiting for approval); the owner reads the answer in the
portal. A paper slip is entered with its photo, flagged once its answer is overdue, and turned into a ticket."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from pm_admin.core.clock import local_today
from pm_admin.suggestions.models import Suggestion
from tests.browser.conftest import screenshot
from tests.browser.test_activities import invite, owner_phone, three_rooms
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser
SUGGESTION = "建议在小区东门加装自行车棚，下雨天车子都淋湿了"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" \
      b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"


def pick_first(page, testid: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option").first.click()


def test_owner_suggestion_accepted_answered_and_published_slip_with_photo_overdue_then_a_ticket(
        browser, live_server, page, db, tmp_path: Path):
    community_id, rooms = three_rooms(db)
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    token, account_id = invite(page, db, community_id, rooms[-1])

    # The owner writes a suggestion for their room.
    context, phone = owner_phone(browser, live_server, db, token, account_id, card="portal-suggestions-card")
    pick_first(phone, "suggestion-room")
    phone.get_by_test_id("suggestion-submit").click()
    expect(phone.get_by_role("alert").filter(has_text="请选择类别")).to_be_visible()  # beside the field
    pick_first(phone, "suggestion-category")
    phone.get_by_test_id("suggestion-content-input").fill(SUGGESTION)
    phone.get_by_test_id("suggestion-submit").click()
    expect(phone.get_by_test_id("portal-suggestion-status")).to_have_text("待分拣")

    # The manager accepts, answers, and publishes the improvement action.
    page.goto(f"/suggestions?community={community_id}&channel=portal")
    page.get_by_test_id("suggestions-table").locator("tbody tr").filter(has_text="自行车棚") \
        .get_by_test_id("suggestion-link").click()
    page.wait_for_url(re.compile(r"/suggestions/\d+$"))
    expect(page.get_by_test_id("suggestion-content")).to_have_text(SUGGESTION)
    page.get_by_test_id("triage-accepted").click()
    page.get_by_test_id("triage-note").fill("东门空地可以搭建")
    page.get_by_test_id("triage-form-save").click()
    expect(page.get_by_test_id("suggestion-status")).to_have_text("待答复")
    page.get_by_test_id("reply").click()
    page.get_by_test_id("reply-text").fill("感谢建议，车棚将于本月底前建成")
    page.get_by_test_id("reply-form-save").click()
    expect(page.get_by_test_id("suggestion-status")).to_have_text("已答复")
    page.get_by_test_id("improvement").click()
    page.get_by_test_id("improvement-measure").fill("本月底前在东门空地加装自行车棚（约40个车位）")
    page.get_by_test_id("improvement-publish").click()
    page.get_by_test_id("improvement-form-save").click()
    expect(page.get_by_test_id("improvement-notice")).to_be_visible()
    screenshot(page, "suggestion-accepted-answered")
    page.get_by_test_id("improvement-notice").click()
    page.wait_for_url(re.compile(r"/notices/\d+$"))
    expect(page.get_by_text("整改公示：建议在小区东门加装自行车棚").first).to_be_visible()

    # The owner reads the answer.
    phone.reload()
    expect(phone.get_by_test_id("portal-suggestion-reply")).to_have_text("感谢建议，车棚将于本月底前建成")
    expect(phone.get_by_test_id("portal-suggestion-status")).to_have_text("已答复")
    screenshot(phone, "portal-suggestion-answered-phone")
    context.close()

    # A paper slip with its photo.
    photo = tmp_path / "slip.png"
    photo.write_bytes(PNG)
    page.goto(f"/suggestions?community={community_id}")
    page.get_by_test_id("new-suggestion").click()
    form = page.get_by_test_id("slip-form")
    pick_first(page, "slip-category")
    form.get_by_test_id("slip-content").fill("3栋电梯里经常有人抽烟")
    form.get_by_test_id("slip-room").fill("不存在的房号")
    form.get_by_test_id("slip-photo").set_input_files(str(photo))
    form.get_by_test_id("slip-form-save").click()
    expect(form.get_by_text("本小区没有这个房号")).to_be_visible()
    expect(form.get_by_test_id("slip-content")).to_have_value("3栋电梯里经常有人抽烟")  # kept
    form.get_by_test_id("slip-room").fill("")
    form.get_by_test_id("slip-form-save").click()
    page.wait_for_url(re.compile(r"/suggestions/\d+$"))
    slip_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_test_id("suggestion-photo")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("suggestion-photo").click()
    assert Path(download.value.path()).read_bytes() == PNG

    # Its answer falls overdue: the list flags it.
    with Session(db) as session:
        row = session.get(Suggestion, slip_id)
        row.reply_due_on = local_today() - timedelta(days=1)
        session.add(row)
        session.commit()
    page.goto(f"/suggestions?community={community_id}&overdue=1")
    overdue = page.get_by_test_id("suggestions-table").locator("tbody tr").filter(has_text="抽烟")
    expect(overdue.get_by_test_id("suggestion-overdue")).to_be_visible()
    screenshot(page, "suggestions-overdue")
    overdue.get_by_test_id("suggestion-link").click()
    page.wait_for_url(re.compile(rf"/suggestions/{slip_id}$"))
    page.get_by_test_id("triage-ticket").click()
    page.get_by_test_id("triage-form-save").click()
    expect(page.get_by_test_id("suggestion-ticket")).to_be_visible()
    expect(page.get_by_test_id("suggestion-outcome")).to_have_text("已转工单")
