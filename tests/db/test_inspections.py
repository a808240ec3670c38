"""Facility inspections 巡检 and rectifications 整改: schedules give out one task per period (again and again: still
one), a failed item opens its rectification in the same transaction (a household named is told through the outbox),
rechecks keep their history and close with a photo, overdue rectifications reach the managers once per deadline,
another community's rows and crafted ids are refused, and the two scorecard figures equal a recomputation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.core.errors import ConcurrencyConflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.files import issue_download, redeem_download, store_upload
from pm_admin.core.paging import PageRequest
from pm_admin.core.permissions import SYSTEM
from pm_admin.home.queries import home_figures
from pm_admin.inspections.models import (
    InspectionAnswer,
    InspectionTask,
    InspectionTemplate,
    Rectification,
    RectificationCheck,
    RectificationStatus,
    Responsible,
    TaskStatus,
)
from pm_admin.inspections.queries import figures
from pm_admin.inspections.queries import rectifications as rectification_queries
from pm_admin.inspections.queries import setup as setup_queries
from pm_admin.inspections.queries import tasks as task_queries
from pm_admin.inspections.services import common, generation, rectifications, setup, tasks
from pm_admin.inspections.services.rectifications import PartyInput, RecheckInput
from pm_admin.inspections.services.tasks import ItemAnswer
from pm_admin.notify.models import OutboxMessage
from pm_admin.places.models import Building
from pm_admin.scorecards.field_figures import field_figures
from pm_admin.tickets.models import Department, Notification
from tests.support import factories
from tests.support.owners_portal import activated, new_owner

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DAY = date(2026, 11, 25)  # a Wednesday in the fourth quarter, second half-year
NOON = datetime.combine(DAY, time(12), DISPLAY_ZONE).astimezone(UTC)


def template(session, name: str) -> InspectionTemplate:
    return session.exec(select(InspectionTemplate).where(InspectionTemplate.name == name,
                                                         InspectionTemplate.community_id.is_(None))).one()


@pytest.fixture
def site(session, desk):
    """The desk's community with an elevator in building 1, a technician assigned to it, and another community."""
    community = desk["community"]
    building = session.exec(select(Building).where(Building.community_id == community.id)).first()
    elevator = setup.create_equipment(session, actor=desk["manager"], data=setup.EquipmentInput(
        community_id=community.id, building_id=building.id, name="1栋1号电梯", kind="elevator",
        location="1栋顶层电梯机房"))
    other, _, _, other_room = factories.place_tree(session)
    desk.update(building=building, elevator=elevator, other=other, other_room=other_room,
                other_manager=factories.sign_in(session, factories.user(session, "manager", communities=(other,))),
                other_tech=factories.sign_in(session, factories.user(session, "technician", communities=(other,))),
                second_tech=factories.sign_in(session, factories.user(session, "technician", communities=(community,))),
                steward=factories.sign_in(session, factories.user(session, "steward", communities=(community,))))
    return desk


def schedule(session, site, name: str, *, today=DAY, **extra):
    data = setup.ScheduleInput(community_id=site["community"].id, template_id=template(session, name).id, **extra)
    return setup.create_schedule(session, actor=site["manager"], data=data, today=today)


def elevator_task(session, site, today=DAY) -> InspectionTask:
    made = schedule(session, site, "电梯机房日检", equipment_id=site["elevator"].id,
                    assignee_id=site["tech_user"].id, today=today)
    return session.exec(select(InspectionTask).where(InspectionTask.schedule_id == made.id)).one()


def photo(session, principal) -> str:
    return store_upload(session, principal=principal, purpose_name=common.PHOTO_PURPOSE, filename="p.png",
                        data=PNG).id


def answers(task, fail: dict[int, str] | None = None, **extra: dict) -> list[ItemAnswer]:
    fail = fail or {}
    return [ItemAnswer(result="fail" if n in fail else "pass", note=fail.get(n, ""), **extra.get(str(n), {}))
            for n in range(len(task.items))]


def submit(session, site, task, items, actor="tech", now=NOON):
    return tasks.submit_task(session, actor=site[actor], task_id=task.id, expected_version=task.version,
                             answers=items, now=now)


def count(session, model, *where) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


# ---------------------------------------------------------------- schedules and generation


def test_schedules_give_out_one_task_per_period_and_generating_again_gives_none(session, site):
    daily = schedule(session, site, "电梯机房日检", equipment_id=site["elevator"].id)
    quarterly = schedule(session, site, "消防季度抽查")
    half = schedule(session, site, "消防全面检查", building_id=site["building"].id)
    later = schedule(session, site, "消防季度抽查", starts_on="2027-02-01")  # not started yet
    given = {s.id: session.exec(select(InspectionTask).where(InspectionTask.schedule_id == s.id)).all()
             for s in (daily, quarterly, half, later)}
    assert {k: [(t.period_start, t.due_on) for t in v] for k, v in given.items()} == {
        daily.id: [(DAY, DAY)],
        quarterly.id: [(date(2026, 10, 1), date(2026, 12, 31))],
        half.id: [(date(2026, 7, 1), date(2026, 12, 31))],
        later.id: []}
    task = given[daily.id][0]
    assert (task.place, task.category, len(task.items)) == ("1栋1号电梯（1栋顶层电梯机房）", "elevator", 7)
    assert given[half.id][0].place == site["building"].name

    assert generation.generate_due(session, DAY, SYSTEM) == 0  # the same day again: nothing new
    assert generation.generate_due(session, DAY + timedelta(days=1), SYSTEM) == 1  # the next day's elevator check
    assert generation.generate_now(session, actor=site["manager"], today=DAY + timedelta(days=1)) == 0
    assert generation.generate_due(session, date(2027, 1, 1), SYSTEM) == 3  # a new day, quarter and half-year
    assert generation.generate_due(session, date(2027, 2, 1), SYSTEM) == 2  # the daily one, and `later` starts
    # A paused schedule gives out nothing.
    setup.update_schedule(session, actor=site["manager"], schedule_id=daily.id, expected_version=daily.version,
                          data=setup.ScheduleInput(recurrence="daily", starts_on=DAY.isoformat(), is_active=False),
                          today=date(2027, 2, 2))
    assert generation.generate_due(session, date(2027, 2, 2), SYSTEM) == 0
    assert count(session, InspectionTask, InspectionTask.community_id == site["community"].id) == 3 + 1 + 3 + 2
    # Another manager's "generate now" reaches only their own communities.
    assert generation.generate_now(session, actor=site["other_manager"], today=date(2027, 2, 3)) == 0


def test_a_schedule_names_places_and_inspectors_of_its_community_only(session, site):
    with pytest.raises(ValidationFailed) as refused:
        schedule(session, site, "电梯机房日检", equipment_id=str(site["elevator"].id + 1000),
                 assignee_id=site["other_tech"].user_id, building_id="1 OR 1=1")
    assert set(refused.value.fields) == {"equipment_id", "assignee_id", "building_id"}
    other_equipment = setup.create_equipment(session, actor=site["other_manager"], data=setup.EquipmentInput(
        community_id=site["other"].id, name="别处的电梯", kind="elevator"))
    with pytest.raises(ValidationFailed) as refused:
        schedule(session, site, "电梯机房日检", equipment_id=other_equipment.id)
    assert set(refused.value.fields) == {"equipment_id"}
    with pytest.raises(PermissionDenied):  # a community that is not theirs
        setup.create_schedule(session, actor=site["other_manager"], data=setup.ScheduleInput(
            community_id=site["community"].id, template_id=template(session, "消防季度抽查").id))
    with pytest.raises(PermissionDenied):  # a technician does not set schedules up
        setup.create_equipment(session, actor=site["tech"], data=setup.EquipmentInput(
            community_id=site["community"].id, name="水泵", kind="pump"))
    # The company's checklists from the seeds stay as written; a community keeps its own.
    fire = template(session, "消防全面检查")
    with pytest.raises(PermissionDenied):
        setup.update_template(session, actor=site["manager"], template_id=fire.id, expected_version=fire.version,
                              data=setup.TemplateInput(community_id=site["community"].id, name="改", items="一项"))
    own = setup.create_template(session, actor=site["manager"], data=setup.TemplateInput(
        community_id=site["community"].id, name="水泵房周检", category="general", recurrence="weekly",
        rectify_days="5", items="# 水泵\n运行无异响\n无漏水\n# 环境\n排水通畅"))
    assert own.items == [{"section": "水泵", "text": "运行无异响"}, {"section": "水泵", "text": "无漏水"},
                         {"section": "环境", "text": "排水通畅"}]
    assert setup.items_text(own.items) == "# 水泵\n运行无异响\n无漏水\n# 环境\n排水通畅"
    with pytest.raises(ConcurrencyConflict):
        setup.update_template(session, actor=site["manager"], template_id=own.id, expected_version=own.version - 1,
                              data=setup.TemplateInput(community_id=site["community"].id, name="x", items="y"))
    with pytest.raises(ValidationFailed):  # another community's schedule cannot use it
        setup.create_schedule(session, actor=site["other_manager"], data=setup.ScheduleInput(
            community_id=site["other"].id, template_id=own.id))


def test_the_set_up_lists_are_pages_of_the_communities_in_view(session, site):
    made = [schedule(session, site, "电梯机房日检", equipment_id=site["elevator"].id),
            schedule(session, site, "消防全面检查", building_id=site["building"].id),
            schedule(session, site, "消防季度抽查")]
    page = setup_queries.schedules(session, site["manager"], PageRequest(page_size=50))
    places = {row["id"]: row["place"] for row in page.rows}
    assert places == {s.id: session.exec(select(InspectionTask.place).where(InspectionTask.schedule_id == s.id)).one()
                      for s in made} and len(set(places.values())) == 3  # the equipment, the building, the community
    own = setup.create_template(session, actor=site["manager"], data=setup.TemplateInput(
        community_id=site["community"].id, name="水泵房周检", items="# 水泵\n运行无异响"))
    theirs = setup.create_template(session, actor=site["other_manager"], data=setup.TemplateInput(
        community_id=site["other"].id, name="别处的检查", items="一项"))
    first = setup_queries.templates(session, site["manager"], PageRequest(page_size=2))
    assert (first.total, [row["company_wide"] for row in first.rows]) == (4, [True, True])  # the company's first
    last = setup_queries.templates(session, site["manager"], PageRequest(page=2, page_size=2))
    assert [row["name"] for row in last.rows][-1] == own.name and "items_text" not in last.rows[0]
    assert setup_queries.template_form(session, site["manager"], own.id)["items_text"] == "# 水泵\n运行无异响"
    with pytest.raises(PermissionDenied):
        setup_queries.template_form(session, site["manager"], theirs.id)
    with pytest.raises(NotFound):
        setup_queries.template_form(session, site["manager"], "1 OR 1=1")


# ---------------------------------------------------------------- working through a checklist


def test_every_item_needs_an_answer_and_a_failure_needs_a_note(session, site):
    task = elevator_task(session, site)
    items = answers(task, {2: "  "})
    items[4].result = ""
    items[5] = ItemAnswer(result="fail", note="风扇不转", room_code="X-9-9")
    with pytest.raises(ValidationFailed) as refused:
        submit(session, site, task, items)
    assert refused.value.fields == {"note_2": ("inspections.fail_needs_note", {}),
                                    "result_4": ("inspections.answer_required", {}),
                                    "room_5": ("inspections.room_unknown", {})}
    with pytest.raises(DomainError, match="error.invalid_request"):  # one answer per item, nothing else
        submit(session, site, task, answers(task)[:-1])
    assert session.get(InspectionTask, task.id).status == TaskStatus.OPEN
    assert count(session, InspectionAnswer, InspectionAnswer.task_id == task.id) == 0


def test_a_failed_item_opens_its_rectification_in_the_same_transaction(session, site):
    task = elevator_task(session, site)
    items = answers(task, {2: "减速箱漏油，地面有油迹"}, **{"2": {"photo_upload_id": photo(session, site["tech"])}})
    done = submit(session, site, task, items)
    assert (done.status, done.failed_items, done.done_by) == (TaskStatus.DONE, 1, site["tech"].username)
    stored = session.exec(select(InspectionAnswer).where(InspectionAnswer.task_id == task.id)
                          .order_by(InspectionAnswer.position)).all()
    assert [a.passed for a in stored] == [True, True, False, True, True, True, True]
    [rectification] = session.exec(select(Rectification).where(Rectification.task_id == task.id)).all()
    engineering = session.exec(select(Department).where(Department.code == "engineering")).one()
    assert (rectification.answer_id, rectification.hazard, rectification.location) == (
        stored[2].id, "机房清洁，曳引机、减速箱无漏油：减速箱漏油，地面有油迹", "1栋1号电梯（1栋顶层电梯机房）")
    assert (rectification.responsible, rectification.department_id) == (Responsible.DEPARTMENT, engineering.id)
    assert rectification.deadline == rectification.first_deadline == DAY + timedelta(days=3)  # the checklist's days
    assert {e.action for e in session.exec(select(AuditEvent).where(AuditEvent.community_id == task.community_id))} \
        >= {"inspection.task_submit", "rectification.open"}
    # The item's photo is served to staff of the community only.
    ticket = issue_download(session, principal=site["manager"], kind="inspection_photo",
                            params={"of": "answer", "id": stored[2].id})
    assert b"".join(redeem_download(session, principal=site["manager"], ticket_id=ticket).chunks) == PNG
    ticket = issue_download(session, principal=site["other_manager"], kind="inspection_photo",
                            params={"of": "answer", "id": stored[2].id})
    with pytest.raises(NotFound):
        redeem_download(session, principal=site["other_manager"], ticket_id=ticket)
    # Done once: the second submission (a colleague's stale page) is refused.
    with pytest.raises(DomainError, match="inspections.task_done"):
        submit(session, site, task, answers(task), actor="manager")


def test_answers_rectifications_and_completion_are_written_together_or_not_at_all(session, site, monkeypatch):
    task = elevator_task(session, site)
    opened = []

    def second_fails(session, **kwargs):
        if opened:
            raise RuntimeError("the database went away")
        opened.append(rectifications.open_rectification(session, **kwargs))

    monkeypatch.setattr(tasks, "open_rectification", second_fails)
    with pytest.raises(RuntimeError), session.begin_nested():
        submit(session, site, task, answers(task, {1: "部件松动", 4: "间隙过大"}))
    session.expire_all()
    assert session.get(InspectionTask, task.id).status == TaskStatus.OPEN
    assert count(session, InspectionAnswer, InspectionAnswer.task_id == task.id) == 0
    assert count(session, Rectification, Rectification.task_id == task.id) == 0


def test_a_household_named_on_a_failed_item_is_told_and_the_notice_is_a_fire_notice(session, site):
    owner = new_owner(session, site)
    account = activated(session, site, owner)
    made = schedule(session, site, "消防季度抽查", assignee_id=site["tech_user"].id)
    task = session.exec(select(InspectionTask).where(InspectionTask.schedule_id == made.id)).one()
    submit(session, site, task, answers(task, {2: "楼道堆放杂物堵塞消防通道"},
                                        **{"2": {"room_code": site["room"].code.lower()}}))
    rectification = session.exec(select(Rectification).where(Rectification.task_id == task.id)).one()
    assert (rectification.responsible, rectification.responsible_room_id) == (Responsible.HOUSEHOLD, site["room"].id)
    [message] = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.rectification_notice")).all()
    assert (message.recipient_id, message.params["deadline"]) == (account.account_id,
                                                                  (DAY + timedelta(days=7)).isoformat())
    notice = rectification_queries.notice(session, site["manager"], rectification.id)
    assert (notice["category"], notice["party"], notice["deadline"], notice["checked_on"]) == (
        "fire", site["room"].code, (DAY + timedelta(days=7)).isoformat(), DAY.isoformat())
    assert notice["location"].endswith(site["room"].code)


# ---------------------------------------------------------------- rechecks, the party, escalation


def opened(session, site) -> Rectification:
    task = elevator_task(session, site)
    submit(session, site, task, answers(task, {4: "制动轮与闸瓦间隙过大"}))
    return session.exec(select(Rectification).where(Rectification.task_id == task.id)).one()


def recheck(session, site, r, actor="tech", upload="", now=NOON, **data):
    return rectifications.recheck(session, actor=site[actor], rectification_id=r.id, expected_version=r.version,
                                  data=RecheckInput(**data), photo_upload_id=upload, now=now)


def test_a_failed_recheck_sets_a_new_deadline_and_a_passed_one_closes_with_a_photo(session, site):
    r = opened(session, site)
    first = r.deadline
    with pytest.raises(ValidationFailed) as refused:  # nothing chosen (a crafted value too)
        recheck(session, site, r, result="maybe", note="已调整", new_deadline=(DAY + timedelta(days=10)).isoformat())
    assert set(refused.value.fields) == {"result"}
    with pytest.raises(ValidationFailed) as refused:
        recheck(session, site, r, result="failed", note="", new_deadline=DAY.isoformat())
    assert set(refused.value.fields) == {"note", "new_deadline"}  # what is still wrong, and a day after today
    recheck(session, site, r, result="failed", note="已调整但仍偏大", new_deadline=(DAY + timedelta(days=10)).isoformat())
    assert (r.deadline, r.first_deadline, r.status) == (DAY + timedelta(days=10), first, RectificationStatus.OPEN)
    with pytest.raises(ConcurrencyConflict):
        rectifications.recheck(session, actor=site["tech"], rectification_id=r.id, expected_version=r.version - 1,
                               data=RecheckInput(result="passed"), photo_upload_id=photo(session, site["tech"]))
    with pytest.raises(ValidationFailed) as refused:
        recheck(session, site, r, result="passed")
    assert set(refused.value.fields) == {"photo"}
    recheck(session, site, r, result="passed", note="间隙已调整到位", upload=photo(session, site["tech"]),
            now=NOON + timedelta(days=2))
    assert (r.status, r.closed_by) == (RectificationStatus.CLOSED, site["tech"].username)
    history = rectification_queries.rectification_detail(session, site["manager"], r.id)["checks"]
    assert [(c["passed"], c["deadline_before"], c["new_deadline"], c["has_photo"]) for c in history] == [
        (False, first.isoformat(), (DAY + timedelta(days=10)).isoformat(), False),
        (True, (DAY + timedelta(days=10)).isoformat(), "", True)]
    with pytest.raises(DomainError, match="inspections.rectification_closed"):
        recheck(session, site, r, result="passed", upload=photo(session, site["tech"]))
    check = session.exec(select(RectificationCheck).where(RectificationCheck.passed)).one()
    ticket = issue_download(session, principal=site["steward"], kind="inspection_photo",
                            params={"of": "check", "id": check.id})
    assert b"".join(redeem_download(session, principal=site["steward"], ticket_id=ticket).chunks) == PNG


def test_a_manager_names_another_party_and_deadline_and_a_household_hears_of_it(session, site):
    owner = new_owner(session, site)
    account = activated(session, site, owner)
    r = opened(session, site)
    department = r.department_id
    assert department is not None  # the checklist's department, until a manager names another party

    def party(version, **data):
        return rectifications.update_party(session, actor=site["manager"], rectification_id=r.id,
                                           expected_version=version, data=PartyInput(**data), today=DAY)
    with pytest.raises(ValidationFailed) as refused:
        party(r.version, responsible="contractor", contractor=" ", deadline="2026-11-01")
    assert set(refused.value.fields) == {"contractor", "deadline"}
    party(r.version, responsible="contractor", contractor="某某电梯维保公司", deadline="2026-12-05",
          requirement="更换制动闸瓦")
    assert (r.responsible, r.contractor, r.deadline, r.first_deadline) == (
        Responsible.CONTRACTOR, "某某电梯维保公司", date(2026, 12, 5), DAY + timedelta(days=3))
    changed = session.exec(select(AuditEvent).where(AuditEvent.action == "rectification.update")).one().changes
    assert changed == {"responsible": ["department", "contractor"], "department": [department, None],
                       "contractor": ["", "某某电梯维保公司"], "requirement": ["", "更换制动闸瓦"],
                       "deadline": [(DAY + timedelta(days=3)).isoformat(), "2026-12-05"]}  # the audit log's own form
    with pytest.raises(ConcurrencyConflict):
        party(r.version - 1, responsible="department", department_id="1", deadline="2026-12-05")
    party(r.version, responsible="household", room_code=site["room"].code, deadline="2026-12-06")
    assert count(session, OutboxMessage, OutboxMessage.template == "notify.rectification_notice",
                 OutboxMessage.recipient_id == account.account_id) == 1
    with pytest.raises(PermissionDenied):  # a technician rechecks but does not name the party
        rectifications.update_party(session, actor=site["tech"], rectification_id=r.id, expected_version=r.version,
                                    data=PartyInput(responsible="contractor", contractor="x", deadline="2026-12-09"))


def test_overdue_rectifications_reach_the_managers_once_per_deadline_and_the_home_page(session, site):
    r = opened(session, site)
    managers = {site["manager"].user_id}

    def told() -> list[int]:
        return list(session.exec(select(Notification.user_id).where(
            Notification.message_key == "inspections.rectification_overdue")).all())
    assert rectifications.escalate_overdue(session, actor=SYSTEM, today=r.deadline) == 0  # due today: not late
    assert rectifications.escalate_overdue(session, actor=SYSTEM, today=r.deadline + timedelta(days=1)) == 1
    assert set(told()) == managers
    assert rectifications.escalate_overdue(session, actor=SYSTEM, today=r.deadline + timedelta(days=2)) == 0
    assert len(told()) == 1
    late_day = r.deadline + timedelta(days=1)
    now = datetime.combine(late_day, time(10), DISPLAY_ZONE)
    home = {f.key: f.value for s in home_figures(session, site["manager"], now=now).sections for f in s.figures}
    assert home["home.rectifications_overdue"] == "1"
    other_home = {f.key: f.value for s in home_figures(session, site["other_manager"], now=now).sections
                  for f in s.figures}
    assert other_home["home.rectifications_overdue"] == "0"
    # A failed recheck gives a new deadline; when that one lapses too, the managers hear again.
    recheck(session, site, r, result="failed", note="仍未整改", new_deadline=(late_day + timedelta(days=5)).isoformat(),
            now=now)
    assert rectifications.escalate_overdue(session, actor=SYSTEM, today=late_day + timedelta(days=6)) == 1
    assert len(told()) == 2


def test_another_communitys_rows_crafted_ids_and_other_peoples_tasks_are_refused(session, site):
    task = elevator_task(session, site)
    for crafted in ("1 OR 1=1", -1, "abc", 10**12):
        with pytest.raises(NotFound):
            tasks.submit_task(session, actor=site["tech"], task_id=crafted, expected_version=1, answers=[])
        with pytest.raises(NotFound):
            rectification_queries.rectification_detail(session, site["manager"], crafted)
    with pytest.raises(PermissionDenied):  # another community
        submit(session, site, task, answers(task), actor="other_tech")
    with pytest.raises(PermissionDenied):
        task_queries.task_detail(session, site["other_manager"], task.id)
    with pytest.raises(PermissionDenied, match="inspections.not_your_task"):  # assigned to a colleague
        submit(session, site, task, answers(task), actor="second_tech")
    with pytest.raises(PermissionDenied):  # a steward sees inspections but does not do them
        submit(session, site, task, answers(task), actor="steward")
    with pytest.raises(ConcurrencyConflict):
        tasks.submit_task(session, actor=site["tech"], task_id=task.id, expected_version=task.version + 1,
                          answers=answers(task))
    r = opened(session, site)
    with pytest.raises(PermissionDenied):
        recheck(session, site, r, actor="other_tech", result="passed", upload=photo(session, site["other_tech"]))
    with pytest.raises(PermissionDenied):
        rectifications.update_party(session, actor=site["other_manager"], rectification_id=r.id,
                                    expected_version=r.version, data=PartyInput())
    # Lists never show another community's rows.
    assert rectification_queries.rectifications(session, site["other_manager"], PageRequest(),
                                                rectification_queries.RectificationFilter()).total == 0
    assert task_queries.tasks(session, site["other_manager"], PageRequest(), task_queries.TaskFilter(),
                              today=DAY).total == 0
    assert [t["id"] for t in task_queries.my_tasks(session, site["second_tech"], DAY)] == []  # the colleague's
    assert [t["id"] for t in task_queries.my_tasks(session, site["tech"], DAY)] == [task.id]  # the other one is done


# ---------------------------------------------------------------- the scorecard figures


class Month:
    start, end = date(2026, 11, 1), date(2026, 11, 30)


def hand_made_task(session, site, schedule_id, due: date, done_on: date | None, community=None) -> None:
    at = datetime.combine(done_on, time(23, 30), DISPLAY_ZONE) if done_on else None  # late in the Shanghai day
    session.add(InspectionTask(community_id=(community or site["community"]).id, schedule_id=schedule_id,
                               template_id=template(session, "电梯机房日检").id, category="elevator", title="电梯机房日检",
                               place="1栋", items=[], period_start=due, due_on=due,
                               status=TaskStatus.DONE if done_on else TaskStatus.OPEN, done_at=at))


def test_the_two_figures_equal_a_recomputation_from_hand_made_rows(session, site):
    made = schedule(session, site, "电梯机房日检", equipment_id=site["elevator"].id, starts_on="2030-01-01")
    other = setup.create_schedule(session, actor=site["other_manager"], data=setup.ScheduleInput(
        community_id=site["other"].id, template_id=template(session, "电梯机房日检").id, starts_on="2030-01-01"))
    today = date(2026, 11, 20)
    cases = [  # (due, done on)
        (date(2026, 10, 31), date(2026, 10, 31)),  # before the period
        (date(2026, 11, 2), date(2026, 11, 2)),  # on time (23:30 Shanghai, 15:30 UTC: still the due day)
        (date(2026, 11, 3), date(2026, 11, 4)),  # late
        (date(2026, 11, 4), None),  # missed
        (date(2026, 11, 19), date(2026, 11, 18)),  # early
        (date(2026, 11, 20), None),  # due today, not done yet: not counted
        (date(2026, 11, 25), date(2026, 11, 19)),  # due later but done: counted, on time
        (date(2026, 11, 26), None),  # not due yet
    ]
    for due, done in cases:
        hand_made_task(session, site, made.id, due, done)
    hand_made_task(session, site, other.id, date(2026, 11, 5), None, community=site["other"])
    session.flush()
    result = figures.inspection_completion(session, [site["community"].id], Month, today=today)
    counted = [(d, x) for d, x in cases if Month.start <= d <= Month.end and (x is not None or d < today)]
    assert (result.numerator, result.denominator) == (sum(1 for d, x in counted if x and x <= d), len(counted)) \
        == (3, 5)
    assert result.value == pytest.approx(0.6)
    both = figures.inspection_completion(session, [site["community"].id, site["other"].id], Month, today=today)
    assert (both.numerator, both.denominator) == (3, 6)
    assert figures.inspection_completion(session, [], Month, today=today).value is None

    # Rectifications: judged against the first deadline, whatever a recheck set later.
    task = session.exec(select(InspectionTask).where(InspectionTask.schedule_id == made.id)).first()
    rows = [  # (first deadline, closed on)
        (date(2026, 11, 5), date(2026, 11, 5)),  # on time
        (date(2026, 11, 6), date(2026, 11, 9)),  # late (a recheck had extended it)
        (date(2026, 11, 7), None),  # open past its deadline
        (date(2026, 11, 25), None),  # open, deadline not reached: not counted
        (date(2026, 11, 28), date(2026, 11, 12)),  # closed early: counted
        (date(2026, 12, 2), date(2026, 11, 10)),  # another period
    ]
    for n, (deadline, closed) in enumerate(rows):
        answer = InspectionAnswer(task_id=task.id, position=n, text="项", passed=False)
        session.add(answer)
        session.flush()
        session.add(Rectification(
            community_id=site["community"].id, task_id=task.id, answer_id=answer.id, category="elevator",
            location="1栋", hazard="隐患", responsible="department", deadline=deadline + timedelta(days=10),
            first_deadline=deadline, inspector="t", status="closed" if closed else "open",
            closed_at=datetime.combine(closed, time(9), DISPLAY_ZONE) if closed else None))
    session.flush()
    result = figures.rectifications_on_time(session, [site["community"].id], Month, today=today)
    counted = [(d, c) for d, c in rows if Month.start <= d <= Month.end and (c is not None or d < today)]
    assert (result.numerator, result.denominator) == (sum(1 for d, c in counted if c and c <= d), len(counted)) \
        == (2, 4)
    assert figures.rectifications_on_time(session, None, Month, today=today).denominator >= 4  # every community


def test_the_figures_per_person_and_department_add_up_to_the_community_figure(session, site):
    made = schedule(session, site, "电梯机房日检", equipment_id=site["elevator"].id, starts_on="2030-01-01")
    today, tech = date(2026, 11, 20), site["tech"]
    cases = [(date(2026, 11, 2), date(2026, 11, 2), tech.user_id), (date(2026, 11, 3), date(2026, 11, 4), tech.user_id),
             (date(2026, 11, 4), None, None), (date(2026, 11, 6), date(2026, 11, 6), None)]
    for due, done, _ in cases:
        hand_made_task(session, site, made.id, due, done)
    session.flush()
    for task, (_, _, assignee) in zip(session.exec(select(InspectionTask).where(
            InspectionTask.schedule_id == made.id, InspectionTask.due_on >= Month.start)
            .order_by(InspectionTask.due_on)).all(), cases, strict=True):
        task.assignee_id = assignee
        session.add(task)
    session.flush()
    per_person = figures.completion_by_assignee(session, [site["community"].id], Month, today=today)
    assert {user: (r.numerator, r.denominator) for user, r in per_person.items()} == {tech.user_id: (1, 2)}
    whole = figures.inspection_completion(session, [site["community"].id], Month, today=today)
    assert (whole.numerator, whole.denominator) == (2, 4)  # the unassigned ones count for the community only
    card = field_figures(session, frozenset({site["community"].id}), Month, datetime(2026, 11, 20, 4, tzinfo=UTC))
    assert card[tech.user_id]["inspection_completion"].value == 0.5


def test_on_time_is_judged_by_the_shanghai_day_not_the_utc_day(session, site):
    """The figures count in the database: a check at 07:30 the day after (23:30 UTC on the due day) is late, one
    at 00:30 on the due day (16:30 UTC the day before) is on time."""
    made = schedule(session, site, "电梯机房日检", equipment_id=site["elevator"].id, starts_on="2030-01-01")
    finished = {date(2026, 11, 10): datetime(2026, 11, 11, 7, 30, tzinfo=DISPLAY_ZONE),
                date(2026, 11, 12): datetime(2026, 11, 12, 0, 30, tzinfo=DISPLAY_ZONE)}
    for due, at in finished.items():
        hand_made_task(session, site, made.id, due, None)
        session.flush()
        task = session.exec(select(InspectionTask).where(InspectionTask.schedule_id == made.id,
                                                         InspectionTask.due_on == due)).one()
        task.status, task.done_at = TaskStatus.DONE, at
        session.add(task)
    session.flush()
    result = figures.inspection_completion(session, [site["community"].id], Month, today=date(2026, 11, 20))
    assert (result.numerator, result.denominator) == (1, 2)
