"""The ticket board as a busy cs specialist uses it (issue 17, items 1 and 2): a moved card shows first in its new
column, highlighted; a registered ticket opens its tier's tab and its code in the toast opens it; the final states
are on a rail in view however far down the board is scrolled; while dragging, the targets the workflow forbids
are dimmed and say why. Screenshots are taken mid-drag (test-artifacts/screenshots/board-*.png)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from pm_admin.auth.models import User
from pm_admin.places.models import Community, Room
from pm_admin.tickets.models import Ticket
from pm_admin.tickets.services import actions, registration
from pm_admin.tickets.services.actions import ActionInput
from pm_admin.tickets.services.registration import TicketInput
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in
from tests.browser.test_tickets import column, pick
from tests.support import factories
from tests.support.ticket_desk import category

pytestmark = pytest.mark.browser
DIMMED = "0.35"


def open_board(page, tier: str = "normal") -> None:
    log_in(page, "demo.cs")
    page.wait_for_url(at_home)
    page.goto(f"/tickets/board?tier={tier}")
    expect(page.get_by_test_id("ticket-card").first).to_be_visible()


def visible_point(page, target) -> tuple[float, float]:
    """The middle of the part of ``target`` in view below the header (a column may be thousands of pixels tall)."""
    box, view = target.bounding_box(), page.viewport_size
    top, bottom = max(box["y"], 64), min(box["y"] + box["height"], view["height"] - 20)
    assert bottom > top, "the target is not in view"
    return min(box["x"] + box["width"] / 2, view["width"] - 30), (top + bottom) / 2


def drag(page, card, target, *, while_over=None) -> None:
    """A real pointer drag (pragmatic-drag-and-drop listens to native drag events); ``while_over`` runs with the
    card held over the target, before it is let go."""
    expect(card).to_have_attribute("draggable", "true")
    card.scroll_into_view_if_needed()
    start = card.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] * 0.6  # the title, not the code's link
    page.wait_for_function("([x, y, code]) => !!document.elementFromPoint(x, y)?.closest(`[data-code='${code}']`)",
                           arg=[x0, y0, card.get_attribute("data-code")])
    x1, y1 = visible_point(page, target)
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 13):
        page.mouse.move(x0 + (x1 - x0) * step / 12, y0 + (y1 - y0) * step / 12)
        page.wait_for_timeout(30)
    if while_over is not None:
        while_over()
    page.mouse.up()


def dimmed(target) -> str:
    """The opacity of the target's content (its reason line stays readable)."""
    return target.evaluate("el => getComputedStyle(el.querySelector(':scope > :not(.kanban-reason)')).opacity")


def first_code(page, status: str) -> str | None:
    return column(page, status).get_by_test_id("ticket-card").first.get_attribute("data-code")


def assigned_ticket(db) -> str:
    """A new 一般 complaint of C01 assigned to the demo technician (the demo's open tickets depend on the hour the
    data was seeded, and other tests move them): its deadline is the latest, so by deadline it would sort last."""
    with Session(db) as session:
        def signed_in(username):
            return factories.sign_in(session, session.exec(select(User).where(User.username == username)).one())
        cs, technician = signed_in("demo.cs"), session.exec(select(User).where(User.username == "demo.technician")).one()
        c01 = session.exec(select(Community.id).where(Community.code == "C01")).one()
        ticket = registration.create_ticket(session, actor=cs, data=TicketInput(
            kind="complaint", category_id=category(session, "noise").id, tier="normal", channel="hotline",
            title="看板移动测试：楼上夜间噪音", community_id=c01))
        actions.drop(session, actor=cs, ticket_id=ticket.id, expected_version=ticket.version, to_status="assigned",
                     data=ActionInput(assignee_id=technician.id))
        session.commit()
        return ticket.code


def test_a_card_moved_to_another_column_shows_first_there_highlighted(page, db):
    code = assigned_ticket(db)
    open_board(page)
    card = column(page, "assigned").locator(f"[data-testid=ticket-card][data-code='{code}']")
    expect(card).to_have_attribute("data-targets", re.compile(r"\bin_progress\b"))
    assert first_code(page, "in_progress") != code

    def held():
        expect(page.get_by_test_id("reason-new")).to_have_text("工单不能退回待受理")  # the server says why, mid-drag
        screenshot(page, "board-drag-to-column", full_page=False)

    drag(page, card, column(page, "in_progress"), while_over=held)
    expect(page.get_by_text(f"{code} 已转为「处理中」")).to_be_visible()
    moved = column(page, "in_progress").get_by_test_id("ticket-card").first
    expect(moved).to_have_attribute("data-code", code)  # first in the column, not at its deadline's place
    expect(moved).to_have_attribute("data-moved", "true")  # highlighted
    expect(moved).to_be_in_viewport()
    screenshot(page, "board-moved-first", full_page=False)


def test_a_registered_ticket_opens_its_tier_and_the_toast_code_opens_it(page, db):
    with Session(db) as session:
        room = session.exec(select(Room.code).join(Community, Community.id == Room.community_id)
                            .where(Community.code == "C01").order_by(Room.id)).first()
    open_board(page, "normal")
    page.get_by_test_id("new-ticket").click()
    form = page.get_by_test_id("new-ticket-form")
    pick(page, form.get_by_test_id("new-tier"), "重要")
    pick(page, form.get_by_test_id("new-category"), "邻里关系 / 噪音扰民")
    form.locator("input[name=room_code]").fill(room)
    form.locator("input[name=title]").fill("重要工单登记后看板切到重要（浏览器测试）")
    form.locator("textarea[name=description]").fill("业主来电：楼道堆物堵塞")
    page.get_by_test_id("new-ticket-form-save").click()
    toast = page.locator(".toast-ticket-created")
    expect(toast).to_contain_text("已登记工单")
    with Session(db) as session:
        ticket = session.exec(select(Ticket).where(Ticket.title == "重要工单登记后看板切到重要（浏览器测试）")).one()
    expect(page.get_by_test_id("tier-important")).to_have_attribute("data-state", "active")
    expect(page).to_have_url(re.compile(r"tier=important"))
    card = page.locator(f"[data-testid=ticket-card][data-code='{ticket.code}']")
    expect(card).to_have_attribute("data-moved", "true")
    expect(card).to_be_in_viewport()
    assert first_code(page, str(ticket.status)) == ticket.code
    screenshot(page, "board-registered-important", full_page=False)
    toast.get_by_role("button", name=ticket.code).click()  # the code in the toast opens the ticket
    page.wait_for_url(re.compile(rf"/tickets/{ticket.id}$"))
    expect(page.get_by_text(ticket.code).first).to_be_visible()


@pytest.mark.parametrize(("zone", "reason"), [("invalid", "重复登记，与前一张相同"), ("cancelled", "业主来电撤回")])
def test_the_final_states_are_in_reach_from_far_down_the_board(page, db, zone, reason):
    open_board(page, "normal")
    # The lowest card of the board that may go there: far down in the longest column.
    codes = page.locator(f"[data-testid=ticket-card][data-targets~='{zone}']").evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().top + window.scrollY, e.dataset.code])")
    top, code = max(codes)
    # Below the first screen (how far depends on the demo tickets still open at this hour): without the sticky rail
    # the final states would be out of view once the card is.
    assert top > page.viewport_size["height"]
    card = page.locator(f"[data-testid=ticket-card][data-code='{code}']")
    card.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0
    rail = page.get_by_test_id("drop-rail").bounding_box()
    assert 0 <= rail["y"] and rail["y"] + rail["height"] <= page.viewport_size["height"]  # the rail is in view

    def held():
        expect(page.get_by_test_id(f"zone-{zone}")).to_have_attribute("data-over", "true")
        assert dimmed(page.get_by_test_id(f"zone-{zone}")) == "1"  # allowed: not dimmed
        expect(page.get_by_test_id("reason-closed")).not_to_be_empty()  # closing is not a drop from here
        screenshot(page, f"board-drag-to-rail-{zone}", full_page=False)

    drag(page, card, page.get_by_test_id(f"zone-{zone}"), while_over=held)
    form = page.get_by_test_id("move-form")  # the workflow asks for a reason
    expect(form).to_contain_text(f"{code} → {'无效' if zone == 'invalid' else '已撤销'}")
    form.get_by_test_id("move-reason").fill(reason)
    page.get_by_test_id("move-form-save").click()
    expect(page.locator(f"[data-testid=ticket-card][data-code='{code}']")).to_have_count(0)
    with Session(db) as session:
        assert session.exec(select(Ticket.status).where(Ticket.code == code)).one() == zone


def test_a_forbidden_target_is_dimmed_with_the_workflows_reason(page):
    open_board(page, "normal")
    card = column(page, "new").locator("[data-testid=ticket-card]:not([data-targets~='in_progress'])").first
    code = card.get_attribute("data-code")
    target = column(page, "in_progress")

    def held():
        reason = page.get_by_test_id("reason-in_progress")
        expect(reason).to_have_text("请先派单，再开始处理")  # the workflow's refusal for new → in progress
        expect(reason).to_be_visible()  # hovered: a hint above the board
        assert dimmed(target) == DIMMED
        assert dimmed(page.get_by_test_id("zone-closed")) == DIMMED
        expect(page.get_by_test_id("reason-closed")).to_have_text("关闭工单须先回访业主")
        assert dimmed(column(page, "assigned")) == "1"  # allowed: assigning
        expect(page.get_by_test_id("reason-assigned")).to_be_empty()
        screenshot(page, "board-drag-forbidden", full_page=False)

    drag(page, card, target, while_over=held)
    # Let go there anyway: the server refuses and the card stays where it was.
    expect(page.get_by_text("请先派单，再开始处理").first).to_be_visible()
    expect(column(page, "new").locator(f"[data-code='{code}']")).to_have_count(1)
    expect(page.get_by_test_id("reason-in_progress")).to_be_hidden()  # no drag, no hint
