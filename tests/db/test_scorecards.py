"""Scorecards 绩效 on hand-made rows: each figure as the README defines it, worked out by hand and recomputed from
the raw rows; who may read which card; the tickets behind a figure; a closed period that does not change."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from pm_admin.arrears.models import ArrearsCase, FollowUp
from pm_admin.census.models import CensusTask, TaskStatus
from pm_admin.core.errors import NotFound, PermissionDenied
from pm_admin.dashboards.figures import local_bounds
from pm_admin.dashboards.periods import period_for
from pm_admin.owners.models import Ownership
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.scorecards import behind, household_figures, queries, ticket_figures
from pm_admin.surveys.models import PlanStatus, SurveyPlan, SurveyScore, SurveyTarget, SurveyWeight
from pm_admin.tickets.models import Callback, Ticket, TicketCategory, TicketRound
from pm_admin.tickets.services import actions, callbacks, registration
from pm_admin.tickets.services.actions import ActionInput
from pm_admin.tickets.services.callbacks import CallbackInput
from pm_admin.tickets.services.registration import TicketInput
from pm_admin.visits.coverage import visit_coverage
from tests.support import factories

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
NOVEMBER = period_for("this_month", date(2026, 11, 20))


@pytest.fixture
def desk(session):
    community, building, unit, room = factories.place_tree(session)
    rooms = [room] + [factories.room(session, unit, number=f"{n}01", floor=n) for n in range(2, 6)]
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    for n, each in enumerate(rooms):
        owner_registry.create_owner(session, actor=manager, room_id=each.id, started_on=date(2020, 1, 1),
                                    data=owner_input.OwnerInput(name=f"业主{n}", phones=[f"1380000000{n}"]))
    cs_user = factories.user(session, "cs", communities=(community,))
    cs = factories.sign_in(session, cs_user)
    other_cs = factories.sign_in(session, factories.user(session, "cs", communities=(community,)))
    tech_a = factories.user(session, "technician", communities=(community,))
    tech_b = factories.user(session, "technician", communities=(community,))
    steward = factories.user(session, "steward", communities=(community,))
    elsewhere, *_ = factories.place_tree(session, "C99")
    stranger = factories.user(session, "technician", communities=(elsewhere,))
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    return {"community": community, "building": building, "rooms": rooms, "manager": manager, "cs": cs,
            "cs_user": cs_user, "other_cs": other_cs, "tech_a": tech_a, "tech_b": tech_b, "steward": steward,
            "stranger": stranger, "executive": executive}


def at(day: int, hour: int = 2, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def category_id(session, code: str) -> int:
    return session.exec(select(TicketCategory.id).where(TicketCategory.code == code)).one()


def ticket(session, desk, when, *, kind="complaint", code="cleaning", tier="normal", room=0, actor="cs"):
    return registration.create_ticket(session, actor=desk[actor], now=when, data=TicketInput(
        kind=kind, category_id=category_id(session, code), tier=tier, channel="hotline", title="楼道卫生",
        room_id=desk["rooms"][room].id))


def move(session, desk, item, to, when, **data):
    return actions.drop(session, actor=desk["manager"], ticket_id=item.id, expected_version=item.version,
                         to_status=to, data=ActionInput(**data), now=when)


def resolve(session, desk, item, when, tech, work=timedelta(hours=2)):
    item = move(session, desk, item, "assigned", when, assignee_id=desk[tech].id)
    item = move(session, desk, item, "in_progress", when)
    return move(session, desk, item, "resolved", when + work, resolution="已处理")


def call(session, desk, item, when, *, satisfied=True, scores=None, reached=True, actor="cs"):
    values = dict(zip(callbacks.SCORES, scores, strict=True)) if scores else {}
    callbacks.record_callback(session, actor=desk[actor], ticket_id=item.id, now=when, data=CallbackInput(
        method="phone", reached=reached, satisfied=satisfied if reached else None, **values))
    return session.get(Ticket, item.id)


@pytest.fixture
def november(session, desk):
    """Tech A resolves three tickets in November (one urgent one late), one in October; the second is reopened
    on 6 Nov after an unsatisfied callback and tech B resolves it again; A's repair is scored."""
    october = resolve(session, desk, ticket(session, desk, at(20, month=10), room=4), at(20, month=10), "tech_a")
    call(session, desk, october, at(21, month=10))
    first = resolve(session, desk, ticket(session, desk, at(2)), at(2), "tech_a")
    call(session, desk, first, at(3))  # satisfied, first round, on time (due 4 Nov)
    second = resolve(session, desk, ticket(session, desk, at(4), room=1), at(4), "tech_a")
    second = call(session, desk, second, at(5), satisfied=False, actor="other_cs")  # reopened: round 2
    second = move(session, desk, second, "resolved", at(8), resolution="再次处理")  # still assigned to tech A
    urgent = ticket(session, desk, at(9), tier="urgent", room=2)
    resolve(session, desk, urgent, at(9), "tech_a", work=timedelta(hours=30))  # far past the urgent target
    repair = resolve(session, desk, ticket(session, desk, at(10), kind="repair", code="home_repair", room=3),
                     at(10), "tech_b")
    call(session, desk, repair, at(18), scores=(4, 3, 5, 4, 4))  # due 17 Nov 04:00: late
    return {"first": first, "second": second, "urgent": urgent, "repair": repair, "october": october}


def recompute_handlers(session, field: str, first: datetime, after: datetime) -> dict[int, dict]:
    """Every handler figure straight from the rows, as the README words it."""
    rounds = session.exec(select(TicketRound)).all()
    calls = {c.id: c for c in session.exec(select(Callback)).all()}
    by_ticket = {(r.ticket_id, r.number): r for r in rounds}
    found: dict[int, dict] = defaultdict(lambda: defaultdict(list))

    def inside(moment):
        return moment is not None and first <= moment.replace(tzinfo=UTC) < after

    for r in rounds:
        who = getattr(r, field)
        if who is not None and inside(r.resolved_at):
            found[who]["handled"].append(not r.breached)
        previous = by_ticket.get((r.ticket_id, r.number - 1))
        if r.number > 1 and previous and getattr(previous, field) is not None and inside(r.started_at):
            found[getattr(previous, field)]["reopened"].append(1)
        ending = calls.get(r.callback_id)
        if who is not None and ending is not None and inside(ending.done_at):
            if r.number == 1:
                found[who]["first"].append(bool(ending.satisfied))
            if r.kind == "repair":
                found[who]["overall"].append(ending.overall)
    return found


def test_handler_figures_follow_their_definitions(session, desk, november):
    figures = ticket_figures.handler_figures(session, None, NOVEMBER, NOW)
    a, b = figures[desk["tech_a"].id], figures[desk["tech_b"].id]
    # A: first, second's two rounds (the second resolved 8 Nov, still A's), urgent — the October one is outside;
    # B: the repair.
    assert a["handled"].value == 4 and b["handled"].value == 1
    assert (a["sla_compliance"].numerator, a["sla_compliance"].denominator) == (3, 4)  # the urgent one late
    assert (a["reopen_rate"].numerator, a["reopen_rate"].denominator) == (1, 4)  # the second, reopened 5 Nov
    # First-round ending callbacks made in November: first (satisfied), second (unsatisfied).
    assert (a["first_time_satisfaction"].numerator, a["first_time_satisfaction"].denominator) == (1, 2)
    assert b["first_time_satisfaction"].value == 1.0 and b["repair_overall"].value == 4.0
    assert b["repair_efficiency"].value == 3.0 and a["repair_overall"].value is None
    first, after = local_bounds(NOVEMBER.start, NOVEMBER.end, NOW)
    for field, by_department in (("resolver_id", False), ("department_id", True)):
        expected = recompute_handlers(session, field, first, after)
        found = ticket_figures.handler_figures(session, None, NOVEMBER, NOW, by_department=by_department)
        assert set(found) == set(expected)
        for who, rows in expected.items():
            assert found[who]["handled"].denominator is None and found[who]["handled"].value == len(rows["handled"])
            assert found[who]["sla_compliance"].numerator == sum(rows["handled"])
            assert found[who]["reopen_rate"].numerator == len(rows["reopened"])
            assert found[who]["first_time_satisfaction"].numerator == sum(rows["first"])
            assert found[who]["first_time_satisfaction"].denominator == len(rows["first"])
            overall = [s for s in rows["overall"] if s is not None]
            assert found[who]["repair_overall"].value == (sum(overall) / len(overall) if overall else None)


def test_cs_figures_count_registrations_callbacks_and_their_timeliness(session, desk, november):
    figures = ticket_figures.cs_figures(session, None, NOVEMBER, NOW)
    mine, other = figures[desk["cs"].username], figures[desk["other_cs"].username]
    assert mine["registered"].value == 4  # first, second, urgent, repair (the October one is outside)
    assert mine["callbacks_made"].value == 2 and other["callbacks_made"].value == 1
    # Ending callbacks: first on time, the repair's late (due 17 Nov); the other cs's one (5 Nov, due 6 Nov) on time.
    assert (mine["callbacks_on_time"].numerator, mine["callbacks_on_time"].denominator) == (1, 2)
    assert other["callbacks_on_time"].value == 1.0
    first, after = local_bounds(NOVEMBER.start, NOVEMBER.end, NOW)
    rows = session.exec(select(Callback)).all()
    for login, figure in figures.items():
        assert figure["callbacks_made"].value == sum(
            1 for c in rows if c.done_by == login and first <= c.done_at.replace(tzinfo=UTC) < after)


def test_household_figures_follow_their_definitions(session, desk):
    community, building, steward = desk["community"], desk["building"], desk["steward"]
    ownerships = session.exec(select(Ownership)).all()
    for n, ownership in enumerate(ownerships[:4]):  # two done in November, one after, one pending
        completed = (at(5), at(6), at(25), None)[n]
        session.add(CensusTask(quarter="2026Q4", room_id=ownership.room_id, community_id=community.id,
                               building_id=building.id, owner_id=ownership.owner_id, assignee_id=steward.id,
                               status=TaskStatus.CONFIRMED if completed else TaskStatus.PENDING,
                               completed_at=completed))
    for n, (opened, follow_up) in enumerate(((date(2026, 10, 1), date(2026, 11, 10)),  # covered on 20 Nov
                                             (date(2026, 10, 1), date(2026, 11, 1)),  # 19 days before: not
                                             (date(2026, 11, 15), None))):  # not followed up yet
        case = ArrearsCase(room_id=ownerships[n].room_id, community_id=community.id, building_id=building.id,
                           assignee_id=steward.id, opened_on=opened, next_due_on=opened + timedelta(days=15))
        session.add(case)
        session.flush()
        if follow_up:
            session.add(FollowUp(case_id=case.id, done_on=follow_up, channel="phone", result="已提醒",
                                 reason_category="forgot"))
    plan = SurveyPlan(title="2026年满意度调查", year=2026, period_kind="year", starts_on=date(2026, 9, 1),
                      ends_on=date(2026, 10, 31), status=PlanStatus.CLOSED, closed_at=at(1))
    session.add(plan)
    session.flush()
    session.add(SurveyTarget(plan_id=plan.id, community_id=community.id))
    session.add(SurveyWeight(plan_id=plan.id, indicator="service", weight=3))
    session.add(SurveyWeight(plan_id=plan.id, indicator="repair", weight=1))
    for indicator, total, answers in (("service", 18, 4), ("repair", 10, 5)):  # means 4.5 and 2.0
        session.add(SurveyScore(plan_id=plan.id, community_id=community.id, building_id=building.id,
                                steward_id=steward.id, indicator=indicator, rating_sum=total, rating_count=answers))
    session.add(SurveyScore(plan_id=plan.id, community_id=community.id, building_id=building.id, steward_id=0,
                            indicator="service", rating_sum=5, rating_count=5))  # answered with no steward
    session.flush()
    building.steward_user_id = steward.id  # the steward of the building's five households (none visited)
    session.add(building)
    session.flush()
    figures = household_figures.household_figures(session, None, NOVEMBER, NOW)[steward.id]
    row = next(r for r in visit_coverage(session, [community.id], NOVEMBER).stewards if r.key == steward.id)
    assert (figures["visit_coverage"].numerator, figures["visit_coverage"].denominator) == (0, 5) == (
        row.reached, row.households)
    assert figures["visit_completion"].denominator == row.tasks_total
    assert (figures["census_completion"].numerator, figures["census_completion"].denominator) == (2, 4)
    assert (figures["arrears_coverage"].numerator, figures["arrears_coverage"].denominator) == (1, 3)
    service, repair = (4.5 - 1) / 4 * 100, (2.0 - 1) / 4 * 100
    assert figures["survey_index"].value == pytest.approx((3 * service + repair) / 4)


def test_who_reads_which_card(session, desk, november):
    tech = factories.sign_in(session, desk["tech_a"])
    own = queries.own_card(session, tech, "this_month", now=NOW)
    assert own.groups == ("handler", "field")
    with pytest.raises(PermissionDenied):
        queries.team_cards(session, tech, "this_month", now=NOW)
    with pytest.raises(PermissionDenied):  # another person's tickets
        behind.tickets_behind(session, tech, subject="user", subject_id=desk["tech_b"].id, figure="handled",
                              period_key="this_month", now=NOW)
    with pytest.raises(NotFound):
        behind.tickets_behind(session, tech, subject="user", subject_id="1 OR 1=1", figure="handled",
                              period_key="this_month", now=NOW)
    team = {card.subject_id for card in queries.team_cards(session, desk["manager"], "this_month", now=NOW)}
    assert desk["tech_a"].id in team and desk["steward"].id in team and desk["stranger"].id not in team
    with pytest.raises(PermissionDenied):  # a technician of another community is not the manager's to read
        behind.tickets_behind(session, desk["manager"], subject="user", subject_id=desk["stranger"].id,
                              figure="handled", period_key="this_month", now=NOW)
    with pytest.raises(PermissionDenied):
        queries.team_cards(session, desk["executive"], "this_month", now=NOW)
    departments = queries.department_cards(session, desk["executive"], "this_month", now=NOW)
    handled = sum(int(card.figures["handled"].value) for card in departments if card.figures)
    assert handled == 5


def test_the_tickets_behind_a_figure_are_the_rows_it_counts(session, desk, november):
    tech = factories.sign_in(session, desk["tech_a"])
    figures = ticket_figures.handler_figures(session, None, NOVEMBER, NOW)[desk["tech_a"].id]
    rows = behind.tickets_behind(session, tech, subject="user", subject_id=desk["tech_a"].id, figure="handled",
                                 period_key="this_month", now=NOW)
    assert len(rows) == figures["handled"].value
    assert sum(row["note"] == "超时" for row in rows) == figures["handled"].value - figures["sla_compliance"].numerator
    reopened = behind.tickets_behind(session, tech, subject="user", subject_id=desk["tech_a"].id,
                                     figure="reopen_rate", period_key="this_month", now=NOW)
    assert [row["code"] for row in reopened] == [november["second"].code]
    cs_rows = behind.tickets_behind(session, desk["manager"], subject="user", subject_id=desk["cs_user"].id,
                                    figure="callbacks_on_time", period_key="this_month", now=NOW)
    assert sorted(row["note"] for row in cs_rows) == ["按时", "逾期"]


def test_a_closed_month_keeps_its_figures(session, desk, november):
    october = period_for("last_month", date(2026, 11, 20))
    before = ticket_figures.handler_figures(session, None, october, NOW)
    assert before[desk["tech_a"].id]["handled"].value == 1
    # The October resolution is reopened by a manager in November and resolved again by tech B.
    item = move(session, desk, session.get(Ticket, november["october"].id), "in_progress", at(19),
                reason="业主再次反映")
    move(session, desk, item, "resolved", at(19, 6), resolution="再次处理")
    after = ticket_figures.handler_figures(session, None, october, NOW)
    assert after == before
