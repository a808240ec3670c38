"""Issue 17 item 9 as a cs specialist uses it: the ticket list's filtered view downloads as the ledger 工单台账 (its rows
are the grid's), two tickets are assigned at once and a third one refused with the reason; a ticket, the daily
review and the archive catalog open as A4 print layouts without the sidebar (checked printed: page.pdf and the
print media), and a role or scope that may not see them gets nothing. Screenshots: test-artifacts/screenshots/
ledger-*.png, print-*.png."""

from __future__ import annotations

import io
import re
import uuid

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from pm_admin.auth.models import User
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Building, Community, Room
from pm_admin.tickets.models import Status, Ticket, TicketCategory, TicketEvent
from pm_admin.tickets.services import actions, registration
from pm_admin.tickets.services.registration import TicketInput
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_login_and_menus import at_home, log_in
from tests.browser.test_tickets import pick
from tests.support import factories

pytestmark = pytest.mark.browser
A4_WIDTH_PX = 794  # 210 mm at 96 px per inch


@pytest.fixture(autouse=True)
def server_keys(monkeypatch, live_server):
    """The tickets this test writes name their contact (the room's owner): personal data encrypted with the live
    server's keys, those of its copy of the demo data."""
    from pm_admin.core import crypto
    from pm_admin.settings import load_settings
    from tests.support.server import server_environment

    settings = load_settings(server_environment(live_server.data_dir, live_server.database_url))
    monkeypatch.setattr(crypto, "get_settings", lambda: settings)


def signed_in(session, username: str):
    return factories.sign_in(session, session.exec(select(User).where(User.username == username)).one())


def new_tickets(db, word: str, count: int, *, community: str = "C01") -> list[str]:
    """``count`` new tickets whose titles carry ``word`` (the list's search finds exactly them), in rooms with an
    owner (the ledger names the contact, phone masked)."""
    with Session(db) as session:
        cs = signed_in(session, "demo.cs" if community == "C01" else "demo.manager")
        rooms = session.exec(select(Room.id).join(Community, Community.id == Room.community_id).where(
            Community.code == community, col(Room.id).in_(select(Ownership.room_id).where(
                col(Ownership.ended_on).is_(None)))).order_by(Room.id).limit(count)).all()
        category = session.exec(select(TicketCategory.id).where(TicketCategory.code == "noise")).one()
        codes = [registration.create_ticket(session, actor=cs, data=TicketInput(
            kind="complaint", category_id=category, tier="normal", channel="hotline",
            title=f"{word} 第{n + 1}张", description="业主来电反映夜间噪音", room_id=room)).code
            for n, room in enumerate(rooms)]
        session.commit()
    return codes


def open_list(page, word: str) -> list[str]:
    log_in(page, "demo.cs")
    page.wait_for_url(at_home)
    page.goto(f"/tickets?status=all&q={word}")
    rows = page.get_by_test_id("ticket-list").locator("tbody tr")
    expect(rows.first).to_contain_text(word)
    return rows.evaluate_all("rows => rows.map(r => r.querySelector('a').textContent)")


def test_the_ledger_downloads_the_rows_the_grid_shows(page, db):
    word = f"台账{uuid.uuid4().hex[:6]}"
    codes = new_tickets(db, word, 3)
    grid = open_list(page, word)
    assert sorted(grid) == sorted(codes) and len(grid) == 3
    with page.expect_download() as download:
        page.get_by_test_id("export-ledger").click()
    file = download.value
    assert re.fullmatch(r"工单台账-\d{4}-\d{2}-\d{2}\.xlsx", file.suggested_filename)
    sheet = openpyxl.load_workbook(io.BytesIO(open(file.path(), "rb").read())).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert header[:3] == ["工单号", "登记时间", "小区"] and sheet.freeze_panes == "A2"
    assert [row[0] for row in rows] == grid  # the grid's rows, in its order
    phones = [row[header.index("联系电话")] for row in rows]
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", phone) for phone in phones), phones
    screenshot(page, "ledger-list")


def test_two_tickets_are_assigned_at_once_and_a_finished_one_is_refused_with_the_reason(page, db):
    word = f"批量{uuid.uuid4().hex[:6]}"
    first, second, third = new_tickets(db, word, 3)
    with Session(db) as session:  # the third is withdrawn: it can no longer be assigned
        cs = signed_in(session, "demo.cs")
        ticket = session.exec(select(Ticket).where(Ticket.code == third)).one()
        actions.cancel(session, actor=cs, ticket_id=ticket.id, expected_version=ticket.version, reason="业主撤回")
        session.commit()
    open_list(page, word)
    page.get_by_test_id("select-page").click()
    expect(page.get_by_test_id("selected-count")).to_contain_text("3")
    screenshot(page, "ledger-selected", full_page=False)
    page.get_by_test_id("bulk-assign").click()
    form = page.get_by_test_id("bulk-assign-form")
    expect(form).to_contain_text("3")
    pick(page, form.get_by_test_id("bulk-assignee"), "赵师傅")
    page.get_by_test_id("bulk-assign-form-save").click()
    result = page.get_by_test_id("bulk-result")
    expect(result).to_contain_text("批量指派：完成 2 张，未处理 1 张")
    expect(page.get_by_test_id("bulk-refused")).to_have_text(f"{third}：已关闭、撤销或无效的工单不能这样流转")
    expect(page.get_by_test_id("selection-bar")).to_have_count(0)
    listed = page.get_by_test_id("ticket-list")
    for code in (first, second):
        expect(listed.locator("tr", has_text=code)).to_contain_text("赵师傅")
    screenshot(page, "ledger-bulk-assigned")
    with Session(db) as session:
        zhao = session.exec(select(User.id).where(User.username == "demo.technician")).one()
        stored = {t.code: (t.status, t.assignee_id) for t in session.exec(select(Ticket).where(
            col(Ticket.code).in_([first, second, third]))).all()}
    assert stored[first] == stored[second] == (Status.ASSIGNED, zhao)
    assert stored[third][0] == Status.CANCELLED

    # The tier of one of them, through the second bulk action (紧急 first in its list).
    listed.locator("tr", has_text=first).get_by_test_id("select-row").click()
    page.get_by_test_id("bulk-tier-open").click()
    trigger = page.get_by_test_id("bulk-tier")
    trigger.click()
    assert page.get_by_role("option").all_inner_texts() == ["紧急", "重要", "一般"]
    page.get_by_role("option", name="紧急", exact=True).click()
    page.get_by_test_id("bulk-tier-form-save").click()
    expect(result).to_contain_text("批量改等级：完成 1 张，未处理 0 张")
    expect(listed.locator("tr", has_text=first)).to_contain_text("紧急")


def expect_a4_print_layout(layout, name: str) -> None:
    """No sidebar, no header; printed (print media, an A4-wide window) nothing sticks out of the page, and the
    PDF Chromium prints is A4."""
    expect(layout.locator("[data-nav]")).to_have_count(0)
    expect(layout.get_by_test_id("community-switcher")).to_have_count(0)
    screenshot(layout, f"{name}-screen", full_page=False)  # on screen: the sheet and its toolbar
    layout.emulate_media(media="print")
    layout.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    expect(layout.get_by_test_id("print-now")).to_be_hidden()  # the toolbar is not printed
    overflow = layout.evaluate("""() => {
        const page = document.documentElement.clientWidth;
        return [...document.querySelectorAll('.print-sheet *')]
            .filter(e => e.getBoundingClientRect().right > page + 0.5).map(e => e.tagName + ' ' + e.textContent.slice(0, 30));
    }""")
    assert overflow == [], overflow
    assert layout.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH_PX
    screenshot(layout, name)
    pdf = layout.pdf(prefer_css_page_size=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)  # to look at, beside the screenshots
    pages = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert pages and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in pages), pages[:3]


def open_print(page, button_testid: str):
    with page.context.expect_page() as opened:
        page.get_by_test_id(button_testid).click()
    layout = opened.value
    layout.set_default_timeout(20_000)
    return layout


def test_a_ticket_the_review_and_the_catalog_print_on_a4_without_the_sidebar(page, db):
    word = f"打印{uuid.uuid4().hex[:6]}"
    (code,) = new_tickets(db, word, 1)
    with Session(db) as session:
        ticket = session.exec(select(Ticket).where(Ticket.code == code)).one()
        cs = signed_in(session, "demo.cs")
        zhao = session.exec(select(User.id).where(User.username == "demo.technician")).one()
        actions.assign(session, actor=cs, ticket_id=ticket.id, expected_version=ticket.version, assignee_id=zhao)
        session.commit()
        ticket_id = ticket.id
        events = len(session.exec(select(TicketEvent.id).where(TicketEvent.ticket_id == ticket_id)).all())
        building = session.exec(select(Building).join(Community, Community.id == Building.community_id).where(
            Community.code == "C01").order_by(Building.id)).first()
        building_id, community_id = building.id, building.community_id
    log_in(page, "demo.cs")
    page.wait_for_url(at_home)

    page.goto(f"/tickets/{ticket_id}")
    expect(page.get_by_test_id("ticket-code")).to_have_text(code)
    layout = open_print(page, "print-ticket")
    sheet = layout.get_by_test_id("print-ticket")
    expect(sheet).to_contain_text(code)
    expect(sheet).to_contain_text(word)
    expect(layout.get_by_test_id("print-timeline").get_by_test_id("print-row")).to_have_count(events)  # 登记, 派单 …
    expect(layout.get_by_test_id("print-timeline")).to_contain_text("状态变更：已派单")
    expect(sheet).to_contain_text(re.compile(r"1\d\d\*{4}\d{4}"))  # the contact's phone, masked
    expect_a4_print_layout(layout, "print-ticket")
    layout.close()

    page.goto("/tickets/review")
    expect(page.get_by_test_id("print-review")).to_be_visible()
    layout = open_print(page, "print-review")
    expect(layout.get_by_test_id("print-review")).to_contain_text("日清日审")
    expect_a4_print_layout(layout, "print-review")
    layout.close()

    page.goto(f"/archives?community={community_id}&building={building_id}")
    total = page.get_by_test_id("total-rows")
    expect(total).not_to_have_text(re.compile(r":\s*0$"))
    layout = open_print(page, "print-catalog")
    assert f"building={building_id}" in layout.url
    rows = layout.get_by_test_id("print-catalog").get_by_test_id("print-row")
    expect(rows.first).to_be_visible()
    assert rows.count() == int(re.search(r"\d+", total.inner_text()).group())  # every row of the view, not a page
    expect_a4_print_layout(layout, "print-catalog")
    layout.close()


def test_the_print_layouts_check_permission_and_scope_like_their_pages(page, db):
    with Session(db) as session:
        other = session.exec(select(Ticket.id).join(Community, Community.id == Ticket.community_id).where(
            Community.code != "C01").order_by(Ticket.id)).first()
    log_in(page, "demo.steward")  # may see tickets, not the daily review
    page.wait_for_url(at_home)
    page.goto("/print/tickets/review")
    expect(page.get_by_test_id("no-access-permission")).to_have_text("tickets.review")
    expect(page.get_by_test_id("print-review")).to_have_count(0)
    page.goto(f"/print/tickets/{other}")  # a ticket of a community not the steward's
    expect(page.get_by_text("记录不存在或已被删除")).to_be_visible()
    expect(page.get_by_test_id("print-ticket")).to_have_count(0)
    page.goto("/print/archives")  # the steward has no archive access
    expect(page.get_by_test_id("no-access-permission")).to_have_text("archives.view")
