"""The loop with the owner, end to end at phone size: a steward prints a building's invitations, the owner
activates with the code the outbox holds, reports a leak with a photo, staff resolve it with a public reply, the
owner rates it unsatisfied (reopened), then satisfied (closed). Another owner's ticket never shows. Then surveys
and the profile: an owner answers the open survey of their room in the portal and reads the published results;
they ask for a new phone, a manager approves it (masked until applied), and they sign in with it."""

from __future__ import annotations

import base64
import io
import re
import time

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from pm_admin.core.audit import AuditEvent
from pm_admin.notify.models import OutboxMessage
from pm_admin.owners.models import Owner, OwnerChange, OwnerPhone, Ownership
from pm_admin.places.models import Community, Room
from pm_admin.portal.models import ContactRequest, OwnerAccount
from pm_admin.surveys.models import SurveyPlan, SurveyResponse
from pm_admin.tickets.models import Ticket, TicketEvidence
from tests.browser.conftest import PHONE, another_browser, screenshot
from tests.browser.test_login_and_menus import at_home, log_in
from tests.browser.test_tickets import pick

pytestmark = pytest.mark.browser
# A 1×1 PNG, as a phone's camera roll would hand over (checked by content on the server).
PHOTO = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
LEAK = "厨房水槽下水管漏水，柜子里全是水"
OWNER_PASSWORD = "我的新密码2026"
NEW_PHONE, NEW_PHONE_MASKED = "13987654321", "139****4321"


def a_building_with_owners(db) -> tuple[int, int]:
    """(community id, building id) in C01 where the first current owner has a phone on record."""
    with Session(db) as session:
        return session.exec(select(Room.community_id, Room.building_id).join(Ownership, Ownership.room_id == Room.id)
                            .join(Community, Community.id == Room.community_id)
                            .join(OwnerPhone, OwnerPhone.owner_id == Ownership.owner_id)
                            .where(Community.code == "C01", col(Ownership.ended_on).is_(None))
                            .order_by(Room.building_id.desc())).first()


def code_for(db, account_id: int) -> str:
    with Session(db) as session:
        message = session.exec(select(OutboxMessage).where(
            OutboxMessage.recipient_id == account_id, OutboxMessage.template == "notify.portal_code")
            .order_by(OutboxMessage.id.desc())).first()
    return message.params["code"]


def test_invitation_activation_report_resolve_rate_reopen_close(browser, live_server, page, db, tmp_path):
    community, building = a_building_with_owners(db)
    log_in(page, "demo.steward")
    page.wait_for_url(at_home)
    page.goto(f"/owner-accounts?community={community}&building={building}")
    expect(page.get_by_test_id("owner-accounts").locator("tbody tr").first).to_be_visible()
    screenshot(page, "owner-accounts-steward")
    with page.expect_download() as printed:
        page.get_by_test_id("print-invitations-pdf").click()
    assert open(printed.value.path(), "rb").read(5) == b"%PDF-"

    # The list for the office's records: printing again issues new links and voids the ones printed before.
    with page.expect_download() as download:
        page.get_by_test_id("print-invitations-xlsx").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    room_code, name, link = next((r[0], r[1], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True))
    assert link.startswith(live_server.base_url + "/portal/activate/")
    phone, owner = another_browser(browser, live_server, PHONE)
    owner.goto(link.removeprefix(live_server.base_url))
    expect(owner.get_by_test_id("activation-phone")).to_contain_text(re.compile(r"1\d\d\*{4}\d{4}"))
    owner.get_by_test_id("activation-send-code").click()
    expect(owner.get_by_text("验证码已发送")).to_be_visible()
    with Session(db) as session:
        account = session.exec(select(OwnerAccount).where(OwnerAccount.display_name == name)).one()
    owner.get_by_test_id("activation-code").fill(code_for(db, account.id))
    owner.get_by_test_id("activation-password").fill("我的新密码2026")
    owner.get_by_test_id("activation-confirm").fill("我的新密码2026")
    screenshot(owner, "portal-activation-phone")
    owner.get_by_test_id("activation-submit").click()
    owner.wait_for_url(re.compile(r"/portal/?$"))
    expect(owner.get_by_test_id("portal-hello")).to_contain_text(name)
    expect(owner.get_by_test_id("portal-rooms")).to_contain_text(room_code)
    screenshot(owner, "portal-home-phone")

    owner.get_by_test_id("portal-report-button").click()
    owner.wait_for_url(re.compile(r"/portal/report/?$"))
    owner.get_by_test_id("report-room").click()
    owner.get_by_role("option").filter(has_text=room_code).first.click()
    pick(owner, owner.get_by_test_id("report-category"), "设施设备 / 户内维修")
    owner.get_by_test_id("report-description").fill(LEAK)
    owner.get_by_test_id("report-time").fill("今天 18:00 以后")
    photo = tmp_path / "leak.png"
    photo.write_bytes(PHOTO)
    owner.get_by_test_id("report-photos").set_input_files(str(photo))
    screenshot(owner, "portal-report-phone")
    owner.get_by_test_id("report-submit").click()
    owner.wait_for_url(re.compile(r"/portal/tickets/\d+/?$"))
    ticket_id = int(owner.url.rstrip("/").rsplit("/", 1)[-1])
    expect(owner.get_by_test_id("portal-promise")).to_contain_text("承诺")
    with Session(db) as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.channel, ticket.title[:6]) == ("online", LEAK[:6])
        assert session.exec(select(TicketEvidence).where(TicketEvidence.ticket_id == ticket_id)).one().content_type \
            == "image/png"
        code = ticket.code

    # Staff: on the board, then resolved with a public reply on the ticket page.
    page.goto(f"/tickets/board?tier=normal&q={code}")
    expect(page.locator(f"[data-code='{code}']")).to_be_visible()  # 户内维修 is dealt round robin: 已派单
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto(f"/tickets/{ticket_id}")
    page.get_by_test_id("comment-body").fill("师傅今晚 18:30 上门，请留人在家")
    page.get_by_text("作为回复告知业主").click()
    page.get_by_test_id("comment-save").click()
    expect(page.get_by_test_id("timeline-event").filter(has_text="18:30 上门")).to_be_visible()
    resolve(page, "已更换下水管接头并做闭水试验", start=True)

    owner.reload()
    expect(owner.get_by_test_id("portal-resolution")).to_contain_text("已更换下水管接头")
    expect(owner.get_by_test_id("portal-timeline-line").filter(has_text="18:30 上门")).to_be_visible()
    rate(owner, satisfied=False, score="2")
    expect(owner.get_by_test_id("portal-ticket-status")).to_contain_text("处理中")
    screenshot(owner, "portal-reopened-phone")

    page.reload()
    resolve(page, "重新密封并复查，无渗漏")
    owner.reload()
    rate(owner, satisfied=True, score="5")
    expect(owner.get_by_test_id("portal-ticket-status")).to_contain_text("已完成")
    screenshot(owner, "portal-closed-phone")
    with Session(db) as session:
        steps = session.exec(select(OutboxMessage.template).where(
            OutboxMessage.cause == f"ticket:{ticket_id}", OutboxMessage.channel == "inbox")
            .order_by(OutboxMessage.id)).all()
    assert [s.removeprefix("notify.ticket_") for s in steps] == [
        "registered", "reply", "resolved", "reopened", "resolved", "closed"]

    # The inbox: what the dispatcher delivered, newest first; opening one records the reading.
    wait_until(lambda: delivered_inbox(db, ticket_id) == len(steps))
    owner.goto("/portal/notices")
    first = owner.get_by_test_id("portal-notice").first
    expect(first).to_contain_text(f"工单 {code} 已完成")
    expect(first).to_have_attribute("data-read", "false")
    screenshot(owner, "portal-notices-phone")
    first.click()
    owner.wait_for_url(re.compile(rf"/portal/tickets/{ticket_id}/?$"))
    # Staff see what was sent about the ticket, channel by channel.
    page.goto(f"/messages?q=ticket:{ticket_id}")
    # Also by SMS: the code on registration, and each of the two results asking for a rating.
    expect(page.get_by_test_id("delivery-log").locator("tbody tr")).to_have_count(len(steps) + 3)
    screenshot(page, "delivery-log-ticket")

    # Another owner's ticket: the page says it is not there; the report form offers only their own rooms.
    with Session(db) as session:
        others = session.exec(select(Ticket.id).where(col(Ticket.room_id).is_not(None), Ticket.id != ticket_id)
                              .order_by(Ticket.id)).first()
    owner.goto(f"/portal/tickets/{others}")
    expect(owner.get_by_text("找不到这张工单")).to_be_visible()
    phone.close()


def delivered_inbox(db, ticket_id: int) -> int:
    with Session(db) as session:
        return len(session.exec(select(OutboxMessage.id).where(
            OutboxMessage.cause == f"ticket:{ticket_id}", OutboxMessage.channel == "inbox",
            col(OutboxMessage.status).in_(["delivered", "read"]))).all())


def wait_until(condition, timeout: float = 20.0) -> None:
    """Poll a condition the dispatcher makes true (it runs in its own process)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def resolve(page, result: str, *, start: bool = False) -> None:
    if start:
        expect(page.get_by_test_id("ticket-status")).to_have_text("已派单")
        page.get_by_test_id("move-start").click()
        expect(page.get_by_test_id("ticket-status")).to_have_text("处理中")
    page.get_by_test_id("move-resolve").click()
    page.get_by_test_id("move-resolution").fill(result)
    page.get_by_test_id("detail-move-form-save").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("待回访")


def rate(owner, *, satisfied: bool, score: str) -> None:
    owner.get_by_test_id("rate-satisfied" if satisfied else "rate-unsatisfied").click()
    for name in ("attitude", "efficiency", "skill", "result", "overall"):
        owner.get_by_test_id(f"rate-{name}").get_by_role("radio", name=score, exact=True).click()
    owner.get_by_test_id("rate-submit").click()
    expect(owner.get_by_text("感谢您的评价")).to_be_visible()


def an_owner_with_an_open_survey(db) -> tuple[int, int, str, str]:
    """(community id, building id, room code, owner name) in C01 of an owner with a phone, one current room, no
    portal account yet, whose room has not answered the open demo plan."""
    with Session(db) as session:
        open_plan = session.exec(select(SurveyPlan.id).where(SurveyPlan.status == "open")).one()
        answered = select(SurveyResponse.room_id).where(SurveyResponse.plan_id == open_plan)
        with_account = select(OwnerAccount.person_id).where(OwnerAccount.person_kind == "owner")
        one_room = select(Ownership.owner_id).where(col(Ownership.ended_on).is_(None)).group_by(Ownership.owner_id) \
            .having(sa.func.count() == 1)
        return session.exec(
            select(Room.community_id, Room.building_id, Room.code, Owner.name)
            .join(Ownership, Ownership.room_id == Room.id).join(Owner, Owner.id == Ownership.owner_id)
            .join(Community, Community.id == Room.community_id)
            .where(Community.code == "C01", col(Ownership.ended_on).is_(None),
                   sa.exists().where(OwnerPhone.owner_id == Owner.id), col(Owner.id).in_(one_room),
                   col(Owner.id).not_in(with_account), col(Room.id).not_in(answered))
            .order_by(Room.building_id, Room.sort_key)).first()


def test_an_owner_answers_a_survey_and_a_manager_approves_their_new_phone(browser, live_server, page, db):
    community, building, room_code, name = an_owner_with_an_open_survey(db)
    # A steward invites the owner (the link is shown once); the owner activates on their phone.
    log_in(page, "demo.steward")
    page.wait_for_url(at_home)
    page.goto(f"/owner-accounts?community={community}&building={building}&q={room_code}")
    page.get_by_test_id("account-invite").first.click()
    page.get_by_test_id("invite-dialog-save").click()
    link = page.get_by_test_id("invite-link").inner_text().strip()
    phone, owner = another_browser(browser, live_server, PHONE)
    owner.goto(link.removeprefix(live_server.base_url))
    owner.get_by_test_id("activation-send-code").click()
    expect(owner.get_by_text("验证码已发送")).to_be_visible()
    with Session(db) as session:
        account_id = session.exec(select(OwnerAccount.id).where(OwnerAccount.display_name == name)
                                  .order_by(OwnerAccount.id.desc())).first()
    owner.get_by_test_id("activation-code").fill(code_for(db, account_id))
    owner.get_by_test_id("activation-password").fill(OWNER_PASSWORD)
    owner.get_by_test_id("activation-confirm").fill(OWNER_PASSWORD)
    owner.get_by_test_id("activation-submit").click()
    owner.wait_for_url(re.compile(r"/portal/?$"))

    # Home: one survey waiting (the demo's open half-year plan asks every household of C01).
    expect(owner.get_by_test_id("portal-pending-surveys")).to_have_text("1")
    screenshot(owner, "portal-home-survey-phone")
    owner.get_by_test_id("portal-surveys-card").click()
    owner.wait_for_url(re.compile(r"/portal/surveys/?$"))
    expect(owner.get_by_test_id("portal-survey-task")).to_have_count(1)
    expect(owner.get_by_test_id("portal-survey-task")).to_contain_text(room_code)
    expect(owner.get_by_test_id("portal-survey-result").first).to_contain_text("翠湖花园")  # published, C01's figures
    screenshot(owner, "portal-surveys-phone")
    owner.get_by_test_id("portal-survey-task").click()
    owner.wait_for_url(re.compile(r"/portal/surveys/\d+/\d+/?$"))
    expect(owner.get_by_test_id("portal-survey-room")).to_contain_text(room_code)
    owner.get_by_test_id("portal-survey-submit").click()  # nothing answered: every required question says so
    expect(owner.locator(".field-error").first).to_be_visible()
    for block in owner.get_by_test_id("survey-question").all():
        radios = block.locator("input[type=radio]")
        if radios.count():
            four = block.locator("input[type=radio][value='4']")
            (four if four.count() else radios.first).check()
    owner.locator("textarea").last.fill("希望增加电梯保养频次")
    screenshot(owner, "portal-survey-answering-phone")
    owner.get_by_test_id("portal-survey-submit").click()
    expect(owner.get_by_test_id("portal-survey-thanks")).to_be_visible()
    screenshot(owner, "portal-survey-done-phone")
    with Session(db) as session:
        room_id = session.exec(select(Room.id).where(Room.code == room_code)).one()
        response = session.exec(select(SurveyResponse).join(SurveyPlan, SurveyPlan.id == SurveyResponse.plan_id)
                                .where(SurveyPlan.status == "open", SurveyResponse.room_id == room_id)).one()
        assert (str(response.method), response.entered_by) == ("online", "")
    owner.goto("/portal")
    expect(owner.get_by_test_id("portal-pending-surveys")).to_have_text("0")
    owner.goto("/portal/surveys")
    owner.get_by_test_id("portal-survey-result").first.click()
    owner.wait_for_url(re.compile(r"/portal/results/\d+/?$"))
    expect(owner.get_by_test_id("portal-survey-action").first).to_contain_text("整改")
    screenshot(owner, "portal-survey-results-phone")

    # Profile: the owner asks for a new phone; until a manager decides nothing changes and staff see it masked.
    owner.get_by_test_id("portal-tab-profile").click()
    owner.wait_for_url(re.compile(r"/portal/profile/?$"))
    expect(owner.get_by_test_id("profile-name")).to_have_text(name)
    expect(owner.get_by_test_id("profile-phone")).to_have_text(re.compile(r"^1\d\d\*{4}\d{4}$"))
    owner.get_by_test_id("profile-new-phone").fill(NEW_PHONE)
    owner.get_by_test_id("profile-request").click()
    expect(owner.get_by_test_id("profile-waiting")).to_contain_text(NEW_PHONE_MASKED)
    screenshot(owner, "portal-profile-request-phone")
    with Session(db) as session:
        request = session.exec(select(ContactRequest).where(ContactRequest.account_id == account_id)).one()
        assert request.status == "pending" and NEW_PHONE not in (request.phone_enc or "")

    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto(f"/owner-requests?q={name}")
    row = page.get_by_test_id("contact-requests").locator(f"tr[data-row-id='{request.id}']")
    expect(row).to_contain_text(NEW_PHONE_MASKED)
    assert NEW_PHONE not in page.content()  # masked until applied
    screenshot(page, "owner-requests-manager")
    row.get_by_test_id("request-approve").click()
    expect(page.get_by_test_id("approve-dialog")).to_contain_text(NEW_PHONE_MASKED)
    screenshot(page, "owner-requests-approve-dialog")
    page.get_by_test_id("approve-dialog-save").click()
    expect(page.get_by_text("已通过，业主档案已更新")).to_be_visible()
    expect(page.get_by_test_id("request-approve")).to_have_count(0)  # the list shows what waits
    with Session(db) as session:
        decided = session.get(ContactRequest, request.id)
        assert (decided.status, decided.phone_enc) == ("approved", None) and decided.decided_by_name
        history = session.exec(select(OwnerChange.field, OwnerChange.new_value).where(
            OwnerChange.owner_id == decided.owner_id, OwnerChange.field == "phones")).all()
        assert any(NEW_PHONE_MASKED in value for _, value in history)
        assert session.exec(select(AuditEvent.id).where(AuditEvent.action == "portal.contact_approved",
                                                        AuditEvent.entity_id == str(decided.owner_id))).first()

    # The owner reads the decision in the inbox and on the profile, and signs in with the new phone from now on.
    wait_until(lambda: inbox_delivered(db, account_id, "notify.contact_approved"))
    owner.goto("/portal/notices")
    expect(owner.get_by_test_id("portal-notice").first).to_contain_text("联系方式已更新")
    owner.goto("/portal/profile")
    expect(owner.get_by_test_id("profile-decided")).to_have_attribute("data-status", "approved")
    expect(owner.get_by_test_id("profile-phone1")).to_have_text(NEW_PHONE_MASKED)
    expect(owner.get_by_test_id("profile-phone")).to_have_text(NEW_PHONE_MASKED)
    screenshot(owner, "portal-profile-approved-phone")
    owner.get_by_role("radio", name="EN").click()  # six tabs still fit at 390 px in English
    expect(owner.get_by_test_id("portal-title")).to_have_text("Profile")
    screenshot(owner, "portal-profile-en-phone")
    owner.get_by_role("radio", name="中文").click()
    expect(owner.get_by_test_id("portal-title")).to_have_text("我的")
    owner.get_by_test_id("portal-sign-out").click()
    owner.wait_for_url(re.compile(r"/portal/login"))
    owner.get_by_test_id("portal-phone").fill(NEW_PHONE)
    owner.get_by_test_id("portal-password").fill(OWNER_PASSWORD)
    owner.get_by_test_id("portal-sign-in").click()
    owner.wait_for_url(re.compile(r"/portal/?$"))
    expect(owner.get_by_test_id("portal-hello")).to_contain_text(name)
    phone.close()


def inbox_delivered(db, account_id: int, template: str) -> bool:
    with Session(db) as session:
        return session.exec(select(OutboxMessage.id).where(
            OutboxMessage.recipient_id == account_id, OutboxMessage.template == template,
            OutboxMessage.channel == "inbox", col(OutboxMessage.status).in_(["delivered", "read"]))).first() is not None
