"""Place services and queries: validation, scope, concurrency, audit, paging."""

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.errors import ConcurrencyConflict, DomainError, PermissionDenied, ValidationFailed
from pm_admin.core.paging import PageRequest
from pm_admin.core.permissions import SYSTEM
from pm_admin.places import queries, services
from pm_admin.places.models import Room
from tests.support import factories


def fields_of(error: pytest.ExceptionInfo) -> dict[str, str]:
    return {field: key for field, (key, _params) in error.value.fields.items()}


@pytest.fixture
def manager_setup(session):
    mine, b, u, r = factories.place_tree(session)
    other, ob, ou, orr = factories.place_tree(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(mine,)))
    return manager, (mine, b, u, r), (other, ob, ou, orr)


def test_room_validation_messages_per_field(session, manager_setup):
    manager, (_, building, unit, _room), _ = manager_setup
    with pytest.raises(ValidationFailed) as error:
        services.create_room(session, actor=manager, unit_id=unit.id, number="101", floor=building.floors + 1,
                             area="0", occupancy="sold")
    assert fields_of(error) == {"number": "places.room_number_taken", "floor": "error.out_of_range",
                                "area": "error.must_be_positive", "occupancy": "places.occupancy_invalid"}
    for bad_area, key in [("abc", "places.area_invalid"), ("-3", "error.must_be_positive"),
                          ("12.345", "error.decimal_places"), ("NaN", "places.area_invalid"),
                          ("Infinity", "places.area_invalid"), ("99999", "error.out_of_range")]:
        with pytest.raises(ValidationFailed) as error:
            services.create_room(session, actor=manager, unit_id=unit.id, number="102", floor=1, area=bad_area)
        assert fields_of(error)["area"] == key, bad_area


def test_room_numbers_are_unique_inside_a_unit_only(session, manager_setup):
    manager, (_, building, unit, _), _ = manager_setup
    second_unit = factories.unit(session, building, code="2")
    room = services.create_room(session, actor=manager, unit_id=second_unit.id, number="101", floor=1, area="90")
    assert room.code.endswith("-1-2-101")


def test_database_refuses_non_positive_area_even_without_the_service(session, manager_setup):
    _, (community, building, unit, _), _ = manager_setup
    session.add(Room(community_id=community.id, building_id=building.id, unit_id=unit.id, number="999",
                     code="X-999", floor=1, area=Decimal("0")))
    with pytest.raises(IntegrityError):
        session.flush()


def test_manager_cannot_touch_another_community(session, manager_setup):
    manager, _, (other, other_building, other_unit, other_room) = manager_setup
    with pytest.raises(PermissionDenied):
        services.create_room(session, actor=manager, unit_id=other_unit.id, number="201", floor=2, area="80")
    with pytest.raises(PermissionDenied):
        services.update_room(session, actor=manager, room_id=other_room.id, expected_version=other_room.version,
                             number="101", floor=1, area="70", layout="", occupancy="vacant")
    with pytest.raises(PermissionDenied):
        services.create_building(session, actor=manager, community_id=other.id, code="9", name="9栋", floors=5)
    assert session.get(Room, other_room.id).area == Decimal("88.50")


def test_roles_without_manage_permission_are_refused(session, manager_setup):
    _, (community, _, unit, _), _ = manager_setup
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(community,)))
    with pytest.raises(PermissionDenied):
        services.create_room(session, actor=cs, unit_id=unit.id, number="301", floor=3, area="80")
    with pytest.raises(PermissionDenied):
        services.create_community(session, actor=cs, code="ZZ", name="偷偷建的小区")


def test_update_writes_an_audit_diff(session, manager_setup):
    manager, (community, _, _, room), _ = manager_setup
    services.update_room(session, actor=manager, room_id=room.id, expected_version=room.version, number="101",
                         floor=1, area="95.00", layout="3室2厅", occupancy="rented")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "room.update")).one()
    assert event.community_id == community.id and event.actor_user_id == manager.user_id
    assert event.changes == {"area": ["88.50", "95.00"], "occupancy": ["owner_occupied", "rented"]}


def test_stale_version_is_refused_with_the_current_values(session, manager_setup):
    manager, _, _ = manager_setup
    _, _, _, room = manager_setup[1]
    first_version = room.version
    services.update_room(session, actor=manager, room_id=room.id, expected_version=first_version, number="101",
                         floor=1, area="91", layout="", occupancy="vacant")
    with pytest.raises(ConcurrencyConflict) as conflict:
        services.update_room(session, actor=manager, room_id=room.id, expected_version=first_version,
                             number="101", floor=1, area="92", layout="", occupancy="vacant")
    assert conflict.value.current["area"] == "91.00"


def test_two_sessions_saving_the_same_row_cannot_both_win(engine):
    """The version column guards the UPDATE itself, not just the check before it."""
    with Session(engine) as setup:
        places = [(type(row), row.id) for row in factories.place_tree(setup)]
        setup.commit()
        room_id = places[3][1]
    try:
        with Session(engine) as first, Session(engine) as second:
            a, b = first.get(Room, room_id), second.get(Room, room_id)
            a.layout, b.layout = "first", "second"
            first.commit()
            with pytest.raises(StaleDataError):
                second.commit()
        with Session(engine) as check:
            assert check.get(Room, room_id).layout == "first"
    finally:
        with Session(engine) as cleanup:  # committed rows would leak into other tests
            for model, row_id in reversed(places):
                cleanup.delete(cleanup.get(model, row_id))
                cleanup.flush()
            cleanup.commit()


def test_lists_only_show_the_principal_scope(session, manager_setup):
    manager, (mine, _, _, _), (other, _, _, _) = manager_setup
    rooms = queries.list_rooms(session, manager, PageRequest(page_size=200), queries.RoomFilter())
    assert {row.community_id for row in rooms.rows} == {mine.id}
    asked_for_other = queries.list_rooms(session, manager, PageRequest(), queries.RoomFilter(community_id=other.id))
    assert asked_for_other.total == 0 and asked_for_other.rows == []
    assert queries.building_options(session, manager, other.id) == []
    assert [c.id for c in queries.list_communities(session, manager, PageRequest()).rows] == [mine.id]


def test_room_list_pages_sorts_and_filters_in_sql(session):
    community, building, unit, _ = factories.place_tree(session)
    for floor in range(2, 14):
        factories.room(session, unit, number=f"{floor}01", floor=floor, area=f"{60 + floor}.00")
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    scoped = queries.RoomFilter(community_id=community.id)
    page = queries.list_rooms(session, admin, PageRequest(page=2, page_size=5), scoped)
    assert page.total == 13 and page.pages == 3 and len(page.rows) == 5
    assert [r.floor for r in page.rows] == [6, 7, 8, 9, 10]
    by_area = queries.list_rooms(session, admin, PageRequest(page_size=3, sort="area", descending=True), scoped)
    assert [r.area for r in by_area.rows] == ["88.50", "73.00", "72.00"]
    found = queries.list_rooms(session, admin, PageRequest(), queries.RoomFilter(search=f"{community.code}-1-1-1201"))
    assert [r.number for r in found.rows] == ["1201"]
    injected = queries.list_rooms(session, admin, PageRequest(sort="area; DROP TABLE room"), scoped)
    assert injected.total == 13


def test_manager_home_totals_follow_scope_and_header_selection(session, manager_setup):
    _, (mine, _, _, _), _ = manager_setup
    second = factories.community(session)
    factories.place_tree(session)
    account = factories.user(session, "manager", communities=(mine, second))
    both = factories.sign_in(session, account)
    assert queries.place_totals(session, both).communities == 2
    only_mine = factories.sign_in(session, account, current_community_id=mine.id)
    totals = queries.place_totals(session, only_mine)
    assert (totals.communities, totals.rooms) == (1, 1)


def test_an_inactive_community_keeps_its_rooms_but_takes_no_new_places(session, manager_setup):
    _, (community, building, unit, _room), _ = manager_setup
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    services.update_community(session, actor=admin, community_id=community.id, expected_version=community.version,
                              name=community.name, address=community.address, is_active=False)
    for create in (lambda: services.create_building(session, actor=admin, community_id=community.id, code="9",
                                                    name="9栋", floors=18),
                   lambda: services.create_unit(session, actor=admin, building_id=building.id, code="9", name="9单元"),
                   lambda: services.create_room(session, actor=admin, unit_id=unit.id, number="909", floor=9,
                                                area="90")):
        with pytest.raises(DomainError) as refused:
            create()
        assert refused.value.key == "places.community_inactive"
    assert session.exec(select(Room).where(Room.unit_id == unit.id)).all()  # nothing already there is lost


def test_building_pickers_read_as_people_do(session):
    """2栋 before 10栋 (issue 17): the codes are text, which SQL would sort "10" first."""
    community = factories.community(session)
    for code in ("10", "2", "1", "B"):
        factories.building(session, community, code=code)
    labels = [name for _, name in queries.building_options(session, SYSTEM, community.id)]
    assert labels == ["1栋", "2栋", "10栋", "B栋"]
