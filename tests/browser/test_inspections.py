"""Facility inspections on a phone: a technician works through an elevator machine room check while the connection is
down — the answers, notes and photos typed offline survive a reload and a submission tapped offline arrives once the
connection is back — two failed items open rectifications with a deadline; the printed notice; a recheck closes one
with a photo; the other, past its deadline, is on the manager's home page and in their bell."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from pm_admin.auth.models import User
from pm_admin.core.clock import local_today
from pm_admin.core.permissions import SYSTEM
from pm_admin.inspections.models import (
    InspectionAnswer,
    InspectionTask,
    InspectionTemplate,
    Rectification,
    RectificationStatus,
    TaskStatus,
)
from pm_admin.inspections.services import setup
from pm_admin.inspections.services.rectifications import escalate_overdue
from pm_admin.places.models import Building, Community
from tests.browser.conftest import ARTIFACTS, PHONE, another_browser, screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
LEAK = "曳引机减速箱底部漏油，地面有约20cm油迹"
BRAKE = "制动轮与闸瓦间隙约1.2mm，超出标准"


class Connection:
    """The phone's connection to the server: HTTP through the context's offline switch; the event websocket closed
    and every new one refused while down (Chromium's offline mode leaves websockets alone, and a routed one does
    not close on the page's side), as a phone losing its signal sees it."""

    SCRIPT = """(() => {
      const Real = window.WebSocket;
      const open = new Set();
      window.__pmLink = {down: false, cut() { this.down = true; for (const ws of open) ws.close(); }};
      window.WebSocket = class extends Real {
        constructor(url, protocols) {
          super(url, protocols);
          open.add(this);
          this.addEventListener('close', () => open.delete(this));
          if (window.__pmLink.down) this.close();  // no signal: the attempt fails before it opens
        }
      };
    })();"""

    def __init__(self, page) -> None:
        self.page = page
        page.add_init_script(self.SCRIPT)

    def cut(self) -> None:
        self.page.context.set_offline(True)
        self.page.evaluate("window.__pmLink.cut()")

    def restore(self) -> None:
        self.page.context.set_offline(False)
        self.page.evaluate("window.__pmLink.down = false")


def elevator_check(db) -> int:
    """An elevator of C01's first building with a daily machine room check given out today to demo.technician."""
    with Session(db) as session:
        community = session.exec(select(Community).where(Community.code == "C01")).one()
        building = session.exec(select(Building).where(Building.community_id == community.id)
                                 .order_by(Building.id)).first()
        technician = session.exec(select(User).where(User.username == "demo.technician")).one()
        template = session.exec(select(InspectionTemplate).where(InspectionTemplate.name == "电梯机房日检")).one()
        elevator = setup.create_equipment(session, actor=SYSTEM, data=setup.EquipmentInput(
            community_id=community.id, building_id=building.id, name=f"{building.name}1号电梯", kind="elevator",
            location=f"{building.name}顶层电梯机房"))
        schedule = setup.create_schedule(session, actor=SYSTEM, data=setup.ScheduleInput(
            community_id=community.id, template_id=template.id, equipment_id=elevator.id,
            assignee_id=technician.id))
        session.commit()
        return session.exec(select(InspectionTask.id).where(InspectionTask.schedule_id == schedule.id)).one()


def item(page, n: int):
    return page.get_by_test_id("inspection-item").nth(n)


def answer(page, n: int, result: str, note: str = "", photo: Path | None = None) -> None:
    row = item(page, n)
    row.get_by_test_id(f"item-{result}").check()
    if note:
        row.get_by_test_id("item-note").fill(note)
    if photo is not None:
        row.get_by_test_id("item-photo").set_input_files(str(photo))
        expect(row.locator("img[data-photo-preview]")).to_be_visible()  # shrunk and kept in the draft


def test_an_elevator_check_on_a_phone_survives_the_connection_dropping_and_its_rectifications_are_followed(
        browser, live_server, page, db, tmp_path):
    task_id = elevator_check(db)
    photo = tmp_path / "leak.png"
    photo.write_bytes(PNG)
    page.set_viewport_size(PHONE)
    link = Connection(page)  # every event socket of the phone goes through the route (one opened later only)
    log_in(page, "demo.technician")
    page.wait_for_url(re.compile(r"/my-orders/?$"))
    page.get_by_test_id("orders-inspections").click()  # 我的工单 → 我的巡检
    page.wait_for_url(re.compile(r"/my-inspections/?$"))
    card = page.locator(f"[data-testid='my-inspection'][href$='/inspections/tasks/{task_id}']")
    expect(card).to_contain_text("电梯机房日检")
    expect(card).to_contain_text("今日完成")
    screenshot(page, "my-inspections-phone")
    card.click()
    page.wait_for_url(re.compile(rf"/inspections/tasks/{task_id}$"))
    expect(page.get_by_test_id("inspection-item")).to_have_count(7)

    # In the machine room: no signal. The first three items, one failed with a note and a photo.
    link.cut()
    expect(page.get_by_test_id("inspection-offline")).to_be_visible()
    answer(page, 0, "pass")
    answer(page, 1, "pass")
    answer(page, 2, "fail", LEAK, photo)
    expect(item(page, 2).get_by_test_id("item-room")).to_be_visible()  # a failure may name a household's room
    expect(page.get_by_test_id("draft-status")).to_contain_text("已保存在本机")
    screenshot(page, "inspection-check-phone-offline")

    # Back in signal, the page reloaded (a closed tab, a dead battery): everything typed is still there.
    link.restore()
    page.reload()
    expect(page.get_by_test_id("draft-status")).to_contain_text("已恢复本机保存的填写内容")
    expect(item(page, 0).get_by_test_id("item-pass")).to_be_checked()
    expect(item(page, 2).get_by_test_id("item-fail")).to_be_checked()
    expect(item(page, 2).get_by_test_id("item-note")).to_have_value(LEAK)
    expect(item(page, 2).locator("img[data-photo-preview]")).to_be_visible()

    # Down again for the rest; the submission is tapped offline and waits.
    link.cut()
    expect(page.get_by_test_id("inspection-offline")).to_be_visible()
    answer(page, 3, "pass")
    answer(page, 4, "fail", BRAKE)
    answer(page, 5, "pass")
    answer(page, 6, "pass")
    screenshot(page, "inspection-check-phone")
    page.get_by_test_id("inspection-submit").click()
    expect(page.get_by_test_id("draft-status")).to_have_text("正在提交…")
    with Session(db) as session:
        assert session.get(InspectionTask, task_id).status == TaskStatus.OPEN  # nothing reached the server

    # The connection comes back: the submission arrives, with nothing lost.
    link.restore()
    expect(page.get_by_test_id("inspection-result")).to_have_count(7, timeout=30_000)
    expect(page.locator("[data-testid='inspection-result'][data-result='fail']")).to_have_count(2)
    with Session(db) as session:
        task = session.get(InspectionTask, task_id)
        assert (task.status, task.failed_items, task.done_by) == (TaskStatus.DONE, 2, "demo.technician")
        answers = session.exec(select(InspectionAnswer).where(InspectionAnswer.task_id == task_id)
                               .order_by(InspectionAnswer.position)).all()
        assert [(a.passed, a.note, bool(a.photo_sha256)) for a in answers] == [
            (True, "", False), (True, "", False), (False, LEAK, True), (True, "", False), (False, BRAKE, False),
            (True, "", False), (True, "", False)]
        leak, brake = session.exec(select(Rectification).where(Rectification.task_id == task_id)
                                   .order_by(Rectification.id)).all()
        assert leak.deadline == local_today() + timedelta(days=3)  # the checklist's three days
    assert page.evaluate(f"localStorage.getItem('pm_inspection_draft:{task_id}')") is None  # the draft is spent
    screenshot(page, "inspection-done-phone")

    # The first rectification: its deadline, the printed notice, a recheck that closes it with a photo.
    page.locator("[data-testid='inspection-result'][data-result='fail']").first \
        .get_by_test_id("result-rectification").click()
    page.wait_for_url(re.compile(rf"/rectifications/{leak.id}$"))
    expect(page.get_by_test_id("rectification-deadline")).to_have_text(leak.deadline.isoformat())
    expect(page.get_by_test_id("rectification-hazard")).to_contain_text(LEAK)
    page.get_by_test_id("recheck").click()
    form = page.get_by_test_id("recheck-form")
    form.get_by_test_id("recheck-passed").click()
    form.get_by_test_id("recheck-note").fill("已更换油封，清理油迹，试运行无渗漏")
    page.get_by_test_id("recheck-form-save").click()
    expect(form.get_by_text("复查合格须附一张整改后的照片")).to_be_visible()
    form.get_by_test_id("recheck-photo").set_input_files(str(photo))
    page.get_by_test_id("recheck-form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("rectification-status")).to_have_text("已关闭")
    expect(page.get_by_test_id("recheck-line")).to_have_count(1)
    screenshot(page, "rectification-closed-phone")
    with Session(db) as session:
        assert session.get(Rectification, leak.id).status == RectificationStatus.CLOSED

    page.set_viewport_size({"width": 1000, "height": 1200})
    page.goto(f"/rectifications/{brake.id}/notice")
    expect(page.get_by_test_id("notice-title")).to_have_text("隐患整改通知书")  # not a fire check
    expect(page.get_by_test_id("notice-hazard")).to_contain_text(BRAKE)
    expect(page.get_by_test_id("notice-deadline")).to_have_text(brake.deadline.isoformat())
    expect(page.locator("[data-nav='home']")).to_have_count(0)  # no sidebar: the page is the sheet
    screenshot(page, "rectification-notice-screen")
    page.emulate_media(media="print")
    screenshot(page, "rectification-notice-print")
    pdf = page.pdf(path=str(ARTIFACTS / "rectification-notice.pdf"), format="A4", print_background=True)
    assert re.search(rb"/Type\s*/Pages\b[^>]*/Count 1\b", pdf)  # one A4 sheet
    page.emulate_media(media="screen")

    # The second one runs past its deadline (moved back, as the days would): the daily job tells the managers, and
    # the manager's home page shows it.
    with Session(db) as session:
        late = session.get(Rectification, brake.id)
        late.deadline = late.first_deadline = local_today() - timedelta(days=1)
        session.add(late)
        assert escalate_overdue(session, actor=SYSTEM, today=local_today()) == 1
        session.commit()
    manager, home = another_browser(browser, live_server)
    log_in(home, "demo.manager")
    home.wait_for_url(at_home)
    expect(home.get_by_test_id("home.rectifications_overdue")).to_have_text(re.compile(r"^[1-9]\d*$"))
    screenshot(home, "manager-home-rectification-overdue")
    home.get_by_test_id("notice-bell").click()
    expect(home.get_by_test_id("notice-item").filter(has_text="隐患整改逾期").filter(has_text=BRAKE)).to_be_visible()
    screenshot(home, "manager-bell-rectification-overdue", full_page=False)
    home.keyboard.press("Escape")
    home.goto("/rectifications?overdue=1")
    expect(home.get_by_test_id("rectifications-table").locator("tbody tr").filter(has_text=BRAKE)
           .get_by_test_id("rectification-status")).to_have_text("逾期")
    screenshot(home, "rectifications-overdue")
    manager.close()


def pick(page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_manager_registers_equipment_and_schedules_a_check_whose_task_is_given_out(page, db):
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/inspections/setup")
    expect(page.get_by_test_id("templates-table")).to_contain_text("消防全面检查")
    # A company checklist opens, read from the server, as the start of the community's own copy.
    page.get_by_test_id("template-link").filter(has_text="电梯机房日检").click()
    form = page.get_by_test_id("template-form")
    expect(form.get_by_text("公司统一的检查表不能修改")).to_be_visible()
    expect(form.get_by_test_id("template-items")).to_have_value(re.compile(r"^# 机房\n机房门锁完好"))
    form.get_by_role("button", name="取消").click()
    expect(form).to_be_hidden()
    page.get_by_test_id("new-equipment").click()
    form = page.get_by_test_id("equipment-form")
    form.locator("input[name=name]").fill("2栋消防水泵")
    pick(page, "equipment-kind", "水泵")
    form.locator("input[name=location]").fill("地下一层消防泵房")
    page.get_by_test_id("equipment-form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("equipment-table")).to_contain_text("2栋消防水泵")

    page.get_by_test_id("new-schedule").click()
    form = page.get_by_test_id("schedule-form")
    page.get_by_test_id("schedule-form-save").click()
    expect(form.get_by_text("请选择检查表")).to_be_visible()  # beside its field, nothing saved
    pick(page, "schedule-template", "消防季度抽查")
    pick(page, "schedule-equipment", "2栋消防水泵")
    page.get_by_test_id("schedule-form-save").click()
    expect(form).to_be_hidden()
    row = page.get_by_test_id("schedules-table").locator("tbody tr").filter(has_text="2栋消防水泵")
    expect(row).to_contain_text("每季度")  # the checklist's own recurrence when none is chosen
    screenshot(page, "inspection-setup")

    # Its current quarter's task was given out with the schedule.
    page.goto("/inspections?category=fire&status=open")
    expect(page.get_by_test_id("inspections-table").locator("tbody tr").filter(has_text="2栋消防水泵")).to_have_count(1)
    page.get_by_test_id("generate-tasks").click()
    expect(page.get_by_text(re.compile(r"已生成 \d+ 项巡检任务"))).to_be_visible()
    expect(page.get_by_test_id("inspections-table").locator("tbody tr").filter(has_text="2栋消防水泵")).to_have_count(1)
    screenshot(page, "inspection-tasks")
