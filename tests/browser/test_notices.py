"""Notices end to end: a 停水 notice for building 3 from its template reaches the owners of building 3 and nobody
else; an emergency asking for 已知悉 is confirmed by two owners while the manager watches the building's share rise
without reloading; the households left over reach the steward's call list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from pm_admin.comms.models import Notice
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Building, Room
from tests.browser.conftest import PHONE, another_browser, screenshot
from tests.browser.test_login_and_menus import at_home, log_in
from tests.server.api_support import owner_token, owners_without_account

pytestmark = pytest.mark.browser


def building_of_owner(db, owner_id: int) -> int:
    with Session(db) as session:
        return session.exec(select(Room.building_id).join(Ownership, Ownership.room_id == Room.id)
                            .where(Ownership.owner_id == owner_id)).first()


def households_of(db, building_id: int) -> int:
    with Session(db) as session:
        return session.scalar(select(sa.func.count(sa.distinct(Room.id))).join(Ownership, Ownership.room_id == Room.id)
                              .where(Room.building_id == building_id, col(Ownership.ended_on).is_(None)))


def phone(browser, live_server, token: str):
    context, page = another_browser(browser, live_server, PHONE)
    context.add_cookies([{"name": "pm_portal", "value": token, "url": live_server.base_url}])
    return context, page


def test_a_building_notice_and_an_emergency_with_acknowledgement(browser, live_server, page, db):
    candidates = owners_without_account(db, "C01", count=2000)
    by_building: dict[int, list[int]] = {}
    for owner_id in candidates:
        by_building.setdefault(building_of_owner(db, owner_id), []).append(owner_id)
    chosen = next(b for b, owners in sorted(by_building.items()) if len(owners) >= 3)  # three households to tell
    in_3 = by_building[chosen][:3]
    elsewhere = next(o for b, owners in by_building.items() if b != chosen for o in owners)
    with Session(db) as session:
        building_3 = session.get(Building, chosen)
    tokens = {owner_id: owner_token(live_server, db, owner_id) for owner_id in [*in_3, elsewhere]}

    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/notices")
    page.get_by_test_id("notice-new").click()
    form = page.get_by_test_id("notice-form")
    form.get_by_role("button", name="停水", exact=True).click()
    expect(form.locator("input[name=title]")).to_have_value("停水通知")
    form.get_by_text(building_3.name, exact=True).click()
    page.get_by_test_id("notice-form-save").click()
    page.wait_for_url(re.compile(r"/notices/\d+/?$"))
    page.get_by_test_id("notice-submit").click()  # the template's {范围}, {开始时间} … are still in it
    expect(page.get_by_text("通知中还有未填写的{…}内容").first).to_be_visible()
    page.get_by_test_id("notice-edit").click()
    page.get_by_test_id("edit-body").fill(f"因管道检修，{building_3.name}将于明天 9:00 至 17:00 停水。请提前储水。")
    page.get_by_test_id("edit-form-save").click()
    expect(page.get_by_test_id("edit-form")).to_be_hidden()
    expect(page.get_by_test_id("notice-preview")).to_contain_text(str(households_of(db, building_3.id)))
    screenshot(page, "notice-draft-preview")
    page.get_by_test_id("notice-submit").click()
    expect(page.get_by_test_id("notice-status")).to_have_text("待审批")
    page.get_by_test_id("notice-approve").click()
    expect(page.get_by_test_id("notice-approve-subject")).to_have_text("停水通知")
    page.get_by_test_id("notice-approve-confirm").click()
    expect(page.get_by_test_id("notice-status")).to_have_text("已发送")

    reached, owner_page = phone(browser, live_server, tokens[in_3[0]])
    owner_page.goto("/portal/notices")
    expect(owner_page.get_by_test_id("portal-notice").filter(has_text="停水通知").first).to_be_visible()
    outside, outside_page = phone(browser, live_server, tokens[elsewhere])
    with Session(db) as session:
        water = session.exec(select(Notice.id).where(Notice.title == "停水通知").order_by(Notice.id.desc())).first()
    outside_page.goto(f"/portal/notices/{water}")
    expect(outside_page.get_by_text("找不到这条通知")).to_be_visible()

    # An emergency for building 3 that owners must confirm.
    page.goto("/notices")
    page.get_by_test_id("notice-new").click()
    form = page.get_by_test_id("notice-form")
    form.get_by_role("button", name="燃气", exact=True).click()
    form.locator("input[name=title]").fill(f"{building_3.name}燃气泄漏，请立即关阀")
    form.locator("textarea[name=body]").fill(f"{building_3.name}发现燃气泄漏。请立即关闭燃气阀门，开窗通风，切勿使用明火。")
    form.get_by_text(building_3.name, exact=True).click()
    form.locator("input[name=valid_until]").fill("2030-01-01T00:00")
    page.get_by_test_id("notice-form-save").click()
    page.wait_for_url(re.compile(r"/notices/\d+/?$"))
    emergency_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    page.get_by_test_id("notice-send-now").click()
    page.get_by_test_id("notice-send-now-confirm").click()
    expect(page.get_by_test_id("notice-status")).to_have_text("已发送")
    expect(page.get_by_test_id("ack-percent")).to_have_text("0%")
    for owner_id in in_3[:2]:
        context, confirming = phone(browser, live_server, tokens[owner_id])
        confirming.goto(f"/portal/notices/{emergency_id}")
        confirming.get_by_test_id("portal-acknowledge").click()
        expect(confirming.get_by_test_id("portal-acknowledged")).to_be_visible()
        screenshot(confirming, "notice-acknowledged-phone")
        context.close()
    households = households_of(db, building_3.id)
    expected = f"{round(100 * 2 / households)}%"
    expect(page.get_by_test_id("ack-percent")).to_have_text(expected, timeout=15_000)  # the page polls: no reload
    screenshot(page, "notice-acknowledgement")

    # An hour later (the escalation waits 60 minutes twice): the rest are on the steward's call list.
    with Session(db) as session:
        notice = session.get(Notice, emergency_id)
        notice.sent_at = notice.sent_at - timedelta(hours=3)
        session.add(notice)
        session.commit()
    # The dispatcher beside the server escalates between batches; the page's poll shows the list without a reload.
    expect(page.get_by_test_id("call-row")).to_have_count(households - 2, timeout=20_000)
    screenshot(page, "notice-call-list")
    reached.close()
    outside.close()
