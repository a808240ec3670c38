"""Monthly reports and the weekly repair-callback batch list on hand-made rows: the report's figures are the
dashboard's (``kpis.report``, the feedback statistics' top issues) and its own action figures worked out by hand;
a closed month is stored once and never changes; scope; the daily job on the 1st; the files."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from sqlmodel import select

from pm_admin.comms.models import Notice, NoticeKind, NoticeStatus
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied
from pm_admin.core.files import issue_download, redeem_download
from pm_admin.dashboards import kpis
from pm_admin.inspections.queries.figures import inspection_completion, rectifications_on_time
from pm_admin.meetings.models import ActionStatus, Meeting, MeetingAction, MeetingKind
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.reports.models import MonthlyReport
from pm_admin.reports.monthly import generate_closed_month, monthly_report
from pm_admin.reports.months import month_period
from pm_admin.reports.weekly import callback_batch
from pm_admin.suggestions.models import Suggestion, SuggestionStatus
from pm_admin.surveys.models import SurveyQuestion
from pm_admin.surveys.services import actions as survey_actions
from pm_admin.surveys.services import plans, responses
from pm_admin.surveys.services.plans import PlanInput, QuestionInput
from pm_admin.tickets.services import actions, callbacks, handling, registration
from pm_admin.tickets.services.actions import ActionInput
from pm_admin.tickets.services.callbacks import CallbackInput
from pm_admin.tickets.services.registration import TicketInput
from pm_admin.visits.coverage import visit_coverage
from tests.support import factories
from tests.support.ticket_desk import category

NOVEMBER = date(2026, 11, 1)
DECEMBER_2 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 2 Dec 10:00 in Shanghai: November is closed
DAILY_RUN = datetime(2026, 11, 30, 18, 30, tzinfo=UTC)  # 1 Dec 02:30 in Shanghai: the daily timer


def utc(month: int, day: int, hour: int = 2, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def desk(session):
    community, _, unit, room = factories.place_tree(session)
    other, _, _, other_room = factories.place_tree(session)
    rooms = [room, factories.room(session, unit, number="201", floor=2)]
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    for n, each in enumerate(rooms):
        owner_registry.create_owner(session, actor=manager, room_id=each.id, started_on=date(2020, 1, 1),
                                    data=owner_input.OwnerInput(name=f"业主{n}", phones=[f"1390000000{n}"]))
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(community, other)))
    tech = factories.user(session, "technician", communities=(community,))
    tech.display_name = "李师傅"
    return {"community": community, "other": other, "rooms": rooms, "other_room": other_room, "manager": manager,
            "cs": cs, "tech": tech,
            "other_manager": factories.sign_in(session, factories.user(session, "manager", communities=(other,))),
            "executive": factories.sign_in(session, factories.user(session, "executive", all_communities=True))}


def ticket(session, desk, at, *, kind="complaint", code="cleaning", tier="normal", room=0, title="楼道垃圾未清运"):
    return registration.create_ticket(session, actor=desk["cs"], now=at, data=TicketInput(
        kind=kind, category_id=category(session, code).id, tier=tier, channel="hotline", title=title,
        room_id=desk["rooms"][room].id))


def move(session, desk, item, to, at, **data):
    return actions.drop(session, actor=desk["cs"], ticket_id=item.id, expected_version=item.version, to_status=to,
                        data=ActionInput(**data), now=at)


def resolve(session, desk, item, at, work=timedelta(hours=2)):
    move(session, desk, item, "assigned", at, assignee_id=desk["tech"].id)
    move(session, desk, item, "in_progress", at)
    return move(session, desk, item, "resolved", at + work, resolution="已处理")


def call(session, desk, item, at, *, satisfied=True):
    scores = {s: 5 for s in callbacks.SCORES} if item.kind == "repair" else {}
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=item.id, now=at, data=CallbackInput(
        method="phone", reached=True, satisfied=satisfied, **scores))


@pytest.fixture
def november(session, desk):
    """A month of a small desk: complaints, a request and repairs, resolved, called back, one left undecided."""
    judged = ticket(session, desk, utc(11, 3))
    handling.mark_valid_complaint(session, actor=desk["manager"], ticket_id=judged.id, valid=True)
    call(session, desk, resolve(session, desk, judged, utc(11, 3, 3)), utc(11, 4))
    desk["undecided"] = ticket(session, desk, utc(11, 5), room=1, title="电梯异响")
    ticket(session, desk, utc(11, 6), kind="request", code="noise", title="楼上噪音扰民")
    late = ticket(session, desk, utc(11, 8), kind="repair", code="home_repair", tier="urgent", title="厨房水管漏水")
    resolve(session, desk, late, utc(11, 8, 3), work=timedelta(hours=30))  # urgent: 4 h target missed
    repair = ticket(session, desk, utc(11, 20), kind="repair", code="elevator", room=1, title="电梯按钮失灵")
    call(session, desk, resolve(session, desk, repair, utc(11, 20, 3)), utc(11, 22))
    desk["closed_repair"] = repair
    ticket(session, desk, utc(12, 1), kind="repair", code="home_repair")  # December: not in the month
    return desk


def test_the_report_figures_are_the_dashboards(session, november):
    desk = november
    report = monthly_report(session, desk["manager"], desk["community"].id, "2026-11", now=DECEMBER_2)
    period = month_period(NOVEMBER, date(2026, 12, 2))
    figures = kpis.report(session, desk["manager"], period, desk["community"].id, now=DECEMBER_2)
    sections = report.figures["sections"]
    assert report.figures["kpis"] == figures
    for key in ("service", "callbacks", "complaints", "arrears"):
        assert sections[key] == {name: figures[name] for name in sections[key]}, key
    assert sections["satisfaction"]["satisfaction_index"] == figures["satisfaction_index"]
    # Worked by hand: 2 complaints (环境卫生), 1 request (邻里关系), 2 repairs (设施设备) registered in November.
    counts = {c["zh"]: dict(zip(sections["categories"]["kinds"], c["counts"], strict=True))
              for c in sections["categories"]["categories"]}
    assert counts["环境卫生"]["complaint"] == 2 and counts["邻里关系"]["request"] == 1
    assert counts["设施设备"]["repair"] == 2 and sections["categories"]["total"] == 5
    assert sections["categories"]["total"] == figures["tickets_registered"]["value"]
    assert figures["sla_compliance_urgent"] == {"value": 0.0, "numerator": 0, "denominator": 1}
    assert figures["valid_complaint_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert figures["complaints_undecided"]["value"] == 1
    top = kpis.feedback_statistics(session, desk["manager"], period, desk["community"].id, now=DECEMBER_2)
    assert sections["top_issues"] == top["top_issues"] and sections["top_issues"]
    assert report.figures["community"]["name"] == desk["community"].name and not report.provisional
    today = DECEMBER_2.astimezone(DISPLAY_ZONE).date()
    for key, figure in (("inspections", inspection_completion), ("rectifications", rectifications_on_time)):
        ratio = figure(session, [desk["community"].id], period, today=today)
        name = next(iter(sections[key]))
        assert (sections[key][name]["numerator"], sections[key][name]["denominator"]) == (
            ratio.numerator, ratio.denominator), key
    assert list(sections).index("rectifications") < list(sections).index("top_issues")
    row = visit_coverage(session, [desk["community"].id], period).communities[0]
    assert (sections["visits"]["visit_coverage"]["numerator"], sections["visits"]["visit_coverage"]["denominator"]) \
        == (row.reached, row.households)


def closed_plan(session, manager, title: str, community, closed: datetime, room=None):
    """A survey plan of ``community`` closed at ``closed`` (a hand-made time), ``room`` rating its one question 4."""
    plan = plans.create_plan(session, actor=manager, data=PlanInput(
        title=title, year=2026, period_kind="h2", starts_on="2026-07-01", ends_on="2026-12-31",
        community_ids=[community.id]))
    plans.save_question(session, actor=manager, plan_id=plan.id,
                        data=QuestionInput(kind="rating", text="客服态度", indicator="service"))
    plans.open_plan(session, actor=manager, plan_id=plan.id)
    if room is not None:
        question = session.exec(select(SurveyQuestion.id).where(SurveyQuestion.plan_id == plan.id)).one()
        responses.enter_response(session, actor=manager, plan_id=plan.id, room_code=room.code, method="phone",
                                 answers={question: 4})
    survey_actions.close_plan(session, actor=manager, plan_id=plan.id)
    plan.closed_at = closed
    session.add(plan)
    session.flush()


def test_the_satisfaction_section_names_the_plan_its_index_comes_from(session, desk):
    both = factories.sign_in(session, factories.user(session, "manager", communities=(desk["community"],
                                                                                      desk["other"])))
    closed_plan(session, both, "2026年下半年满意度调查", desk["community"], utc(11, 20), room=desk["rooms"][0])
    closed_plan(session, both, "邻近小区调查", desk["other"], utc(11, 25))  # another community's
    closed_plan(session, both, "十二月补充调查", desk["community"], utc(12, 1, 3))  # closed after the month
    report = monthly_report(session, desk["manager"], desk["community"].id, "2026-11", now=DECEMBER_2)
    section = report.figures["sections"]["satisfaction"]
    assert section["plan"] == "2026年下半年满意度调查" and section["closed_at"] == "2026-11-20 10:00"
    assert section["satisfaction_index"] == report.figures["kpis"]["satisfaction_index"]
    assert section["satisfaction_index"]["value"] == 75.0  # (4 − 1) ÷ 4 × 100


def test_action_figures_count_what_was_owed_in_the_month(session, desk):
    community_id, cleaning = desk["community"].id, category(session, "cleaning").id

    def suggestion(received, due, replied=None):
        session.add(Suggestion(community_id=community_id, channel="box", category_id=cleaning, content="建议",
                               received_at=received, received_by="cs", reply_due_on=due, replied_at=replied,
                               status=SuggestionStatus.REPLIED if replied else SuggestionStatus.NEW))

    suggestion(utc(11, 1), date(2026, 11, 8), replied=utc(11, 8, 15))  # 8 Nov 23:00 local: on its due day
    suggestion(utc(11, 2), date(2026, 11, 9), replied=utc(11, 9, 16, 30))  # 10 Nov 00:30 local: late
    suggestion(utc(11, 20), date(2026, 11, 27))  # never answered: late, and overdue at the month's end
    suggestion(utc(11, 28), date(2026, 12, 5))  # due in December: neither
    meeting = Meeting(community_id=community_id, kind=MeetingKind.QUARTERLY, title="季度会议", starts_at=utc(10, 20),
                      place="会议室")
    session.add(meeting)
    session.flush()

    def action(due, done=None):
        session.add(MeetingAction(meeting_id=meeting.id, community_id=community_id, description="修路灯",
                                  responsible_name="工程部", due_on=due, done_at=done, created_at=utc(10, 21),
                                  status=ActionStatus.DONE if done else ActionStatus.OPEN))

    action(date(2026, 11, 10), done=utc(11, 9))  # on time
    action(date(2026, 11, 15))  # open: late and overdue at the month's end
    action(date(2026, 11, 30), done=utc(12, 1, 3))  # done in December: late, but it was open at the month's end
    for sent, kind in ((utc(11, 12), NoticeKind.RECTIFICATION), (utc(11, 13), NoticeKind.ANNOUNCEMENT),
                       (utc(12, 1, 3), NoticeKind.RECTIFICATION)):
        session.add(Notice(community_id=community_id, kind=kind, title="整改公示", created_by="cs",
                           status=NoticeStatus.SENT, sent_at=sent))
    session.flush()
    found = monthly_report(session, desk["manager"], community_id, "2026-11", now=DECEMBER_2)
    assert found.figures["sections"]["actions"] == {
        "suggestions_replied_on_time": {"value": 1 / 3, "numerator": 1, "denominator": 3},
        "suggestions_overdue": {"value": 1, "numerator": 1, "denominator": None},
        "meeting_actions_done_on_time": {"value": 1 / 3, "numerator": 1, "denominator": 3},
        "meeting_actions_overdue": {"value": 2, "numerator": 2, "denominator": None},
        "improvements_published": {"value": 1, "numerator": 1, "denominator": None}}


def test_a_closed_month_is_stored_once_and_never_changes(session, november):
    desk = november
    first = monthly_report(session, desk["manager"], desk["community"].id, "2026-11", now=DECEMBER_2)
    before = kpis.report(session, desk["manager"], month_period(NOVEMBER, date(2026, 12, 2)), desk["community"].id,
                         now=DECEMBER_2)
    # Later, the open complaint is judged and the called-back repair reopened.
    handling.mark_valid_complaint(session, actor=desk["manager"], ticket_id=desk["undecided"].id, valid=True)
    repair = desk["closed_repair"]
    actions.reopen(session, actor=desk["manager"], ticket_id=repair.id, expected_version=repair.version,
                   reason="又坏了", now=utc(12, 3))
    later = datetime(2026, 12, 4, 2, tzinfo=UTC)
    live = kpis.report(session, desk["manager"], month_period(NOVEMBER, date(2026, 12, 4)), desk["community"].id,
                       now=later)
    assert live["valid_complaint_rate"] != before["valid_complaint_rate"]  # the dashboard moved on
    assert live["reopen_rate"] != before["reopen_rate"]
    again = monthly_report(session, desk["executive"], desk["community"].id, "2026-11", now=later)
    assert again.figures == first.figures and again.generated_at == first.generated_at
    assert again.generated_by == desk["manager"].username and not again.provisional
    rows = session.exec(select(MonthlyReport).where(MonthlyReport.community_id == desk["community"].id)).all()
    assert len(rows) == 1
    rows[0].figures = {}
    with pytest.raises(DomainError) as refused:
        session.flush()
    assert refused.value.key == "reports.snapshot_is_final"


def test_the_running_month_is_provisional_and_not_stored(session, november):
    desk = november
    running = monthly_report(session, desk["manager"], desk["community"].id, "2026-11", now=utc(11, 25))
    assert running.provisional and running.figures["end"] == "2026-11-25"
    assert running.figures["sections"]["categories"]["total"] == 5
    assert session.exec(select(MonthlyReport)).all() == []


def test_reports_are_refused_outside_the_readers_scope(session, desk):
    community_id = desk["community"].id
    with pytest.raises(PermissionDenied):
        monthly_report(session, desk["other_manager"], community_id, "2026-11", now=DECEMBER_2)
    with pytest.raises(PermissionDenied):  # cs holds no reports.view
        monthly_report(session, desk["cs"], community_id, "2026-11", now=DECEMBER_2)
    with pytest.raises(NotFound):
        monthly_report(session, desk["manager"], "1; drop table", "2026-11", now=DECEMBER_2)
    for month, key in (("2026-13", "reports.month_invalid"), ("next", "reports.month_invalid"),
                       ("2027-01", "reports.month_future")):
        with pytest.raises(DomainError) as refused:
            monthly_report(session, desk["manager"], community_id, month, now=DECEMBER_2)
        assert refused.value.key == key
    with pytest.raises(PermissionDenied):  # the batch list: callbacks of another community
        callback_batch(session, desk["other_manager"], community_id, "2026-11-16")
    technician = factories.sign_in(session, desk["tech"])
    with pytest.raises(PermissionDenied):
        callback_batch(session, technician, community_id, "2026-11-16")
    assert session.exec(select(MonthlyReport)).all() == []
    # The download asks the same service: another community's file is refused too.
    ticket_id = issue_download(session, principal=desk["other_manager"], kind="monthly_report",
                               params={"format": "pdf", "community_id": community_id, "month": "2026-11"})
    with pytest.raises(PermissionDenied):
        redeem_download(session, principal=desk["other_manager"], ticket_id=ticket_id)


def test_the_daily_job_on_the_first_generates_last_month_once(session, november):
    desk = november
    generated = generate_closed_month(session, now=DAILY_RUN)
    stored = session.exec(select(MonthlyReport).where(MonthlyReport.month == NOVEMBER)).all()
    assert generated == len(stored) >= 2  # every active community, the two of this test among them
    mine = next(r for r in stored if r.community_id == desk["community"].id)
    assert mine.generated_by == "system" and mine.figures["sections"]["categories"]["total"] == 5
    kept = {(r.id, r.generated_at, r.community_id) for r in stored}
    assert generate_closed_month(session, now=DAILY_RUN + timedelta(hours=1)) == 0  # the timer ran twice
    assert generate_closed_month(session, now=DAILY_RUN + timedelta(days=1)) == 0  # the 2nd: still last month's
    session.expire_all()
    again = session.exec(select(MonthlyReport).where(MonthlyReport.month == NOVEMBER)).all()
    assert {(r.id, r.generated_at, r.community_id) for r in again} == kept
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "report.generate")).all()
    assert len(audited) == generated
    # A reader then gets the stored one.
    assert monthly_report(session, desk["manager"], desk["community"].id, "2026-11",
                          now=DECEMBER_2).generated_by == "system"


def test_the_weekly_batch_lists_the_weeks_resolved_repairs(session, desk):
    in_week = ticket(session, desk, utc(11, 16), kind="repair", code="home_repair", title="厨房水管漏水")
    resolve(session, desk, in_week, utc(11, 17))
    called = ticket(session, desk, utc(11, 18), kind="repair", code="elevator", room=1, title="电梯按钮失灵")
    call(session, desk, resolve(session, desk, called, utc(11, 19)), utc(11, 20))
    sunday_night = ticket(session, desk, utc(11, 22), kind="repair", code="home_repair", title="灯不亮")
    resolve(session, desk, sunday_night, utc(11, 22, 13))  # 22 Nov 23:00 local, Sunday: still this week
    next_week = ticket(session, desk, utc(11, 22), kind="repair", code="home_repair", room=1, title="门锁坏了")
    resolve(session, desk, next_week, utc(11, 22, 15))  # 23 Nov 01:00 local: Monday of the next week
    complaint = ticket(session, desk, utc(11, 17), title="保洁不到位")
    resolve(session, desk, complaint, utc(11, 17, 4))  # not a repair
    batch = callback_batch(session, desk["manager"], desk["community"].id, "2026-11-19", now=DECEMBER_2)
    assert batch["week"] == "2026-11-16" and batch["end"] == "2026-11-22"
    rows = batch["rows"]
    assert [r["code"] for r in rows] == [in_week.code, called.code, sunday_night.code]
    assert [r["state"] for r in rows] == ["pending", "reached", "pending"]
    assert rows[0]["room"] == desk["rooms"][0].code and rows[0]["technician"] == "李师傅"
    assert rows[0]["contact_phone"] == "139****0000" and rows[0]["due"] == "2026-11-24 12:00"
    with pytest.raises(DomainError) as refused:
        callback_batch(session, desk["manager"], desk["community"].id, "2026-12-07", now=DECEMBER_2)
    assert refused.value.key == "reports.week_future"


def test_the_files_hold_the_report(session, november):
    desk = november
    files = {}
    for kind, params in (("monthly_report", {"month": "2026-11"}), ("callback_batch", {"week": "2026-11-16"})):
        for file_format in ("pdf", "xlsx"):
            ticket_id = issue_download(session, principal=desk["manager"], kind=kind, params={
                **params, "format": file_format, "community_id": desk["community"].id, "language": "zh-CN"})
            files[kind, file_format] = redeem_download(session, principal=desk["manager"], ticket_id=ticket_id)
    pdf = b"".join(files["monthly_report", "pdf"].chunks)
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf  # the CJK font is embedded
    assert b"".join(files["callback_batch", "pdf"].chunks).startswith(b"%PDF-")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(files["monthly_report", "xlsx"].chunks)))
    assert workbook.sheetnames == ["概要", "投诉与诉求（按类别）", "处理时效与 SLA", "回访", "投诉", "满意度", "欠费跟进",
                                   "走访与回访", "设施巡检", "隐患整改", "最常见的问题", "改进与待办"]
    assert desk["community"].name in workbook["概要"]["B2"].value
    assert workbook["投诉与诉求（按类别）"].column_dimensions["A"].width == 16
    assert [c.value for c in workbook["投诉与诉求（按类别）"][7]] == ["合计", 2, 1, 2, 0, 0, 0, 5]
    batch = openpyxl.load_workbook(io.BytesIO(b"".join(files["callback_batch", "xlsx"].chunks))).active
    assert batch["A1"].value.startswith(desk["community"].name) and batch.max_row == 3  # title, header, one repair
    assert files["monthly_report", "pdf"].filename == f"monthly-report-{desk['community'].code}-2026-11.pdf"
