"""Issue 17 items 4, 5 and 10 on screen: irreversible steps ask first naming their object; the staff header and a
technician's order cards (contact, 预约上门时间) on a 390 px phone; revealed phones never cut, the owner bulk bar on
one line, 暂无数据 in empty tables, the archives toolbar's field labelled, tiers 紧急 / 重要 / 一般 everywhere."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, func, select

from pm_admin.archives.models import AccessRequest, Archive
from pm_admin.auth.models import User
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.core.permissions import SYSTEM
from pm_admin.owners.models import HouseholdMember, Owner, OwnerPhone, Ownership
from pm_admin.places.models import Community, Room
from pm_admin.tickets.models import Ticket
from pm_admin.tickets.services import handling
from tests.browser.conftest import PHONE, another_browser, screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser
WIDE = {"width": 1440, "height": 900}


def c01(session) -> int:
    return session.exec(select(Community.id).where(Community.code == "C01")).one()


def signed_in(page, username: str, viewport: dict | None = None) -> None:
    if viewport:
        page.set_viewport_size(viewport)
    log_in(page, username)
    page.wait_for_url(lambda url: "/login" not in url)


def box(locator) -> dict:
    locator.wait_for()
    found = locator.bounding_box()
    assert found is not None, "not rendered"
    return found


# ---------------------------------------------------------------- item 4: asks first, naming the object


def test_approving_a_handling_plan_asks_first_naming_the_ticket(page, db):
    with Session(db) as session:
        ticket = session.exec(select(Ticket).where(
            Ticket.community_id == c01(session), Ticket.tier == "important",
            col(Ticket.status).in_(["new", "assigned"]), Ticket.plan == "").order_by(Ticket.id)).first()
        handling.submit_plan(session, actor=SYSTEM, ticket_id=ticket.id, plan="先关闭总阀，再更换破裂的立管")
        session.commit()
        ticket_id, code, title = ticket.id, ticket.code, ticket.title
    signed_in(page, "demo.manager")
    page.goto(f"/tickets/{ticket_id}")
    page.get_by_test_id("approve-plan").click()
    dialog = page.get_by_test_id("approve-plan-dialog")
    expect(dialog.get_by_test_id("approve-plan-subject")).to_have_text(f"{code} · {title}")
    expect(dialog).to_contain_text("批准处理方案？")
    screenshot(page, "confirm-approve-plan", full_page=False)
    page.get_by_test_id("approve-plan-cancel").click()
    expect(dialog).to_be_hidden()
    with Session(db) as session:
        assert session.get(Ticket, ticket_id).plan_approved_by == ""  # cancelled: nothing changed
    page.get_by_test_id("approve-plan").click()
    page.get_by_test_id("approve-plan-confirm").click()
    expect(page.get_by_test_id("approve-plan")).to_have_count(0)
    with Session(db) as session:
        assert session.get(Ticket, ticket_id).plan_approved_by == "demo.manager"


def test_deciding_an_archive_request_names_the_archive_and_the_requester(page, db):
    with Session(db) as session:
        archive = session.exec(select(Archive).where(Archive.community_id == c01(session)).order_by(Archive.id)).first()
        steward = session.exec(select(User).where(User.username == "demo.steward")).one()
        request = AccessRequest(archive_id=archive.id, community_id=archive.community_id, requester_id=steward.id,
                                requester_name=steward.username, reason="核对业主临时公约（确认测试）")
        session.add(request)
        session.commit()
        request_id, archive_no, requester = request.id, archive.archive_no, steward.display_name
    signed_in(page, "demo.manager")
    page.goto("/archives/requests")
    row = page.get_by_test_id("pending-requests").locator("tr").filter(has_text="确认测试")
    row.get_by_test_id("approve-request").click()
    form = page.get_by_test_id("decision-form")
    expect(form.get_by_test_id("decision-subject")).to_have_text(f"{archive_no} · {requester}")
    expect(form).to_contain_text("核对业主临时公约（确认测试）")
    form.get_by_role("button", name="取消").click()
    expect(form).to_be_hidden()
    with Session(db) as session:
        assert session.get(AccessRequest, request_id).status == "pending"


# ---------------------------------------------------------------- item 5: the technician's phone


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    return (datetime.now(DISPLAY_ZONE) + timedelta(days=1)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def test_the_desk_books_a_visit_and_the_technician_sees_it_first_with_the_contact_on_a_phone(page, db, browser,
                                                                                            live_server):
    with Session(db) as session:
        technician = session.exec(select(User.id).where(User.username == "demo.technician")).one()
        ticket = session.exec(select(Ticket).where(
            Ticket.assignee_id == technician, col(Ticket.status).in_(["assigned", "in_progress"]),
            col(Ticket.contact_phone_enc).is_not(None), col(Ticket.appointment_at).is_(None))
            .order_by(Ticket.resolve_due.desc())).first()  # the last in deadline order: the booking moves it up
        ticket_id, code = ticket.id, ticket.code
    # The cs books the visit on the ticket page: a time gone is refused beside the field, the input kept.
    signed_in(page, "demo.cs")
    page.goto(f"/tickets/{ticket_id}")
    page.get_by_test_id("appointment-open").click()
    form = page.get_by_test_id("appointment-form")
    yesterday = tomorrow_at(10) - timedelta(days=2)
    page.get_by_test_id("appointment-input").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("appointment-form-save").click()
    expect(form.get_by_role("alert")).to_contain_text("预约时间须晚于现在")
    expect(page.get_by_test_id("appointment-input")).to_have_value(yesterday.strftime("%Y-%m-%dT%H:%M"))
    when = tomorrow_at(9, 30)
    page.get_by_test_id("appointment-input").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("appointment-form-save").click()
    expect(form).to_be_hidden()
    shown = when.strftime("%Y-%m-%d %H:%M")
    expect(page.get_by_test_id("ticket-appointment")).to_have_text(shown)
    with Session(db) as session:
        assert session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "ticket.appointment", AuditEvent.entity_id == str(ticket_id))).one() == 1

    # The technician, on a phone: the header fits, the booked order comes first with its contact and time.
    context, phone = another_browser(browser, live_server, PHONE)
    signed_in(phone, "demo.technician")
    phone.wait_for_url(re.compile(r"/my-orders/?$"))
    title, menu = phone.get_by_test_id("page-title"), phone.get_by_test_id("user-menu")
    expect(title).to_have_text("我的工单")
    title_box, menu_box = box(title), box(menu)
    assert title_box["width"] >= title.evaluate("el => el.scrollWidth") > 0  # the whole title, not "我·"
    assert 0 <= menu_box["x"] and menu_box["x"] + menu_box["width"] <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing pokes out sideways
    first = phone.get_by_test_id("order-card").first
    expect(first).to_have_attribute("data-code", code)
    expect(first.get_by_test_id("order-appointment")).to_contain_text(shown)
    contact = first.get_by_test_id("order-contact")
    expect(contact).to_contain_text(re.compile(r"1\d{2}\*{4}\d{4}"))  # masked until asked
    screenshot(phone, "technician-orders-appointment-phone", full_page=False)
    first.get_by_test_id("order-contact-show").click()  # for the visit: the number as a link that dials it
    expect(first.get_by_test_id("order-contact-phone")).to_have_attribute("href", re.compile(r"^tel:1\d{10}$"))
    with Session(db) as session:
        assert session.exec(select(AuditEvent.actor_name).where(
            AuditEvent.action == "ticket.contact_read", AuditEvent.entity_id == str(ticket_id))
            .order_by(AuditEvent.id.desc())).first() == "demo.technician"
    context.close()


def test_the_staff_header_keeps_one_row_and_its_title_on_a_wide_screen(page):
    signed_in(page, "demo.manager", WIDE)
    page.wait_for_url(at_home)
    header, title = page.get_by_test_id("shell-header"), page.get_by_test_id("page-title")
    expect(title).to_have_text("首页")
    assert box(header)["height"] <= 61
    assert box(page.get_by_test_id("user-menu"))["x"] + box(page.get_by_test_id("user-menu"))["width"] <= WIDE["width"]


# ---------------------------------------------------------------- item 10: polish seen on screen


def test_revealed_phones_are_never_cut_off(page, db):
    with Session(db) as session:
        owner_id = session.exec(select(OwnerPhone.owner_id).join(Ownership, Ownership.owner_id == OwnerPhone.owner_id)
                                .join(Room, Room.id == Ownership.room_id).where(Room.community_id == c01(session))
                                .group_by(OwnerPhone.owner_id).having(func.count(OwnerPhone.id) >= 2)
                                .order_by(OwnerPhone.owner_id)).first()
    for viewport in (WIDE, PHONE):
        page.set_viewport_size(viewport)
        if viewport is WIDE:
            signed_in(page, "demo.manager")
        page.goto(f"/owners/{owner_id}")
        page.get_by_test_id("reveal-button").click()
        page.get_by_test_id("reveal-reason").fill("核对业主联系电话")
        page.get_by_test_id("reveal-confirm").click()
        phones = page.get_by_test_id("phones-revealed")
        expect(phones).to_have_value(re.compile(r"^1\d{10}、1\d{10}"))
        clipped = phones.evaluate("el => [el.scrollWidth - el.clientWidth, el.scrollHeight - el.clientHeight]")
        assert clipped[0] <= 0 and clipped[1] <= 1, clipped
        screenshot(page, f"owner-revealed-phones-{viewport['width']}", full_page=False)
        page.get_by_test_id("hide-pii").click()
    page.set_viewport_size(WIDE)
    page.goto("/owners")
    cell = page.get_by_test_id("owners-grid").locator("tbody tr").first.locator("td").filter(
        has_text=re.compile(r"^\d{3}\*{4}\d{4}")).first
    line = cell.evaluate("el => [el.querySelector('p').getClientRects().length, el.scrollWidth - el.clientWidth]")
    assert line == [1, 0]  # the number on one line, nothing hidden


def test_the_owner_bulk_bar_is_one_line_at_1440(page):
    signed_in(page, "demo.manager", WIDE)
    page.goto("/owners")
    page.get_by_test_id("owners-grid").locator("tbody button[role=checkbox]").first.click()
    bar = page.get_by_test_id("bulk-bar")
    expect(page.get_by_test_id("bulk-count")).to_contain_text("1")
    tops = {round(b["y"]) for b in bar.locator("button, input").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect()).map(r => ({y: r.y + r.height / 2}))")}
    assert max(tops) - min(tops) <= 2, tops  # every control on the same line
    assert box(bar)["height"] <= 48
    screenshot(page, "owners-bulk-bar-1440", full_page=False)


def test_every_empty_table_says_no_data(page, db):
    with Session(db) as session:
        lonely = session.exec(select(Owner.id).join(Ownership, Ownership.owner_id == Owner.id)
                              .join(Room, Room.id == Ownership.room_id).where(
            Room.community_id == c01(session), col(Owner.id).not_in(select(HouseholdMember.owner_id)))
            .order_by(Owner.id)).first()
    signed_in(page, "demo.manager", WIDE)
    page.goto("/owners?q=没有这个业主zz")  # a paged grid
    expect(page.get_by_test_id("owners-grid").get_by_test_id("empty-row")).to_have_text("暂无数据")
    page.goto(f"/owners/{lonely}")  # a small table of the kit
    page.get_by_role("tab", name="家庭成员").click()
    expect(page.get_by_test_id("members-table").get_by_test_id("empty-row")).to_have_text("暂无数据")
    screenshot(page, "empty-table", full_page=False)


def test_the_archives_toolbar_field_says_what_it_is_for(page):
    signed_in(page, "demo.archivist", WIDE)
    page.goto("/archives")
    field = page.get_by_label("新建档案")
    expect(field).to_have_attribute("data-testid", "archive-room-code")
    expect(page.get_by_label("业主姓名或拼音")).to_be_visible()  # the search boxes are named too
    screenshot(page, "archives-toolbar", full_page=False)


def test_tiers_read_urgent_important_normal_in_every_picker(page):
    signed_in(page, "demo.cs", WIDE)
    page.goto("/tickets/board")
    tabs = [page.get_by_test_id(f"tier-{tier}") for tier in ("urgent", "important", "normal")]
    xs = [box(tab)["x"] for tab in tabs]
    assert xs == sorted(xs)
    page.get_by_test_id("new-ticket").click()
    page.get_by_test_id("new-tier").click()
    expect(page.get_by_role("option")).to_have_text(["紧急", "重要", "一般"])
