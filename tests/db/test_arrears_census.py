"""Arrears follow-up every 15 days for rooms over a month behind; quarterly census per household."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from pm_admin.arrears import queries, services
from pm_admin.arrears.models import ArrearsCase
from pm_admin.arrears.services import FollowUpInput, one_month_before
from pm_admin.census import queries as census_queries
from pm_admin.census import services as census
from pm_admin.core.errors import PermissionDenied, ValidationFailed
from pm_admin.core.paging import PageRequest
from pm_admin.owners import services as owner_services
from pm_admin.places.models import Room, Unit
from pm_admin.places.services import assign_steward
from pm_admin.tickets import services as services_tickets
from pm_admin.tickets.models import TicketCategory
from pm_admin.tickets.services import TicketInput
from tests.support import factories

TODAY = date(2026, 11, 25)


@pytest.fixture
def block(session):
    community, building, unit, room = factories.place_tree(session)
    rooms = [room] + [factories.room(session, unit, number=f"{n}01", floor=n) for n in (2, 3)]
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    steward_user = factories.user(session, "steward", communities=(community,))
    steward = factories.sign_in(session, steward_user)
    assign_steward(session, actor=manager, building_id=building.id, steward_user_id=steward_user.id)
    return {"community": community, "building": building, "rooms": rooms, "manager": manager, "steward": steward}


def test_one_month_before():
    assert one_month_before(date(2026, 3, 31)) == date(2026, 2, 28)
    assert one_month_before(date(2026, 1, 15)) == date(2025, 12, 15)


def test_a_case_opens_only_after_a_month_and_is_due_every_15_days(session, block):
    manager, steward, room = block["manager"], block["steward"], block["rooms"][0]
    services.set_arrears(session, actor=manager, room_id=room.id, amount="1200", since=TODAY - timedelta(days=20),
                         today=TODAY)
    assert session.exec(select(ArrearsCase)).all() == []  # 20 days: not yet a case
    services.sync_cases(session, today=TODAY + timedelta(days=15))  # now 35 days behind
    case = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).one()
    day = TODAY + timedelta(days=15)
    assert case.next_due_on == day
    follow = FollowUpInput(channel="phone", result="业主承诺月底缴清", reason_category="forgot",
                           promise_date=(day + timedelta(days=5)).isoformat(), done_on=day.isoformat())
    services.log_follow_up(session, actor=steward, case_id=case.id, data=follow, today=day)
    assert case.next_due_on == day + timedelta(days=15)
    mine = queries.CaseFilter(overdue_only=True, mine=True)
    assert queries.cases(session, steward, PageRequest(), mine, today=day + timedelta(days=15)).total == 0
    late = queries.cases(session, steward, PageRequest(), mine, today=day + timedelta(days=16))
    assert [(r.room_code, r.overdue_days) for r in late.rows] == [(room.code, 1)]
    assert queries.coverage(session, steward, today=day + timedelta(days=10)).percent == 100.0
    assert queries.coverage(session, steward, today=day + timedelta(days=16)).percent == 0.0


def test_clearing_the_balance_closes_the_case(session, block):
    manager, room = block["manager"], block["rooms"][1]
    services.set_arrears(session, actor=manager, room_id=room.id, amount="800", since=TODAY - timedelta(days=70),
                         today=TODAY)
    case = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).one()
    services.set_arrears(session, actor=manager, room_id=room.id, amount="0", since=TODAY - timedelta(days=70),
                         today=TODAY)
    assert case.status == "closed" and case.closed_on == TODAY


def test_follow_up_validation_and_service_disputes_need_a_ticket(session, block):
    manager, room = block["manager"], block["rooms"][2]
    services.set_arrears(session, actor=manager, room_id=room.id, amount="500", since=TODAY - timedelta(days=90),
                         today=TODAY)
    case = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).one()
    with pytest.raises(ValidationFailed) as error:
        services.log_follow_up(session, actor=manager, case_id=case.id, today=TODAY, data=FollowUpInput(
            channel="fax", result="", reason_category="service_dispute", promise_date="2020-01-01"))
    assert set(error.value.fields) == {"channel", "result", "ticket_code", "promise_date"}
    with pytest.raises(ValidationFailed) as error:  # a made-up ticket code
        services.log_follow_up(session, actor=manager, case_id=case.id, today=TODAY, data=FollowUpInput(
            channel="visit", result="业主对电梯维修不满", reason_category="service_dispute", ticket_code="TS-20990101-0001"))
    assert set(error.value.fields) == {"ticket_code"}
    dispute = services_tickets.create_ticket(session, actor=manager, data=TicketInput(
        kind="complaint", category_id=session.exec(select(TicketCategory.id).where(TicketCategory.code == "elevator"))
        .one(), tier="normal", channel="hotline", title="电梯维修后仍异响", room_id=room.id))
    services.log_follow_up(session, actor=manager, case_id=case.id, today=TODAY, data=FollowUpInput(
        channel="visit", result="业主对电梯维修不满", reason_category="service_dispute",
        ticket_code=dispute.code.lower()))
    latest = queries.follow_ups(session, manager, case.id)[0]
    assert (latest.ticket_code, latest.ticket_id) == (dispute.code, dispute.id)
    neighbour = services_tickets.create_ticket(session, actor=manager, data=TicketInput(
        kind="complaint", category_id=session.exec(select(TicketCategory.id).where(TicketCategory.code == "elevator"))
        .one(), tier="normal", channel="hotline", title="邻居投诉电梯", room_id=block["rooms"][1].id))
    with pytest.raises(ValidationFailed) as error:  # a ticket of the neighbour's room is not this household's dispute
        services.log_follow_up(session, actor=manager, case_id=case.id, today=TODAY, data=FollowUpInput(
            channel="visit", result="业主对电梯维修不满", reason_category="service_dispute",
            ticket_code=neighbour.code))
    assert set(error.value.fields) == {"ticket_code"}
    other = factories.sign_in(session, factories.user(session, "steward", communities=(factories.community(session),)))
    with pytest.raises(PermissionDenied):
        services.log_follow_up(session, actor=other, case_id=case.id, today=TODAY, data=FollowUpInput(
            channel="phone", result="x", reason_category="other"))


def test_arrears_import_checks_rows_and_writes_all_or_nothing(session, block):
    manager, rooms = block["manager"], block["rooms"]
    bad = f"房号,欠费金额,欠费起始日期\n{rooms[0].code},1200,2026-08-01\nC99-1-1-101,10,2026-01-01\n{rooms[1].code},abc,2026-07-01\n"
    result = services.import_arrears(session, actor=manager, filename="a.csv", data=bad.encode(), commit=True, today=TODAY)
    assert [(row, column) for row, column, _, _ in result.errors] == [(3, "room_code"), (4, "amount")]
    assert result.written == 0 and session.exec(select(ArrearsCase)).all() == []
    good = f"房号,欠费金额,欠费起始日期\n{rooms[0].code},1200,2026/08/01\n{rooms[1].code},300,2026-11-20\n"
    result = services.import_arrears(session, actor=manager, filename="a.csv", data=good.encode(), commit=True, today=TODAY)
    assert result.written == 2
    assert [c.room_id for c in session.exec(select(ArrearsCase)).all()] == [rooms[0].id]  # only the one > 1 month


def test_census_tasks_go_to_the_building_steward_and_changes_flow_into_owner_history(session, block):
    manager, steward, rooms = block["manager"], block["steward"], block["rooms"]
    owners = [owner_services.create_owner(session, actor=manager, room_id=room.id, data=owner_services.OwnerInput(
        name=f"住户{n}", phones=[f"1360000000{n}"])) for n, room in enumerate(rooms)]
    assert census.open_quarter(session, actor=manager, community_id=block["community"].id, quarter="2026Q4") == 3
    assert census.open_quarter(session, actor=manager, community_id=block["community"].id, quarter="2026Q4") == 0
    tasks = census_queries.tasks(session, steward, PageRequest(), census_queries.TaskFilter(quarter="2026Q4"))
    assert tasks.total == 3 and {t.owner_name for t in tasks.rows} == {"住户0", "住户1", "住户2"}
    first, second = tasks.rows[0], tasks.rows[1]
    census.complete_task(session, actor=steward, task_id=first.id, changed=False)
    with pytest.raises(ValidationFailed):  # "changed" without any change entered
        census.complete_task(session, actor=steward, task_id=second.id, changed=True)
    owner = next(o for o in owners if o.id == second.owner_id)
    owner_services.update_owner(session, actor=steward, owner_id=owner.id, expected_version=owner.version,
                                data=owner_services.OwnerInput(name=owner.name, phones=["13999999999"]))
    census.complete_task(session, actor=steward, task_id=second.id, changed=True, note="电话已更换")
    [row] = census_queries.completion(session, manager, "2026Q4")
    assert (row.total, row.done, row.changed, row.percent) == (3, 2, 1, 67)
    with pytest.raises(ValidationFailed):
        census.complete_task(session, actor=steward, task_id=first.id, changed=False)


def test_only_a_steward_of_the_community_can_be_assigned(session, block):
    cs_user = factories.user(session, "cs", communities=(block["community"],))
    with pytest.raises(PermissionDenied):
        assign_steward(session, actor=block["manager"], building_id=block["building"].id, steward_user_id=cs_user.id)


def test_the_daily_job_opens_the_quarter_and_pending_tasks_follow_the_building_steward(session, block):
    manager, rooms = block["manager"], block["rooms"]
    for n, room in enumerate(rooms):
        owner_services.create_owner(session, actor=manager, room_id=room.id,
                                    data=owner_services.OwnerInput(name=f"住户{n}", phones=[f"1360000000{n}"]))
    assert census.open_current_quarters(session, TODAY) == 3
    assert census.open_current_quarters(session, TODAY) == 0
    successor_user = factories.user(session, "steward", communities=(block["community"],))
    successor = factories.sign_in(session, successor_user)
    done = census_queries.tasks(session, block["steward"], PageRequest(), census_queries.TaskFilter(quarter="2026Q4"))
    census.complete_task(session, actor=block["steward"], task_id=done.rows[0].id, changed=False)
    assign_steward(session, actor=manager, building_id=block["building"].id, steward_user_id=successor_user.id)
    census.open_current_quarters(session, TODAY)
    handed_over = census_queries.tasks(session, successor, PageRequest(), census_queries.TaskFilter(quarter="2026Q4"))
    assert handed_over.total == 2  # the completed task stays with the steward who did it
    mine = census_queries.tasks(session, block["steward"], PageRequest(),
                                census_queries.TaskFilter(quarter="2026Q4", pending_only=False))
    assert [r.id for r in mine.rows] == [done.rows[0].id]


def test_census_tasks_page_in_room_order_and_a_co_owner_change_counts(session, block):
    manager, steward = block["manager"], block["steward"]
    unit_rooms = [factories.room(session, session.get(Unit, block["rooms"][0].unit_id), number=f"{n}02", floor=n)
                  for n in (3, 1, 2)]  # created out of order
    for n, room in enumerate(block["rooms"] + unit_rooms):
        owner_services.create_owner(session, actor=manager, room_id=room.id, share="50",
                                    data=owner_services.OwnerInput(name=f"共有{n}", phones=[f"1370000000{n}"]))
    co_owner = owner_services.create_owner(session, actor=manager, room_id=unit_rooms[1].id, share="50",
                                           data=owner_services.OwnerInput(name="共有人", phones=["13800000009"]))
    census.open_quarter(session, actor=manager, community_id=block["community"].id, quarter="2026Q4")
    pages = [census_queries.tasks(session, steward, PageRequest(page=page, page_size=2),
                                  census_queries.TaskFilter(quarter="2026Q4")).rows for page in (1, 2, 3)]
    codes = [row.room_code for rows in pages for row in rows]
    expected = sorted((r.code for r in block["rooms"] + unit_rooms),
                      key=lambda code: session.exec(select(Room.sort_key).where(Room.code == code)).one())
    assert codes == expected
    task = next(row for rows in pages for row in rows if row.room_code == unit_rooms[1].code)
    owner_services.update_owner(session, actor=steward, owner_id=co_owner.id, expected_version=co_owner.version,
                                data=owner_services.OwnerInput(name="共有人", phones=["13800000010"]))
    census.complete_task(session, actor=steward, task_id=task.id, changed=True)  # the other owner's record changed
