"""An owner registered in another community stays out of reach: no name, no link, no rooms of theirs."""

from datetime import timedelta

import pytest
from sqlmodel import select

from pm_admin.core.clock import local_today
from pm_admin.core.errors import PermissionDenied, ValidationFailed
from pm_admin.owners import queries
from pm_admin.owners.models import Ownership
from pm_admin.owners.services import household as owner_household
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services.owner_input import DuplicateOwner, OwnerInput
from pm_admin.owners.timeline import owner_timeline
from tests.support import factories

ID_ZHANG = "11010519491231002X"


@pytest.fixture
def world(session):
    """Communities A and B; a cs and a manager of A; an owner of B (张三) registered by B's manager."""
    a, _, a_unit, a_room = factories.place_tree(session)
    b, _, b_unit, b_room = factories.place_tree(session)
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(a,)))
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(a,)))
    b_manager = factories.sign_in(session, factories.user(session, "manager", communities=(b,)))
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    zhang = owner_registry.create_owner(session, actor=b_manager, room_id=b_room.id,
                                  data=OwnerInput(name="张三", id_number=ID_ZHANG, phones=["13812345678"]))
    return {"a": a, "a_unit": a_unit, "a_room": a_room, "b": b, "b_unit": b_unit, "b_room": b_room, "cs": cs, "manager": manager,
            "b_manager": b_manager, "admin": admin, "zhang": zhang}


def _texts(error: ValidationFailed) -> str:
    return repr(error.fields)


def test_registering_an_id_number_of_another_community_names_nobody(session, world):
    with pytest.raises(ValidationFailed) as refused:
        owner_registry.create_owner(session, actor=world["cs"], room_id=world["a_room"].id,
                              data=OwnerInput(name="李四", id_number=ID_ZHANG, phones=["13900001111"]))
    assert not isinstance(refused.value, DuplicateOwner)
    assert refused.value.fields == {"id_number": ("import.id_out_of_scope", {})}
    assert "张三" not in _texts(refused.value)
    # Inside B the same ID number is offered as the registered owner.
    b_room2 = factories.room(session, world["b_unit"], number="202")
    with pytest.raises(DuplicateOwner) as offered:
        owner_registry.create_owner(session, actor=world["b_manager"], room_id=b_room2.id,
                              data=OwnerInput(name="张三", id_number=ID_ZHANG, phones=["13812345678"]))
    assert offered.value.existing_id == world["zhang"].id


def test_changing_an_id_number_to_one_of_another_community_names_nobody(session, world):
    mine = owner_registry.create_owner(session, actor=world["cs"], room_id=world["a_room"].id,
                                 data=OwnerInput(name="李四", phones=["13900001111"]))
    with pytest.raises(ValidationFailed) as refused:
        owner_registry.update_owner(session, actor=world["cs"], owner_id=mine.id, expected_version=mine.version,
                              data=OwnerInput(name="李四", id_number=ID_ZHANG))
    assert refused.value.fields == {"id_number": ("import.id_out_of_scope", {})}


def test_an_owner_of_another_community_cannot_be_linked_or_given_a_room(session, world):
    zhang_id = world["zhang"].id
    with pytest.raises(PermissionDenied):
        owner_registry.link_owner_to_room(session, actor=world["cs"], owner_id=zhang_id, room_id=world["a_room"].id)
    previous = owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id,
                                     started_on=local_today() - timedelta(days=30),
                                     data=OwnerInput(name="王五", phones=["13700001234"]))
    with pytest.raises(PermissionDenied):
        owner_registry.change_room_owner(session, actor=world["manager"], room_id=world["a_room"].id,
                                   transfer_date=local_today(), new_owner_id=zhang_id, expected_owner_id=previous.id)
    rows = session.exec(select(Ownership.owner_id, Ownership.ended_on)
                        .where(Ownership.room_id == world["a_room"].id)).all()
    assert rows == [(previous.id, None)]  # nothing ended, nobody linked
    assert queries.owner_profile(session, world["cs"], zhang_id) is None


def test_an_owner_with_rooms_in_two_communities_shows_only_the_viewers_rooms(session, world):
    zhang_id = world["zhang"].id
    owner_registry.link_owner_to_room(session, actor=world["admin"], owner_id=zhang_id, room_id=world["a_room"].id)
    owner_household.add_occupant(session, actor=world["b_manager"], room_id=world["b_room"].id, kind="tenant",
                          name="乙租客", phone="13500002222")
    owner_household.add_occupant(session, actor=world["manager"], room_id=world["a_room"].id, kind="tenant",
                          name="甲租客", phone="13500003333")
    a_code, b_code = world["a_room"].code, world["b_room"].code

    assert [r.room_code for r in queries.owned_rooms(session, world["cs"], zhang_id)] == [a_code]
    history = queries.change_history(session, world["cs"], zhang_id, "zh-CN")
    shown = " ".join(f"{c.old_value} {c.new_value}" for c in history)
    assert a_code in shown and "甲租客" in shown
    assert b_code not in shown and "乙租客" not in shown
    timeline = owner_timeline(session, world["cs"], zhang_id, "zh-CN")
    details = " ".join(item.detail for item in timeline)
    assert a_code in details and b_code not in details and "乙租客" not in details

    # Someone with both communities sees both rooms.
    assert {r.room_code for r in queries.owned_rooms(session, world["admin"], zhang_id)} == {a_code, b_code}
    admin_history = " ".join(c.new_value for c in queries.change_history(session, world["admin"], zhang_id, "zh-CN"))
    assert "乙租客" in admin_history
    # The occupants of B's room stay out of A's view as before.
    assert [o.name for o in queries.occupants(session, world["cs"], zhang_id)] == ["甲租客"]
