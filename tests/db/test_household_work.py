"""Census tasks and arrears follow-ups go, per community, to the role it chooses (issue 11 item 8): 客服专员 by
default (seed 001 §篇3 4.4.2), the least busy first; the building's steward as the option; open work moves when
the choice, a steward or the cs staff change, finished work stays."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from pm_admin.arrears import queries as arrears_queries
from pm_admin.arrears import services as arrears
from pm_admin.arrears.models import ArrearsCase, FollowUp
from pm_admin.auth.models import UserCommunity
from pm_admin.census import queries as census_queries
from pm_admin.census import services as census
from pm_admin.census.models import CensusTask
from pm_admin.core.audit import AuditEvent
from pm_admin.core.errors import ConcurrencyConflict, PermissionDenied, ValidationFailed
from pm_admin.core.paging import PageRequest
from pm_admin.household_work.services import reassign_all, share_out
from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Community
from pm_admin.places.services import assign_steward, set_household_work_role
from tests.support import factories

TODAY = date(2026, 11, 25)
QUARTER = "2026Q4"


def own(session, room) -> None:
    owner = Owner(name=f"业主{room.id}", name_pinyin="yezhu", name_initials="yz")
    session.add(owner)
    session.flush()
    session.add(Ownership(owner_id=owner.id, room_id=room.id, community_id=room.community_id, sort_key=room.sort_key,
                          started_on=date(2020, 1, 1)))
    session.flush()


@pytest.fixture
def estate(session):
    """Two buildings (r1–r3 in 1栋, r4–r5 in 2栋) of households, two cs and a steward per building; a cs of
    another community, a disabled cs and a steward of no building get nothing."""
    community, first, unit, r1 = factories.place_tree(session)
    rooms = [r1] + [factories.room(session, unit, number=f"{n}01", floor=n) for n in (2, 3)]
    second = factories.building(session, community, code="2")
    second_unit = factories.unit(session, second)
    rooms += [factories.room(session, second_unit, number=f"{n}01", floor=n) for n in (1, 2)]
    for room in rooms:
        own(session, room)
    other = factories.community(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    cs1, cs2 = (factories.user(session, "cs", communities=(community,)) for _ in range(2))
    factories.user(session, "cs", communities=(other,))
    factories.user(session, "cs", communities=(community,)).is_active = False
    s1, s2 = (factories.user(session, "steward", communities=(community,)) for _ in range(2))
    for building, steward in ((first, s1), (second, s2)):
        assign_steward(session, actor=manager, building_id=building.id, steward_user_id=steward.id)
    session.flush()
    return {"community": community, "other": other, "buildings": (first, second), "rooms": rooms,
            "manager": manager, "cs": (cs1, cs2), "stewards": (s1, s2)}


def census_assignees(session, estate) -> list[int | None]:
    by_room = dict(session.execute(sa.select(CensusTask.room_id, CensusTask.assignee_id)
                                   .where(CensusTask.quarter == QUARTER)).all())
    return [by_room.get(room.id) for room in estate["rooms"]]


def open_case(session, estate, room) -> ArrearsCase:
    arrears.set_arrears(session, actor=estate["manager"], room_id=room.id, amount="900",
                        since=TODAY - timedelta(days=60), today=TODAY)
    return session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id,
                                                  ArrearsCase.status == "open")).one()


def set_role(session, estate, role: str) -> None:
    community = session.get(Community, estate["community"].id)
    set_household_work_role(session, actor=estate["manager"], community_id=community.id,
                            expected_version=community.version, role=role)


def test_work_is_shared_out_to_the_least_busy_in_contiguous_runs():
    assert share_out({7: 2, 3: 0}, 4) == [3, 3, 3, 7]  # 3 catches up with 7, then the tie goes to the lower id
    assert share_out({1: 0, 2: 0}, 5) == [1, 1, 1, 2, 2]
    assert share_out({1: 0}, 0) == []


def test_by_default_the_communitys_cs_do_the_census_and_the_follow_ups(session, estate):
    (cs1, cs2), (s1, _), rooms = estate["cs"], estate["stewards"], estate["rooms"]
    assert estate["community"].household_work_role == "cs"  # seed 001 §4.4.2
    assert census.open_quarter(session, actor=estate["manager"], community_id=estate["community"].id,
                               quarter=QUARTER) == 5
    # 3 + 2 in room order; the disabled cs, the other community's cs and the stewards get nothing.
    assert census_assignees(session, estate) == [cs1.id] * 3 + [cs2.id] * 2
    first, second = open_case(session, estate, rooms[0]), open_case(session, estate, rooms[3])
    assert (first.assignee_id, second.assignee_id) == (cs2.id, cs1.id)  # 3 vs 2 open, then 3 vs 3: the lower id
    desk = factories.sign_in(session, cs1)
    mine = census_queries.tasks(session, desk, PageRequest(), census_queries.TaskFilter(quarter=QUARTER))
    assert [r.room_code for r in mine.rows] == [r.code for r in rooms[:3]]
    cases = arrears_queries.cases(session, desk, PageRequest(), arrears_queries.CaseFilter(mine=True), today=TODAY)
    assert [(r.room_code, r.assignee) for r in cases.rows] == [(rooms[3].code, cs1.display_name)]
    steward = factories.sign_in(session, s1)
    with pytest.raises(PermissionDenied):  # not the steward's work in this community
        census.complete_task(session, actor=steward, task_id=mine.rows[0].id, changed=False)
    census.complete_task(session, actor=desk, task_id=mine.rows[0].id, changed=False)


def test_the_steward_option_gives_each_households_work_to_its_buildings_steward(session, estate):
    (s1, s2), rooms = estate["stewards"], estate["rooms"]
    set_role(session, estate, "steward")
    census.open_quarter(session, actor=estate["manager"], community_id=estate["community"].id, quarter=QUARTER)
    assert census_assignees(session, estate) == [s1.id] * 3 + [s2.id] * 2
    assert open_case(session, estate, rooms[4]).assignee_id == s2.id
    assign_steward(session, actor=estate["manager"], building_id=estate["buildings"][1].id, steward_user_id=None)
    assert open_case(session, estate, rooms[3]).assignee_id is None  # no steward: anyone's to take
    anyone = factories.sign_in(session, s1)
    listed = arrears_queries.cases(session, anyone, PageRequest(), arrears_queries.CaseFilter(mine=True), today=TODAY)
    assert {r.room_code for r in listed.rows} == {rooms[3].code, rooms[4].code}  # 2栋's, now unassigned


def test_changing_the_choice_moves_open_work_and_leaves_finished_work(session, estate):
    (cs1, cs2), (s1, s2), rooms = estate["cs"], estate["stewards"], estate["rooms"]
    census.open_quarter(session, actor=estate["manager"], community_id=estate["community"].id, quarter=QUARTER)
    desk = factories.sign_in(session, cs1)
    done = session.exec(select(CensusTask).where(CensusTask.room_id == rooms[0].id)).one()
    census.complete_task(session, actor=desk, task_id=done.id, changed=False)
    case = open_case(session, estate, rooms[1])
    arrears.log_follow_up(session, actor=factories.sign_in(session, session.get(type(cs1), case.assignee_id)),
                          case_id=case.id, today=TODAY,
                          data=arrears.FollowUpInput(channel="phone", result="已提醒", reason_category="forgot"))
    caller = case.assignee_id

    set_role(session, estate, "steward")
    assert census_assignees(session, estate) == [cs1.id, s1.id, s1.id, s2.id, s2.id]  # r1 was done by cs1
    assert session.get(ArrearsCase, case.id).assignee_id == s1.id
    assert session.exec(select(FollowUp.actor_user_id).where(FollowUp.case_id == case.id)).one() == caller
    [moved] = session.exec(select(AuditEvent).where(AuditEvent.action == "household_work.reassign",
                                                    AuditEvent.entity_id == str(estate["community"].id))).all()
    assert moved.changes == {"role": "steward", "census_task": 4, "arrears_case": 1}
    assert moved.actor_user_id == estate["manager"].user_id

    set_role(session, estate, "cs")  # back: shared out again, the least busy first (both had none open)
    assert census_assignees(session, estate) == [cs1.id, cs1.id, cs1.id, cs2.id, cs2.id]
    assert session.get(ArrearsCase, case.id).assignee_id == cs1.id  # then 2 open each: the lower id


def test_only_managers_of_the_community_choose_and_a_stale_form_is_refused(session, estate):
    community = estate["community"]
    stale = community.version
    steward = factories.sign_in(session, estate["stewards"][0])
    outsider = factories.sign_in(session, factories.user(session, "manager", communities=(estate["other"],)))
    for actor in (steward, outsider):
        with pytest.raises(PermissionDenied):
            set_household_work_role(session, actor=actor, community_id=community.id, expected_version=stale,
                                    role="steward")
    with pytest.raises(ValidationFailed) as error:
        set_household_work_role(session, actor=estate["manager"], community_id=community.id, expected_version=stale,
                                role="technician")
    assert set(error.value.fields) == {"household_work_role"}
    set_role(session, estate, "steward")
    with pytest.raises(ConcurrencyConflict) as conflict:
        set_household_work_role(session, actor=estate["manager"], community_id=community.id, expected_version=stale,
                                role="cs")
    assert conflict.value.current["household_work_role"] == "steward"


def test_a_new_steward_takes_over_at_once_and_the_daily_job_follows_cs_staff_changes(session, estate):
    (cs1, cs2), (s1, _) = estate["cs"], estate["stewards"]
    set_role(session, estate, "steward")
    census.open_quarter(session, actor=estate["manager"], community_id=estate["community"].id, quarter=QUARTER)
    successor = factories.user(session, "steward", communities=(estate["community"],))
    assign_steward(session, actor=estate["manager"], building_id=estate["buildings"][0].id,
                   steward_user_id=successor.id)
    assert census_assignees(session, estate)[:3] == [successor.id] * 3  # no daily job needed

    set_role(session, estate, "cs")
    assert census_assignees(session, estate) == [cs1.id] * 3 + [cs2.id] * 2
    session.execute(sa.delete(UserCommunity).where(UserCommunity.user_id == cs2.id))  # cs2 moved elsewhere
    assert reassign_all(session) >= 2
    assert census_assignees(session, estate) == [cs1.id] * 5
    cs1.is_active = False  # and the last cs left the company: the work waits for whoever takes it
    session.flush()
    reassign_all(session)
    assert census_assignees(session, estate) == [None] * 5
    anyone = factories.sign_in(session, s1)
    assert census_queries.tasks(session, anyone, PageRequest(), census_queries.TaskFilter(quarter=QUARTER)).total == 5
