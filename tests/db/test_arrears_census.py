"""Arrears follow-up every 15 days for rooms over a month behind; quarterly census per household."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.arrears import queries, services
from pm_admin.arrears.models import ArrearsCase, FollowUp
from pm_admin.arrears.services import FollowUpInput, one_month_before
from pm_admin.billing.models import RoomArrears
from pm_admin.census import queries as census_queries
from pm_admin.census import services as census
from pm_admin.census.models import CensusTask
from pm_admin.core.audit import AuditEvent
from pm_admin.core.db import make_engine
from pm_admin.core.errors import ConcurrencyConflict, PermissionDenied, ValidationFailed
from pm_admin.core.i18n import translate
from pm_admin.core.paging import PageRequest
from pm_admin.owners.models import Owner
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.places.models import Room, Unit
from pm_admin.places.services import assign_steward, set_household_work_role
from pm_admin.tickets.models import TicketCategory
from pm_admin.tickets.services import registration
from pm_admin.tickets.services.registration import TicketInput
from tests.conftest import BACKENDS, database_url
from tests.support import factories
from tests.support.database import upgrade

TODAY = date(2026, 11, 25)


@pytest.fixture
def block(session):
    """A community that gives its household work to the stewards (the option; ``test_household_work`` has the
    cs default)."""
    community, building, unit, room = factories.place_tree(session)
    rooms = [room] + [factories.room(session, unit, number=f"{n}01", floor=n) for n in (2, 3)]
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    set_household_work_role(session, actor=manager, community_id=community.id, expected_version=community.version,
                            role="steward")
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
    assert session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).all() == []  # 20 days: no case
    services.sync_cases(session, today=TODAY + timedelta(days=15))  # now 35 days behind
    case = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).one()
    day = TODAY + timedelta(days=15)
    assert (case.opened_on, case.next_due_on, case.assignee_id) == (day, day + timedelta(days=15), steward.user_id)
    follow = FollowUpInput(channel="phone", result="业主承诺月底缴清", reason_category="forgot",
                           promise_date=(day + timedelta(days=5)).isoformat(), done_on=day.isoformat())
    services.log_follow_up(session, actor=steward, case_id=case.id, data=follow, today=day)
    assert case.next_due_on == day + timedelta(days=15)
    mine = queries.CaseFilter(overdue_only=True, mine=True)
    assert queries.cases(session, steward, PageRequest(), mine, today=day + timedelta(days=15)).total == 0
    late = queries.cases(session, steward, PageRequest(), mine, today=day + timedelta(days=16))
    assert [(r.room_code, r.overdue_days) for r in late.rows] == [(room.code, 1)]
    assert queries.coverage_on(session, steward, day + timedelta(days=10)).percent == 100.0
    assert queries.coverage_on(session, steward, day + timedelta(days=16)).percent == 0.0


def test_clearing_the_balance_closes_the_case(session, block):
    manager, room = block["manager"], block["rooms"][1]
    balance = services.set_arrears(session, actor=manager, room_id=room.id, amount="800",
                                   since=TODAY - timedelta(days=70), today=TODAY)
    case = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).one()
    services.set_arrears(session, actor=manager, room_id=room.id, amount="0", since=TODAY - timedelta(days=70),
                         expected_version=balance.version, today=TODAY)
    assert case.status == "closed" and case.closed_on == TODAY
    actions = session.exec(select(AuditEvent.action, AuditEvent.changes).where(
        AuditEvent.entity_type == "room", AuditEvent.entity_id == str(room.id),
        col(AuditEvent.action).like("arrears.case_%")).order_by(AuditEvent.id)).all()
    assert [(a, c["case_id"], c.get("reason")) for a, c in actions] == [
        ("arrears.case_open", case.id, None), ("arrears.case_close", case.id, "paid")]


def test_moving_since_to_within_the_month_closes_the_case(session, block):
    manager, room = block["manager"], block["rooms"][0]
    balance = services.set_arrears(session, actor=manager, room_id=room.id, amount="600",
                                   since=TODAY - timedelta(days=45), today=TODAY)
    case = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).one()
    services.set_arrears(session, actor=manager, room_id=room.id, amount="600", since=TODAY - timedelta(days=10),
                         expected_version=balance.version, today=TODAY)  # the old part was paid
    assert (case.status, case.closed_on) == ("closed", TODAY)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "arrears.case_close",
                                                  AuditEvent.entity_id == str(room.id))).one()
    assert event.changes["reason"] == "within_a_month"
    # The daily job closes one too when the balance changed behind its back (an import of an older version).
    services.set_arrears(session, actor=manager, room_id=room.id, amount="600", since=TODAY - timedelta(days=45),
                         expected_version=balance.version, today=TODAY)
    reopened = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id,
                                                      ArrearsCase.status == "open")).one()
    session.execute(sa.update(RoomArrears).where(RoomArrears.room_id == room.id)
                    .values(since=TODAY - timedelta(days=3)))
    assert services.sync_cases(session, today=TODAY) == 1
    session.refresh(reopened)
    assert reopened.status == "closed"


def test_concurrent_balance_edits_are_refused_with_the_current_figures(session, block):
    manager, room = block["manager"], block["rooms"][1]
    first = services.set_arrears(session, actor=manager, room_id=room.id, amount="300", since=TODAY - timedelta(days=5),
                                 today=TODAY)
    seen = first.version
    services.set_arrears(session, actor=manager, room_id=room.id, amount="350", since=TODAY - timedelta(days=5),
                         expected_version=seen, today=TODAY)
    with pytest.raises(ConcurrencyConflict) as conflict:  # the second editor started from the same figures
        services.set_arrears(session, actor=manager, room_id=room.id, amount="0", since=TODAY - timedelta(days=5),
                             expected_version=seen, today=TODAY)
    assert conflict.value.current == {"amount": "350.00", "since": (TODAY - timedelta(days=5)).isoformat(),
                                      "version": seen + 1}
    with pytest.raises(ConcurrencyConflict):  # "new balance" typed for a room that has one
        services.set_arrears(session, actor=manager, room_id=room.id, amount="10", since=TODAY, today=TODAY)
    assert session.get(RoomArrears, room.id).amount == Decimal("350.00")


def test_one_open_case_per_room_even_when_two_open_it_at_once(engine):
    with Session(engine, expire_on_commit=False) as session:
        community, _, _, room = factories.place_tree(session)
        manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
        session.add(RoomArrears(room_id=room.id, community_id=community.id, amount=Decimal("900"),
                                since=TODAY - timedelta(days=60)))
        session.commit()
    with Session(engine, expire_on_commit=False) as slow, Session(engine, expire_on_commit=False) as quick:
        slow_room = slow.get(Room, room.id)  # both see no open case yet
        assert slow.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).first() is None
        services.sync_room(quick, quick.get(Room, room.id), TODAY, manager)
        quick.commit()
        twin = services._open_case(slow, slow_room, TODAY, manager)  # the insert meets the committed case
        slow.commit()
    with Session(engine) as session:
        cases = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).all()
        assert [c.id for c in cases] == [twin.id] and cases[0].status == "open"
        opened = session.exec(select(AuditEvent).where(AuditEvent.action == "arrears.case_open",
                                                       AuditEvent.entity_id == str(room.id))).all()
        assert len(opened) == 1  # the loser opened nothing, so it audited nothing
        session.add(ArrearsCase(room_id=room.id, community_id=community.id, building_id=room.building_id,
                                opened_on=TODAY, next_due_on=TODAY))
        with pytest.raises(sa.exc.IntegrityError):  # the database itself refuses a second open case
            session.commit()
        session.rollback()
        for case in session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id)).all():
            case.status = "closed"  # closed cases are history: any number of them
            session.add(case)
        session.add(ArrearsCase(room_id=room.id, community_id=community.id, building_id=room.building_id,
                                opened_on=TODAY, next_due_on=TODAY, status="closed"))
        session.get(RoomArrears, room.id).amount = Decimal(0)  # settled: no later daily job reopens it
        session.commit()


def test_a_managers_sync_touches_only_their_communities(session, block):
    other_community, _, _, other_room = factories.place_tree(session)
    for community, room in ((block["community"], block["rooms"][2]), (other_community, other_room)):
        session.add(RoomArrears(room_id=room.id, community_id=community.id, amount=Decimal("700"),
                                since=TODAY - timedelta(days=50)))
    session.flush()
    assert services.sync_cases(session, actor=block["manager"], today=TODAY) == 1
    opened = {c.room_id for c in session.exec(select(ArrearsCase).where(ArrearsCase.status == "open")).all()}
    assert block["rooms"][2].id in opened and other_room.id not in opened
    with pytest.raises(PermissionDenied):
        services.sync_cases(session, actor=block["steward"], today=TODAY)


def test_a_new_case_is_due_for_15_days_and_not_covered_until_followed_up(session, block):
    manager, room = block["manager"], block["rooms"][0]
    services.set_arrears(session, actor=manager, room_id=room.id, amount="1000", since=TODAY - timedelta(days=40),
                         today=TODAY)
    mine = block["community"].id
    for day, due, overdue in ((TODAY, 1, 0), (TODAY + timedelta(days=15), 1, 0), (TODAY + timedelta(days=16), 0, 1)):
        figure = queries.coverage_on(session, manager, day, community_id=mine)
        assert (figure.open_cases, figure.covered, figure.due, figure.overdue, figure.percent) == (
            1, 0, due, overdue, 0.0), day  # never 100 % before anyone called
        late = queries.cases(session, manager, PageRequest(), queries.CaseFilter(overdue_only=True), today=day)
        assert late.total == overdue  # the case list's "overdue" is the figure's


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
    dispute = registration.create_ticket(session, actor=manager, data=TicketInput(
        kind="complaint", category_id=session.exec(select(TicketCategory.id).where(TicketCategory.code == "elevator"))
        .one(), tier="normal", channel="hotline", title="电梯维修后仍异响", room_id=room.id))
    services.log_follow_up(session, actor=manager, case_id=case.id, today=TODAY, data=FollowUpInput(
        channel="visit", result="业主对电梯维修不满", reason_category="service_dispute",
        ticket_code=dispute.code.lower()))
    latest = queries.follow_ups(session, manager, case.id)[0]
    assert (latest.ticket_code, latest.ticket_id) == (dispute.code, dispute.id)
    neighbour = registration.create_ticket(session, actor=manager, data=TicketInput(
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
    assert [translate(services.COLUMN_LABELS[column], "zh-CN") for _, column, _, _ in result.errors] == ["房号", "欠费金额 (元)"]
    block_cases = select(ArrearsCase).where(col(ArrearsCase.room_id).in_([r.id for r in rooms]))
    assert result.written == 0 and session.exec(block_cases).all() == []
    good = f"房号,欠费金额,欠费起始日期\n{rooms[0].code},1200,2026/08/01\n{rooms[1].code},300,2026-11-20\n"
    result = services.import_arrears(session, actor=manager, filename="a.csv", data=good.encode(), commit=True, today=TODAY)
    assert result.written == 2
    assert [c.room_id for c in session.exec(block_cases).all()] == [rooms[0].id]  # only the one > 1 month


def test_census_tasks_go_to_the_building_steward_and_changes_flow_into_owner_history(session, block):
    manager, steward, rooms = block["manager"], block["steward"], block["rooms"]
    owners = [owner_registry.create_owner(session, actor=manager, room_id=room.id, data=owner_input.OwnerInput(
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
    owner_registry.update_owner(session, actor=steward, owner_id=owner.id, expected_version=owner.version,
                                data=owner_input.OwnerInput(name=owner.name, phones=["13999999999"]))
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
        owner_registry.create_owner(session, actor=manager, room_id=room.id,
                                    data=owner_input.OwnerInput(name=f"住户{n}", phones=[f"1360000000{n}"]))
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
        owner_registry.create_owner(session, actor=manager, room_id=room.id, share="50",
                                    data=owner_input.OwnerInput(name=f"共有{n}", phones=[f"1370000000{n}"]))
    co_owner = owner_registry.create_owner(session, actor=manager, room_id=unit_rooms[1].id, share="50",
                                           data=owner_input.OwnerInput(name="共有人", phones=["13800000009"]))
    census.open_quarter(session, actor=manager, community_id=block["community"].id, quarter="2026Q4")
    pages = [census_queries.tasks(session, steward, PageRequest(page=page, page_size=2),
                                  census_queries.TaskFilter(quarter="2026Q4")).rows for page in (1, 2, 3)]
    codes = [row.room_code for rows in pages for row in rows]
    expected = sorted((r.code for r in block["rooms"] + unit_rooms),
                      key=lambda code: session.exec(select(Room.sort_key).where(Room.code == code)).one())
    assert codes == expected
    task = next(row for rows in pages for row in rows if row.room_code == unit_rooms[1].code)
    owner_registry.update_owner(session, actor=steward, owner_id=co_owner.id, expected_version=co_owner.version,
                                data=owner_input.OwnerInput(name="共有人", phones=["13800000010"]))
    census.complete_task(session, actor=steward, task_id=task.id, changed=True)  # the other owner's record changed


# Raw SQL gets typed parameters: SQLAlchemy then writes the dates itself (sqlite3's own date adapter is deprecated).
TYPED_DAYS = (sa.bindparam("day", type_=sa.Date()), sa.bindparam("now", type_=sa.DateTime(timezone=True)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_merges_twin_open_cases_before_the_unique_index(backend, postgres, tmp_path_factory):
    url = database_url(backend, "pm_arrears_twins", postgres, tmp_path_factory)
    upgrade(url, "0009")
    engine = make_engine(url)
    with engine.begin() as connection:
        community_id, building_id, room_id = factories.place_tree_sql(connection, "TW1")
        for _twin in range(2):  # what two page loads at once used to leave
            connection.execute(sa.text(
                "INSERT INTO arrears_case (room_id, community_id, building_id, status, opened_on, next_due_on, created_at)"
                " VALUES (:room, :community, :building, 'open', :day, :day, :now)").bindparams(*TYPED_DAYS),
                {"room": room_id, "community": community_id, "building": building_id, "day": TODAY, "now": TODAY})
        twin = connection.execute(sa.text("SELECT max(id) FROM arrears_case WHERE room_id = :room"),
                                  {"room": room_id}).scalar()
        connection.execute(sa.text(
            "INSERT INTO arrears_follow_up (case_id, done_on, channel, result, reason_category, ticket_code, actor_name,"
            " created_at) VALUES (:case, :day, 'phone', '已提醒', 'forgot', '', 'x', :now)").bindparams(*TYPED_DAYS),
            {"case": twin, "day": TODAY + timedelta(days=2), "now": TODAY})
    upgrade(url)
    with Session(engine) as session:
        cases = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room_id).order_by(ArrearsCase.id)).all()
        assert [c.status for c in cases] == ["open", "closed"]
        assert (cases[0].last_follow_up_on, cases[0].next_due_on) == (TODAY + timedelta(days=2), TODAY + timedelta(days=17))
        assert [f.case_id for f in session.exec(select(FollowUp)).all()] == [cases[0].id]
    engine.dispose()


def test_census_results_go_on_the_owner_timeline_with_the_note_and_what_changed(session, block):
    from pm_admin.owners.timeline import owner_timeline

    manager, steward, rooms = block["manager"], block["steward"], block["rooms"]
    owners = [owner_registry.create_owner(session, actor=manager, room_id=room.id, data=owner_input.OwnerInput(
        name=f"普查{n}", phones=[f"1350000000{n}"])) for n, room in enumerate(rooms[:2])]
    census.open_quarter(session, actor=manager, community_id=block["community"].id, quarter="2026Q4")
    tasks = {t.owner_id: t for t in census_queries.tasks(session, steward, PageRequest(),
                                                         census_queries.TaskFilter(quarter="2026Q4")).rows}
    quiet, moved = owners
    census.complete_task(session, actor=steward, task_id=tasks[quiet.id].id, changed=False, note=" 电话核实 ",
                         expected_version=tasks[quiet.id].version)
    owner_registry.update_owner(session, actor=steward, owner_id=moved.id, expected_version=moved.version,
                                data=owner_input.OwnerInput(name=moved.name, phones=["13912345678"],
                                                               address="新地址 8 号"))
    census.complete_task(session, actor=steward, task_id=tasks[moved.id].id, changed=True, note="业主换了号码")

    [confirmed] = [i for i in owner_timeline(session, manager, quiet.id, "zh-CN") if i.kind == "census"]
    assert confirmed.title_key == "timeline.census_confirmed"
    assert confirmed.detail == f"{rooms[0].code} · 2026年第4季度 · 电话核实 · {steward.username}"
    [changed] = [i for i in owner_timeline(session, manager, moved.id, "en") if i.kind == "census"]
    assert changed.title_key == "timeline.census_changed"
    assert "changed: " in changed.detail and "业主换了号码" in changed.detail
    assert session.get(CensusTask, tasks[moved.id].id).changed_fields.split(",") == ["address", "phones"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "census.complete",
                                                  AuditEvent.entity_id == str(rooms[1].id))).one()
    assert event.changes["changed"] == ["address", "phones"] and event.changes["note"] == "业主换了号码"
    # A reader without census work sees no census items (the timeline source checks the permission).
    archivist = factories.sign_in(session, factories.user(session, "archivist", communities=(block["community"],)))
    assert [i for i in owner_timeline(session, archivist, quiet.id, "zh-CN") if i.kind == "census"] == []


def test_of_two_people_completing_one_task_at_once_the_second_is_told(engine):
    with Session(engine, expire_on_commit=False) as session:
        community, building, _, room = factories.place_tree(session)
        manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
        steward = factories.sign_in(session, factories.user(session, "steward", communities=(community,)))
        # The task alone (no ownership): this test commits, and other tests count the households of the database.
        owner = Owner(name="并发")
        session.add(owner)
        session.flush()
        task = CensusTask(quarter="2026Q4", room_id=room.id, community_id=community.id, building_id=building.id,
                          owner_id=owner.id)
        session.add(task)
        session.commit()
        task_id = task.id
    with Session(engine, expire_on_commit=False) as slow, Session(engine, expire_on_commit=False) as quick:
        seen = slow.get(CensusTask, task_id)  # both have the task on screen, pending
        assert seen.status == "pending"
        census.complete_task(quick, actor=manager, task_id=task_id, changed=False, note="经理上门核实",
                             expected_version=1)
        quick.commit()
        with pytest.raises(ValidationFailed) as refused:
            census.complete_task(slow, actor=steward, task_id=task_id, changed=False, note="管家电话核实",
                                 expected_version=1)
        assert refused.value.fields["note"] == ("census.already_done_by", {"name": manager.username})
        slow.rollback()
    with Session(engine) as session:
        stored = session.get(CensusTask, task_id)
        assert (stored.note, stored.completed_by, stored.version) == ("经理上门核实", manager.username, 2)


def test_dates_are_shanghai_dates_between_midnight_and_eight(session, block, monkeypatch):
    """01:30 on 1 January in Shanghai is still 31 December on a UTC host: the company's day counts."""
    from datetime import UTC, datetime

    from pm_admin.archives.services import catalog as archive_catalog
    from pm_admin.archives.services import entries as archive_entries
    from pm_admin.core import clock

    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 31, 17, 30, tzinfo=UTC))
    new_year = date(2027, 1, 1)
    manager, rooms = block["manager"], block["rooms"]
    owner_registry.create_owner(session, actor=manager, room_id=rooms[0].id,
                                data=owner_input.OwnerInput(name="元旦", phones=["13600000123"]))
    assert census.open_current_quarters(session) >= 1
    assert session.exec(select(CensusTask.quarter).where(CensusTask.room_id == rooms[0].id)).one() == "2027Q1"
    # Today's date is not "in the future": a balance since today, a document dated today.
    balance = services.set_arrears(session, actor=manager, room_id=rooms[1].id, amount="50", since=new_year)
    assert balance.since == new_year
    archivist = factories.sign_in(session, factories.user(session, "archivist", communities=(block["community"],)))
    archive = archive_catalog.ensure_archive(session, actor=archivist, room_id=rooms[0].id)
    entry = archive_entries.add_entry(session, actor=archivist, archive_id=archive.id,
                               data=archive_entries.EntryInput(doc_type="convention", doc_date=new_year.isoformat()))
    assert entry.doc_date == new_year
    with pytest.raises(ValidationFailed):  # the next day is
        services.set_arrears(session, actor=manager, room_id=rooms[2].id, amount="50", since=date(2027, 1, 2))
    # A case opened by the job carries the Shanghai date, and is due that day.
    session.add(RoomArrears(room_id=rooms[2].id, community_id=block["community"].id, amount=Decimal("99"),
                            since=date(2026, 11, 1)))
    session.flush()
    services.sync_cases(session)
    case = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == rooms[2].id)).one()
    assert (case.opened_on, case.next_due_on) == (new_year, new_year + timedelta(days=15))
    assert queries.coverage_on(session, manager, clock.local_today(), community_id=block["community"].id).due == 1


# ---------------------------------------------------------------- coverage on a day (issue 11 item 10)

D = date(2026, 11, 30)  # a period's end: the window is 15 … 30 November


def hand_made_case(session, room, opened: date, *, closed: date | None = None, follow_ups=()) -> ArrearsCase:
    case = ArrearsCase(room_id=room.id, community_id=room.community_id, building_id=room.building_id,
                       opened_on=opened, next_due_on=opened + timedelta(days=15), closed_on=closed,
                       status="closed" if closed else "open")
    session.add(case)
    session.flush()
    session.add_all([FollowUp(case_id=case.id, done_on=day, channel="phone", result="已提醒", reason_category="forgot")
                     for day in follow_ups])
    session.flush()
    return case


@pytest.fixture
def ledger(session):
    """Nine hand-made cases of one community, each on its own room; the expected figure at D beside each."""
    community, _, unit, first = factories.place_tree(session)
    rooms = [first] + [factories.room(session, unit, number=f"{n}01", floor=n) for n in range(2, 10)]
    october = date(2026, 10, 1)
    cases = {
        "covered_at_window_start": hand_made_case(session, rooms[0], october, follow_ups=[date(2026, 11, 15)]),
        "overdue_a_day_before": hand_made_case(session, rooms[1], october, follow_ups=[date(2026, 11, 14)]),
        "due_opened_at_window_start": hand_made_case(session, rooms[2], date(2026, 11, 15)),
        "overdue_opened_a_day_before": hand_made_case(session, rooms[3], date(2026, 11, 14)),
        "covered_on_d": hand_made_case(session, rooms[4], date(2026, 11, 20), follow_ups=[D]),
        "closed_before_d": hand_made_case(session, rooms[5], october, closed=D - timedelta(days=1)),
        "closed_on_d_still_open": hand_made_case(session, rooms[6], october, closed=D,
                                                 follow_ups=[D + timedelta(days=1)]),
        "opened_after_d": hand_made_case(session, rooms[7], D + timedelta(days=1)),
        "followed_up_only_after_d": hand_made_case(session, rooms[8], october, follow_ups=[D + timedelta(days=2)]),
    }
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    return {"community": community, "rooms": rooms, "cases": cases, "manager": manager}


def test_coverage_on_a_day_counts_covered_due_and_overdue_by_the_follow_up_dates(session, ledger):
    figure = queries.coverage_on(session, ledger["manager"], D)
    # open: all but the case closed the day before and the one opened after; covered: the two with a follow-up
    # on 15–30 November; due: opened on 15 November; overdue: the other four.
    assert (figure.open_cases, figure.covered, figure.due, figure.overdue) == (7, 2, 1, 4)
    assert figure.percent == pytest.approx(100 * 2 / 7)
    assert queries.coverage_on(session, ledger["manager"], D, community_id=ledger["community"].id) == figure


def test_a_past_days_coverage_does_not_change_when_later_follow_ups_are_logged(session, ledger):
    manager = ledger["manager"]
    before = queries.coverage_on(session, manager, D)
    late = ledger["cases"]["overdue_a_day_before"]
    services.log_follow_up(session, actor=manager, case_id=late.id, today=D + timedelta(days=5), data=FollowUpInput(
        channel="visit", result="上门提醒", reason_category="forgot", done_on=(D + timedelta(days=5)).isoformat()))
    assert queries.coverage_on(session, manager, D) == before
    after = queries.coverage_on(session, manager, D + timedelta(days=5))  # window 20 November … 5 December
    # Open: the case closed on D is gone, the one opened on 1 December came; covered: the new call, the calls of
    # 30 November and 2 December (the one of 15 November is now too old).
    assert (after.open_cases, after.covered, after.due, after.overdue) == (7, 3, 1, 3)


def test_a_community_whose_cases_nobody_called_shows_zero_and_an_empty_one_none(session):
    community, _, unit, first = factories.place_tree(session)
    hand_made_case(session, first, D - timedelta(days=1))
    hand_made_case(session, factories.room(session, unit, number="201", floor=2), D)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    figure = queries.coverage_on(session, manager, D)
    assert (figure.open_cases, figure.covered, figure.due, figure.overdue, figure.percent) == (2, 0, 2, 0, 0.0)
    empty = factories.sign_in(session, factories.user(session, "manager", communities=(factories.community(session),)))
    assert queries.coverage_on(session, empty, D).percent is None


def test_coverage_keeps_to_the_readers_communities(session, ledger):
    other, _, _, room = factories.place_tree(session)
    hand_made_case(session, room, D, follow_ups=[D])
    mine = ledger["community"].id
    assert queries.coverage_on(session, ledger["manager"], D).open_cases == 7  # not the other community's case
    with pytest.raises(PermissionDenied):
        queries.coverage_on(session, ledger["manager"], D, community_id=other.id)
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    assert (queries.coverage_on(session, executive, D, community_id=other.id).covered,
            queries.coverage_on(session, executive, D, community_id=mine).open_cases) == (1, 7)
    both = factories.user(session, "manager", communities=(ledger["community"], other))
    switched = factories.sign_in(session, both, current_community_id=other.id)  # the header's community switcher
    assert queries.coverage_on(session, switched, D).open_cases == 1
    technician = factories.sign_in(session, factories.user(session, "technician", communities=(other,)))
    with pytest.raises(PermissionDenied):
        queries.coverage_on(session, technician, D)
