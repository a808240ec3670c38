"""Owner registry in the browser: pinyin search, phone validation and history, masking, reveal, import."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, select

from pm_admin.core.audit import AuditEvent
from pm_admin.owners.models import Owner, Ownership
from pm_admin.owners.spreadsheet.columns import IMPORT_COLUMNS
from pm_admin.places.models import Community, Room
from tests.browser.conftest import another_browser, screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser


def an_owner_of(db, community_code: str, offset: int = 0) -> Owner:
    with Session(db) as session:
        return session.exec(
            select(Owner).join(Ownership, Ownership.owner_id == Owner.id).join(Room, Room.id == Ownership.room_id)
            .join(Community, Community.id == Room.community_id)
            .where(Community.code == community_code, Ownership.ended_on.is_(None))
            .order_by(Owner.id).offset(offset)).first()


def test_find_by_pinyin_fix_a_phone_and_see_the_history(page, db):
    owner = an_owner_of(db, "C01", offset=7)
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/owners")
    page.get_by_test_id("search-input").fill(owner.name_initials)
    page.get_by_test_id("search-input").press("Enter")
    expect(page).to_have_url(re.compile(rf"q={owner.name_initials}"))  # replaceState: no navigation
    link = page.get_by_test_id("owners-grid").get_by_role("link", name=owner.name, exact=True).first
    expect(link).to_be_visible()
    screenshot(page, "owners-pinyin-search")
    link.click()
    expect(page.get_by_test_id("owner-name")).to_have_text(owner.name)

    page.get_by_test_id("edit-owner").click()
    form = page.get_by_test_id("owner-edit-form")
    form.locator("input[name=phone]").fill("12345")
    form.get_by_test_id("owner-edit-form-save").click()
    expect(form.locator(".field-error")).to_contain_text("请输入正确的手机或固定电话")
    screenshot(page, "owner-invalid-phone")
    form.locator("input[name=phone]").fill("13912340000")
    form.get_by_test_id("owner-edit-form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("owner-phones")).to_contain_text("139****0000")
    page.get_by_test_id("tab-history").click()
    history = page.get_by_test_id("history-table")
    expect(history).to_contain_text("139****0000")
    expect(history).to_contain_text("李经理")  # staff by name, not by login
    screenshot(page, "owner-history")


def test_cs_sees_masked_id_and_no_reveal_button(page, db):
    owner = an_owner_of(db, "C01", offset=3)
    log_in(page, "demo.cs")
    page.wait_for_url(at_home)
    page.goto(f"/owners/{owner.id}")
    expect(page.get_by_test_id("owner-id-number")).to_have_text(re.compile(r"^\d{4}\*{10}[\dX]{4}$"))
    expect(page.get_by_test_id("owner-phones")).to_contain_text("****")
    expect(page.get_by_test_id("edit-owner")).to_be_visible()
    assert page.get_by_test_id("reveal-button").count() == 0
    screenshot(page, "owner-cs-masked")


def test_manager_reveals_with_a_reason_and_it_is_audited(page, db):
    owner = an_owner_of(db, "C02", offset=5)
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto(f"/owners/{owner.id}")
    page.get_by_test_id("reveal-button").click()
    page.get_by_test_id("reveal-confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写查看原因")
    page.get_by_test_id("reveal-reason").fill("核实身份办理车位过户")
    page.get_by_test_id("reveal-confirm").click()
    expect(page.get_by_test_id("id-number-revealed")).to_have_value(re.compile(r"^\d{17}[\dX]$"))
    expect(page.get_by_test_id("owner-id-number")).not_to_contain_text("********")
    expect(page.get_by_role("dialog")).to_have_count(0)
    screenshot(page, "owner-revealed")
    page.get_by_test_id("hide-pii").click()  # hiding empties the revealed values, the masked ones return
    expect(page.get_by_test_id("owner-id-number")).to_contain_text("********")
    expect(page.get_by_test_id("id-number-revealed")).to_have_value("")
    with Session(db) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "owner.reveal_pii",
                                                      AuditEvent.entity_id == str(owner.id))).one()
    assert event.actor_name == "demo.manager" and event.changes["reason"] == "核实身份办理车位过户"
    page.reload()
    expect(page.get_by_test_id("owner-id-number")).to_contain_text("********")  # shown in that view only


def free_rooms(db, count: int) -> list[str]:
    with Session(db) as session:
        owned = select(Ownership.room_id).where(Ownership.ended_on.is_(None))
        return list(session.exec(select(Room.code).join(Community, Community.id == Room.community_id)
                                 .where(Community.code == "C01", Room.id.not_in(owned))
                                 .order_by(Room.id).limit(count)).all())


def import_file(path, rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.zh for c in IMPORT_COLUMNS])
    for values in rows:
        writer.writerow([values.get(c.key, "") for c in IMPORT_COLUMNS])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def owner_count(db) -> int:
    with Session(db) as session:
        return session.scalar(sa.select(sa.func.count(Owner.id)))


def test_import_with_two_bad_rows_writes_nothing_then_the_fixed_file_imports(page, db, tmp_path):
    rooms = free_rooms(db, 4)
    assert len(rooms) == 4
    good = [{"room_code": rooms[0], "name": "导入甲", "phone": "13700000001"},
            {"room_code": rooms[1], "name": "导入乙", "phone": "13700000002", "vip": "是"}]
    bad = [{"room_code": rooms[2], "name": "导入丙", "phone": "12345"},
           {"room_code": rooms[3], "name": "导入丁", "phone": "13700000004", "id_number": "110105194912310021"}]
    before = owner_count(db)
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/owners/import")
    import_file(tmp_path / "bad.csv", good + bad)
    page.get_by_test_id("import-file").set_input_files(str(tmp_path / "bad.csv"))
    page.get_by_test_id("import-check").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(errors).to_contain_text("身份证号校验位不正确")
    expect(errors).to_contain_text("请输入正确的手机或固定电话")
    screenshot(page, "import-errors")
    assert page.get_by_test_id("import-commit").count() == 0
    assert owner_count(db) == before

    fixed = [dict(bad[0], phone="13700000003"), dict(bad[1], id_number="11010519491231002X")]
    import_file(tmp_path / "fixed.csv", good + fixed)
    page.get_by_test_id("import-file").set_input_files(str(tmp_path / "fixed.csv"))
    page.get_by_test_id("import-check").click()
    expect(page.get_by_test_id("import-ready")).to_be_visible()
    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-done")).to_contain_text("导入完成")
    screenshot(page, "import-done")
    assert owner_count(db) == before + 4


def test_a_refused_save_shows_what_changed_keeps_the_input_and_saves_on_the_second_try(page, db, browser,
                                                                                       live_server):
    owner = an_owner_of(db, "C01", offset=11)
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto(f"/owners/{owner.id}")
    page.get_by_test_id("edit-owner").click()
    form = page.get_by_test_id("owner-edit-form")
    form.locator("input[name=address]").fill("我填写的新地址 1 号")

    colleague_context, colleague = another_browser(browser, live_server)  # meanwhile a colleague saves the same owner
    log_in(colleague, "demo.cs")
    colleague.wait_for_url(at_home)
    colleague.goto(f"/owners/{owner.id}")
    colleague.get_by_test_id("edit-owner").click()
    their_form = colleague.get_by_test_id("owner-edit-form")
    their_form.locator("textarea[name=notes]").fill("同事刚写的备注")
    their_form.get_by_test_id("owner-edit-form-save").click()
    expect(their_form).to_be_hidden()
    colleague_context.close()

    form.get_by_test_id("owner-edit-form-save").click()
    expect(form).to_contain_text("已被他人修改")
    expect(form).to_contain_text("同事刚写的备注")
    expect(form.locator("input[name=address]")).to_have_value("我填写的新地址 1 号")  # mine kept
    expect(form.locator("textarea[name=notes]")).to_have_value("同事刚写的备注")  # untouched: theirs taken
    screenshot(page, "owner-edit-conflict")
    form.get_by_test_id("owner-edit-form-save").click()  # the change was read: saving again is deliberate
    expect(form).to_be_hidden()
    expect(page.get_by_text("我填写的新地址 1 号")).to_be_visible()
    expect(page.get_by_text("同事刚写的备注")).to_be_visible()  # nothing of the colleague's was lost
