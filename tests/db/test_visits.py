"""The visit programme: plans generate tasks per plan type (weekly per steward, quarterly per building, the yearly
door-to-door round per household), idempotently, following the building's steward; visits count towards the tasks
they fit; issues become tickets (channel 走访) and suggestions (channel 走访) in the visit's own transaction; a
promised reply date tells the owner through the outbox and reminds the visitor the day before; completion, coverage
and the households not reached equal a recomputation from the raw rows; scope and crafted ids refused."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from pm_admin.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.paging import PageRequest
from pm_admin.notify.models import OutboxMessage, Recipient
from pm_admin.owners.models import Ownership
from pm_admin.owners.services.owner_input import OwnerInput
from pm_admin.owners.services.registry import create_owner
from pm_admin.owners.timeline import owner_timeline
from pm_admin.places.models import Unit
from pm_admin.places.services import assign_steward
from pm_admin.suggestions.models import Suggestion
from pm_admin.tickets.models import Channel, Ticket
from pm_admin.visits import coverage, queries
from pm_admin.visits.models import Met, PlanKind, TaskStatus, Visit, VisitIssue, VisitPlan, VisitTask
from pm_admin.visits.periods import Span
from pm_admin.visits.services import plans, records, replies
from tests.support import factories
from tests.support.owners_portal import activated
from tests.support.ticket_desk import category

D = date(2026, 11, 25)  # a Wednesday: week 2026-W48 runs 11-23 … 11-29
SINCE = date(2020, 1, 1)


@pytest.fixture
def world(session):
    community, b1, unit1, r1 = factories.place_tree(session)
    r2 = factories.room(session, unit1, number="102")
    b2 = factories.building(session, community, code="2")
    r3 = factories.room(session, factories.unit(session, b2), number="101")
    r4 = factories.room(session, unit1, number="103")  # no owner: not a household
    other, _, _, other_room = factories.place_tree(session)
    made = {role: factories.user(session, role, communities=(community,)) for role in ("manager", "cs", "executive")}
    s1, s2 = (factories.user(session, "steward", communities=(community,)) for _ in range(2))
    w = {name: factories.sign_in(session, account) for name, account in made.items()}
    w.update(community=community, other=other, other_room=other_room, b1=b1, b2=b2, r1=r1, r2=r2, r3=r3, r4=r4,
             s1_user=s1, s2_user=s2, s1=factories.sign_in(session, s1), s2=factories.sign_in(session, s2),
             other_manager=factories.sign_in(session, factories.user(session, "manager", communities=(other,))))
    assign_steward(session, actor=w["manager"], building_id=b1.id, steward_user_id=s1.id)
    assign_steward(session, actor=w["manager"], building_id=b2.id, steward_user_id=s2.id)
    w["owners"] = {room.id: create_owner(session, actor=w["other_manager" if room is other_room else "manager"],
                                         room_id=room.id, started_on=SINCE,
                                         data=OwnerInput(name=f"业主{n}", phones=[f"1390000000{n}"]))
                   for n, room in enumerate((r1, r2, r3, other_room))}
    return w


def plan(session, w, kind: str, **extra):
    return plans.save_plan(session, actor=w["manager"], data=plans.PlanInput(
        community_id=w["community"].id, kind=kind, starts_on=SINCE, **extra))


def all_plans(session, w, weekly_target: int = 2):
    return {kind: plan(session, w, kind, **({"target": weekly_target} if kind == "weekly" else {}))
            for kind in ("weekly", "quarterly", "door_to_door")}


def generate(session, w, day: date) -> int:
    """Every plan of the community, as the manager's buttons (or the daily job) would."""
    return sum(plans.generate(session, actor=w["manager"], plan_id=plan_id, day=day) for plan_id in session.scalars(
        sa.select(VisitPlan.id).where(VisitPlan.community_id == w["community"].id).order_by(VisitPlan.id)))


def visit(session, w, who: str, room: str, *, day: date = D, method="door", met="owner", issues=(), today=D,
          satisfaction="5"):
    code = w[room].code if room in w else room
    return records.record_visit(session, actor=w[who], today=today, data=records.VisitInput(
        room_code=code, visited_on=day.isoformat(), method=method, met=met, topics="了解近况",
        satisfaction=satisfaction, issues=list(issues)))


def tasks_of(session, w, **where):
    return session.exec(select(VisitTask).where(VisitTask.community_id == w["community"].id,
                                                *[getattr(VisitTask, k) == v for k, v in where.items()])
                        .order_by(VisitTask.id)).all()


def test_each_plan_type_generates_its_tasks_once(session, world):
    w = world
    all_plans(session, w)
    assert generate(session, w, D) == 2 + 2 + 3
    weekly = tasks_of(session, w, kind=PlanKind.WEEKLY)
    assert {(t.period, t.starts_on, t.ends_on, t.assignee_id, t.target) for t in weekly} == {
        ("2026-W48", date(2026, 11, 23), date(2026, 11, 29), w["s1_user"].id, 2),
        ("2026-W48", date(2026, 11, 23), date(2026, 11, 29), w["s2_user"].id, 2)}
    quarterly = tasks_of(session, w, kind=PlanKind.QUARTERLY)
    assert {(t.period, t.building_id, t.assignee_id, t.ends_on) for t in quarterly} == {
        ("2026Q4", w["b1"].id, w["s1_user"].id, date(2026, 12, 31)),
        ("2026Q4", w["b2"].id, w["s2_user"].id, date(2026, 12, 31))}
    door = tasks_of(session, w, kind=PlanKind.DOOR_TO_DOOR)
    assert {(t.period, t.room_id) for t in door} == {("2026", w[r].id) for r in ("r1", "r2", "r3")}  # r4: no owner
    # Again, by hand or by the daily job: nothing doubles.
    assert generate(session, w, D) == 0
    plans.generate_all(session, D + timedelta(days=1))
    assert len(tasks_of(session, w)) == 7
    # A new household is added; the next week brings the next weekly rounds only.
    create_owner(session, actor=w["manager"], room_id=w["r4"].id, started_on=SINCE,
                 data=OwnerInput(name="新业主", phones=["13900000009"]))
    assert generate(session, w, D) == 1
    assert generate(session, w, D + timedelta(days=7)) == 2
    assert len(tasks_of(session, w, period="2026-W49")) == 2


@contextlib.contextmanager
def statements(session) -> Iterator[list[str]]:
    """The SQL statements the block sends to the database."""
    sent: list[str] = []
    engine = session.connection().engine

    def note(_connection, _cursor, statement, *_args) -> None:
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def test_generating_and_listing_plans_ask_as_many_queries_for_many_households_as_for_few(session, world):
    w = world
    all_plans(session, w)
    session.flush()
    with statements(session) as few:
        assert plans.generate_all(session, D) == 2 + 2 + 3
    unit = session.get(Unit, w["r1"].unit_id)
    for n in range(5):  # five more households: next year's door-to-door round has eight tasks
        room = factories.room(session, unit, number=f"2{n}1", floor=2)
        create_owner(session, actor=w["manager"], room_id=room.id, started_on=SINCE,
                     data=OwnerInput(name=f"新业主{n}", phones=[f"1380000000{n}"]))
    session.flush()
    with statements(session) as many:
        assert plans.generate_all(session, D.replace(year=2027)) == 2 + 2 + 8
    assert len(many) == len(few), many

    visit(session, w, "s1", "r1")
    session.flush()
    with statements(session) as listing:
        listed = {row["kind"]: (row["period"], row["done"], row["tasks"]) for row in queries.plans(session, w["manager"], D)}
    assert listed == {"weekly": ("2026-W48", 0, 2), "quarterly": ("2026Q4", 1, 2), "door_to_door": ("2026", 1, 3)}
    assert len(listing) == 2  # the plans, then their current periods' counts together


def test_twice_a_year_splits_the_door_to_door_round_and_open_tasks_follow_the_steward(session, world):
    w = world
    plan(session, w, "door_to_door", times_per_year="2")
    plan(session, w, "quarterly")
    generate(session, w, D)
    assert {t.period for t in tasks_of(session, w, kind=PlanKind.DOOR_TO_DOOR)} == {"2026H2"}
    visit(session, w, "s2", "r3")  # r3's door-to-door task and b2's quarterly visit are done by s2
    assign_steward(session, actor=w["manager"], building_id=w["b2"].id, steward_user_id=w["s1_user"].id)
    plans.generate_all(session, D)
    b2_tasks = tasks_of(session, w, building_id=w["b2"].id)
    assert {(t.kind, t.status, t.assignee_id) for t in b2_tasks} == {
        (PlanKind.DOOR_TO_DOOR, TaskStatus.DONE, w["s2_user"].id),  # done: stays with whom it was
        (PlanKind.QUARTERLY, TaskStatus.DONE, w["s2_user"].id)}
    visit(session, w, "s1", "r1", method="phone")
    assign_steward(session, actor=w["manager"], building_id=w["b1"].id, steward_user_id=w["s2_user"].id)
    plans.generate_all(session, D)
    assert {t.assignee_id for t in tasks_of(session, w, building_id=w["b1"].id, status=TaskStatus.PENDING)} == {
        w["s2_user"].id}


def test_visits_count_towards_the_tasks_they_fit(session, world):
    w = world
    # A visit made before the plans existed still counts when its task is generated.
    visit(session, w, "s1", "r1", day=D - timedelta(days=1))
    all_plans(session, w, weekly_target=3)
    generate(session, w, D)

    def state(kind, **where):
        [task] = tasks_of(session, w, kind=kind, **where)
        session.refresh(task)
        return task.visits, task.status

    assert state(PlanKind.WEEKLY, assignee_id=w["s1_user"].id) == (1, TaskStatus.PENDING)
    assert state(PlanKind.QUARTERLY, building_id=w["b1"].id) == (1, TaskStatus.DONE)
    assert state(PlanKind.DOOR_TO_DOOR, room_id=w["r1"].id) == (1, TaskStatus.DONE)
    visit(session, w, "s1", "r2", method="phone")  # by phone: the round, not the door-to-door visit
    visit(session, w, "s1", "r2", met="nobody", satisfaction="")  # nobody home: counts for nothing
    assert state(PlanKind.WEEKLY, assignee_id=w["s1_user"].id) == (2, TaskStatus.PENDING)
    assert state(PlanKind.DOOR_TO_DOOR, room_id=w["r2"].id) == (0, TaskStatus.PENDING)
    visit(session, w, "s1", "r3")  # another steward's building still counts for the building and the household
    assert state(PlanKind.WEEKLY, assignee_id=w["s1_user"].id) == (3, TaskStatus.DONE)
    assert state(PlanKind.WEEKLY, assignee_id=w["s2_user"].id) == (0, TaskStatus.PENDING)
    assert state(PlanKind.QUARTERLY, building_id=w["b2"].id) == (1, TaskStatus.DONE)
    # Last week's visit (entered late) belongs to last week: no task of this week moves.
    visit(session, w, "s2", "r3", day=D - timedelta(days=7))
    assert state(PlanKind.WEEKLY, assignee_id=w["s2_user"].id) == (0, TaskStatus.PENDING)
    # The lists: the steward's own open tasks; the manager's done ones.
    mine = queries.tasks(session, w["s2"], PageRequest(), queries.TaskFilter(mine=True, state="open"), today=D)
    assert [row["kind"] for row in mine.rows] == ["weekly"]  # b2's and r3's were done by s1
    done = queries.tasks(session, w["manager"], PageRequest(), queries.TaskFilter(state="done"), today=D)
    assert done.total == 5
    missed = queries.tasks(session, w["manager"], PageRequest(), queries.TaskFilter(state="missed"),
                           today=D + timedelta(days=5))
    assert [row["label"] for row in missed.rows] == ["测试用户"]  # s2's week ended without a visit


def test_a_plans_button_generates_that_plan_only_and_a_paused_plan_none(session, world):
    w = world
    made = all_plans(session, w)
    assert plans.generate(session, actor=w["manager"], plan_id=made["quarterly"].id, day=D) == 2
    assert {t.kind for t in tasks_of(session, w)} == {PlanKind.QUARTERLY}
    door = made["door_to_door"]
    plans.save_plan(session, actor=w["manager"], plan_id=door.id, expected_version=door.version,
                    data=plans.PlanInput(community_id=w["community"].id, kind="door_to_door", starts_on=SINCE,
                                         is_active=False))
    with pytest.raises(DomainError) as paused:
        plans.generate(session, actor=w["manager"], plan_id=door.id, day=D)
    assert paused.value.key == "visits.plan_paused_generate"
    assert plans.generate_all(session, D) == 2  # the weekly rounds; the paused plan is skipped at night too
    assert {t.kind for t in tasks_of(session, w)} == {PlanKind.QUARTERLY, PlanKind.WEEKLY}


def test_refusals_outside_the_scope_and_crafted_ids(session, world):
    w = world
    weekly = all_plans(session, w)["weekly"]
    with pytest.raises(PermissionDenied):
        plans.generate(session, actor=w["other_manager"], plan_id=weekly.id, day=D)
    with pytest.raises(NotFound):
        plans.generate(session, actor=w["manager"], plan_id="1 or 1=1", day=D)
    with pytest.raises(PermissionDenied):  # a steward does not plan
        plans.generate(session, actor=w["s1"], plan_id=weekly.id, day=D)
    with pytest.raises(PermissionDenied):
        plans.save_plan(session, actor=w["other_manager"], data=plans.PlanInput(community_id=w["community"].id,
                                                                                 kind="weekly", target="3"))
    with pytest.raises(ValidationFailed) as refused:
        plan(session, w, "weekly")
    assert refused.value.fields["kind"][0] == "visits.plan_exists"
    with pytest.raises(PermissionDenied):  # an executive reads
        visit(session, w, "executive", "r1")
    with pytest.raises(ValidationFailed) as refused:  # another community's room reads as unknown
        visit(session, w, "s1", w["other_room"].code)
    assert refused.value.fields["room_code"][0] == "visits.room_unknown"
    with pytest.raises(ValidationFailed) as refused:
        visit(session, w, "s1", "r1", day=D + timedelta(days=1))
    assert set(refused.value.fields) == {"visited_on"}
    made = visit(session, w, "s1", "r1", issues=[records.IssueInput(text="楼道灯不亮", action="pending",
                                                                   promised_on=(D + timedelta(days=2)).isoformat())])
    [issue] = session.exec(select(VisitIssue).where(VisitIssue.visit_id == made.id)).all()
    with pytest.raises(NotFound):
        replies.reply(session, actor=w["s1"], issue_id="abc", expected_version=1, text="已修好")
    with pytest.raises(PermissionDenied):
        replies.reply(session, actor=w["other_manager"], issue_id=issue.id, expected_version=issue.version,
                      text="已修好")
    with pytest.raises(PermissionDenied):
        queries.tasks(session, factories.sign_in(session, factories.user(session, "technician")), PageRequest(),
                      queries.TaskFilter())
    other_rows = queries.records(session, w["other_manager"], PageRequest(), queries.RecordFilter())
    assert other_rows.total == 0


def test_issues_become_a_ticket_and_a_suggestion_in_the_visits_transaction(session, world):
    w = world
    repair = category(session, "cleaning").id
    made = visit(session, w, "s1", "r1", issues=[
        records.IssueInput(text="楼道垃圾两天没清运\n请尽快处理", action="ticket", category_id=repair,
                           ticket_kind="complaint"),
        records.IssueInput(text="建议在小区门口加装自行车棚", action="suggestion", category_id=repair),
        records.IssueInput(text="燃气费怎么交", action="answered"),
        records.IssueInput()])  # an empty row of the form is no issue
    issues = session.exec(select(VisitIssue).where(VisitIssue.visit_id == made.id).order_by(VisitIssue.id)).all()
    assert [str(i.action) for i in issues] == ["ticket", "suggestion", "answered"]
    ticket = session.get(Ticket, issues[0].ticket_id)
    assert (ticket.channel, ticket.kind, ticket.room_id, ticket.title) == (
        Channel.VISIT, "complaint", w["r1"].id, "楼道垃圾两天没清运")
    assert ticket.owner_id == w["owners"][w["r1"].id].id  # the room's owner is the ticket's contact
    suggestion = session.get(Suggestion, issues[1].suggestion_id)
    assert (suggestion.channel, suggestion.room_id, suggestion.source) == ("visit", w["r1"].id, f"visit:{made.id}")
    row = queries.records(session, w["manager"], PageRequest(), queries.RecordFilter(room=w["r1"].code)).rows[0]
    assert [i["ticket_code"] for i in row["issues"]] == [ticket.code, "", ""]

    # A refusal met after the ticket was opened (no suggestion rights) takes the visit, its issues and the
    # ticket back with it: one transaction.
    no_suggestions = dataclasses.replace(w["s1"], permissions=w["s1"].permissions - {"suggestions.manage"})
    counts = [session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Ticket, Visit, VisitIssue)]
    with pytest.raises(PermissionDenied), session.begin_nested():
        records.record_visit(session, actor=no_suggestions, today=D, data=records.VisitInput(
            room_code=w["r2"].code, visited_on=D.isoformat(), topics="了解近况", issues=[
                records.IssueInput(text="电梯异响", action="ticket", category_id=repair),
                records.IssueInput(text="建议增加绿化", action="suggestion", category_id=repair)]))
    assert [session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Ticket, Visit, VisitIssue)] == counts
    # Checked before anything is written: every problem beside its field.
    with pytest.raises(ValidationFailed) as refused:
        visit(session, w, "s1", "r2", issues=[records.IssueInput(text="电梯异响", action="ticket"),
                                              records.IssueInput(text="路灯", action="pending")])
    assert set(refused.value.fields) == {"issue_category_0", "issue_promised_1"}
    with pytest.raises(ValidationFailed) as refused:
        visit(session, w, "s1", "r2", met="nobody", issues=[records.IssueInput(text="电梯异响")])
    assert set(refused.value.fields) == {"met"}


def test_a_promised_reply_tells_the_owner_and_reminds_the_visitor_the_day_before(session, world):
    w = world
    desk = {"cs": w["cs"], "manager": w["manager"]}
    account = activated(session, desk, w["owners"][w["r1"].id])
    promised = D + timedelta(days=3)
    made = visit(session, w, "s1", "r1", issues=[records.IssueInput(
        text="地下车库漏水", action="ticket", category_id=category(session, "cleaning").id,
        promised_on=promised.isoformat())])
    [issue] = session.exec(select(VisitIssue).where(VisitIssue.visit_id == made.id)).all()

    def messages(**where):
        return session.exec(select(OutboxMessage).where(OutboxMessage.cause == f"visit_issue:{issue.id}",
                                                        *[getattr(OutboxMessage, k) == v for k, v in where.items()])
                            .order_by(OutboxMessage.id)).all()

    [told] = messages(recipient_kind=Recipient.OWNER_ACCOUNT)
    assert (told.recipient_id, told.template, told.params["day"], told.channel) == (
        account.account_id, "notify.visit_reply_promised", promised.isoformat(), "inbox")
    assert told.params["path"] == f"/portal/tickets/{issue.ticket_id}"
    # Not yet: two days before. The day before: the visitor, once, however often the job runs.
    assert replies.remind_due(session, promised - timedelta(days=2)) == 0
    assert replies.remind_due(session, promised - timedelta(days=1)) == 1
    assert replies.remind_due(session, promised - timedelta(days=1)) == 0
    assert replies.remind_due(session, promised) == 0
    [reminder] = messages(recipient_kind=Recipient.USER)
    assert (reminder.recipient_id, reminder.template, reminder.params["day"], reminder.params["room"]) == (
        w["s1_user"].id, "notify.visit_reply_due", promised.isoformat(), w["r1"].code)
    # Due on the visitor's home page from the reminder day; the list says so.
    before = promised - timedelta(days=1)
    assert queries.home_counts(session, w["s1"], before - timedelta(days=1), mine=True).replies_due == 0
    assert queries.home_counts(session, w["s1"], before, mine=True).replies_due == 1
    assert queries.home_counts(session, w["s2"], before, mine=True).replies_due == 0  # not their visit
    assert queries.home_counts(session, w["manager"], before, mine=False).replies_due == 1
    [row] = queries.replies(session, w["s1"], PageRequest(), queries.ReplyFilter(state="due"), today=promised).rows
    assert row["state"] == "due" and row["ticket_code"]
    # On the owner's timeline: the visit and the promise.
    owner_id = w["owners"][w["r1"].id].id
    keys = [item.title_key for item in owner_timeline(session, w["manager"], owner_id, "zh-CN")
            if item.kind == "visit"]
    assert sorted(keys) == ["timeline.visit", "timeline.visit_promised"]
    # The reply: recorded once, the owner told, no longer due.
    replies.reply(session, actor=w["s1"], issue_id=issue.id, expected_version=issue.version, text="已安排维修，周五完工")
    assert [m.template for m in messages(recipient_kind=Recipient.OWNER_ACCOUNT)] == [
        "notify.visit_reply_promised", "notify.visit_replied"]
    assert queries.home_counts(session, w["s1"], before, mine=True).replies_due == 0
    [replied] = [item for item in owner_timeline(session, w["manager"], owner_id, "zh-CN")
                 if item.title_key == "timeline.visit_replied"]
    assert replied.detail == "已安排维修，周五完工 · 测试用户"  # who replied, by name
    with pytest.raises(DomainError):
        replies.reply(session, actor=w["s1"], issue_id=issue.id, expected_version=issue.version, text="再答复一次")
    # A promise already past when the job first sees it reminds at once.
    late = visit(session, w, "s1", "r2", issues=[records.IssueInput(text="门禁卡", action="pending",
                                                                    promised_on=D.isoformat())])
    assert replies.remind_due(session, D + timedelta(days=2)) == 1
    assert session.exec(select(VisitIssue.reminded_on).where(VisitIssue.visit_id == late.id)).one() == D + timedelta(
        days=2)


def recomputed(session, w, start: date, end: date, today: date) -> dict:
    """The report's figures from the raw rows, in Python."""
    households = {room_id for room_id, in session.execute(
        sa.select(Ownership.room_id).where(Ownership.community_id == w["community"].id,
                                           col(Ownership.ended_on).is_(None))).all()}
    all_visits = session.exec(select(Visit).where(Visit.community_id == w["community"].id)).all()
    tasks = [t for t in tasks_of(session, w) if t.starts_on <= end and t.ends_on >= start]
    in_period = [v for v in all_visits if start <= v.visited_on <= end]
    reached = {v.room_id for v in in_period if v.met != Met.NOBODY} & households
    reached_year = {v.room_id for v in all_visits if date(today.year, 1, 1) <= v.visited_on <= today
                    and v.met != Met.NOBODY}
    stewards = {w["b1"].id: w["s1_user"].id, w["b2"].id: w["s2_user"].id}
    rooms = {r.id: r for r in (w["r1"], w["r2"], w["r3"], w["r4"])}
    per_steward = {}
    for user in (w["s1_user"].id, w["s2_user"].id):
        mine = [t for t in tasks if t.assignee_id == user]
        homes = {r for r in households if stewards[rooms[r].building_id] == user}
        per_steward[user] = (len(mine), sum(t.status == TaskStatus.DONE for t in mine),
                             sum(v.visitor_id == user for v in in_period), len(homes), len(homes & reached))
    return {"community": (len(tasks), sum(t.status == TaskStatus.DONE for t in tasks), len(in_period),
                          len(households), len(reached)),
            "stewards": per_steward, "not_reached": sorted(rooms[r].code for r in households - reached_year)}


def test_completion_coverage_and_not_reached_equal_a_recomputation(session, world):
    w = world
    all_plans(session, w)
    for day in (date(2026, 11, 16), D):  # two weeks of tasks
        generate(session, w, day)
    visit(session, w, "s1", "r1", day=date(2026, 11, 17))
    visit(session, w, "s1", "r1", day=date(2026, 11, 18), method="phone")
    visit(session, w, "s1", "r2", day=D, met="nobody", satisfaction="")
    visit(session, w, "s2", "r3", day=D, method="phone")
    create_owner(session, actor=w["manager"], room_id=w["r4"].id, started_on=SINCE,
                 data=OwnerInput(name="新业主", phones=["13900000009"]))
    for start, end in ((date(2026, 11, 23), D), (date(2026, 11, 1), D), (date(2026, 1, 1), D)):
        figures = coverage.visit_coverage(session, [w["community"].id], Span("x", start, end))
        expected = recomputed(session, w, start, end, D)
        [community] = figures.communities
        assert (community.tasks_total, community.tasks_done, community.visits, community.households,
                community.reached) == expected["community"], (start, end)
        shown = {row.key: (row.tasks_total, row.tasks_done, row.visits, row.households, row.reached)
                 for row in figures.stewards}
        assert shown == expected["stewards"], (start, end)
    month = coverage.visit_coverage(session, [w["community"].id], Span("x", date(2026, 11, 1), D)).communities[0]
    assert (month.tasks["weekly"], month.done["weekly"]) == (4, 1)  # s1's week of the 16th: two visits
    assert month.coverage == 2 / 4 and month.completion == month.tasks_done / month.tasks_total
    listed = coverage.not_reached(session, w["manager"], PageRequest(page_size=2), coverage.NotReachedFilter(),
                                  today=D)
    assert listed.total == len(recomputed(session, w, D, D, D)["not_reached"]) == 2
    everything = coverage.not_reached(session, w["manager"], PageRequest(page_size=50), coverage.NotReachedFilter(),
                                      today=D)
    assert [row["room_code"] for row in everything.rows] == recomputed(session, w, D, D, D)["not_reached"]
    assert {row["last_visit"] for row in everything.rows} == {""}  # r2's visit met nobody; r4 was never visited
    with pytest.raises(PermissionDenied):
        coverage.completion(session, w["s1"], Span("x", D, D))
    assert coverage.completion(session, w["other_manager"], Span("x", D, D), w["community"].id).communities == []
