"""Owner registry services and queries on SQLite and PostgreSQL."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from pm_admin.billing.models import RoomArrears
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_today
from pm_admin.core.errors import ConcurrencyConflict, PermissionDenied, ValidationFailed
from pm_admin.core.paging import PageRequest
from pm_admin.owners import queries
from pm_admin.owners.models import Occupant, OwnerChange, OwnerPhone, Ownership
from pm_admin.owners.services import bulk as owner_bulk
from pm_admin.owners.services import household as owner_household
from pm_admin.owners.services import records as owner_records
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services import reveal as owner_reveal
from pm_admin.owners.services.owner_input import DuplicateOwner, OwnerInput
from pm_admin.owners.timeline import owner_timeline
from tests.support import factories

ID_ZHANG = "11010519491231002X"
ID_OTHER = "411422195204273095"  # born 1952-04-27 (the number of the attack report)
ID_CHILD = "320106198002291230"


def person(name="张三", id_number=ID_ZHANG, phone="13812345678", **extra) -> OwnerInput:
    return OwnerInput(name=name, id_number=id_number, phones=[phone], **extra)


@pytest.fixture
def world(session):
    """Two communities; a manager and a cs of the first, a manager of the second."""
    a, a_building, a_unit, a_room = factories.place_tree(session)
    b, _, b_unit, b_room = factories.place_tree(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(a,)))
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(a,)))
    other = factories.sign_in(session, factories.user(session, "manager", communities=(b,)))
    return {"a": a, "a_building": a_building, "a_unit": a_unit, "a_room": a_room, "b": b, "b_room": b_room,
            "manager": manager, "cs": cs, "other": other}


def grid(session, principal, **filters):
    return queries.owner_grid(session, principal, PageRequest(page_size=50), queries.OwnerFilter(**filters))


def test_create_owner_stores_personal_data_only_encrypted(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    assert owner.id_number_enc and ID_ZHANG not in owner.id_number_enc and "110105" not in owner.id_number_enc
    phone = session.exec(select(OwnerPhone).where(OwnerPhone.owner_id == owner.id)).one()
    assert "13812345678" not in phone.phone_enc and "5678" not in phone.phone_index
    assert owner.birth_date == date(1949, 12, 31) and owner.gender == "female"
    assert (owner.name_pinyin, owner.name_initials) == ("zhangsan", "zs")


def test_invalid_fields_are_reported_together(session, world):
    with pytest.raises(ValidationFailed) as error:
        owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id,
                              data=OwnerInput(name="", id_number="110105194912310021", phones=["12345"],
                                              tags=["x" * 20]))
    assert {f: k for f, (k, _) in error.value.fields.items()} == {
        "name": "error.required", "id_number": "owners.id_check_digit", "phone": "owners.phone_invalid",
        "tags": "owners.tag_too_long"}


def test_same_id_number_twice_offers_the_existing_owner(session, world):
    first = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    second_room = factories.room(session, world["a_unit"], number="102")
    with pytest.raises(DuplicateOwner) as duplicate:
        owner_registry.create_owner(session, actor=world["manager"], data=person(name="张三"), room_id=second_room.id)
    assert duplicate.value.existing_id == first.id
    owner_registry.link_owner_to_room(session, actor=world["manager"], owner_id=first.id, room_id=second_room.id)
    rooms = {r.room_code for r in queries.owned_rooms(session, world["manager"], first.id)}
    assert rooms == {world["a_room"].code, second_room.code}


def test_shares_of_a_room_cannot_exceed_100(session, world):
    owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id, share="60")
    with pytest.raises(ValidationFailed) as error:
        owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id, share="50",
                              data=person(name="李四", id_number="", phone="13900001111"))
    assert error.value.fields["share"] == ("owners.share_exceeds", {"free": "40.00"})
    owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id, share="40",
                          data=person(name="李四", id_number="", phone="13900001111"))


def test_scope_and_permissions_are_enforced(session, world):
    with pytest.raises(PermissionDenied):
        owner_registry.create_owner(session, actor=world["other"], data=person(), room_id=world["a_room"].id)
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    with pytest.raises(PermissionDenied):
        owner_registry.update_owner(session, actor=world["other"], owner_id=owner.id, expected_version=owner.version,
                              data=person(name="改名"))
    with pytest.raises(PermissionDenied):
        owner_bulk.bulk_set_vip(session, actor=world["other"], owner_ids=[owner.id], is_vip=True)
    assert queries.owner_profile(session, world["other"], owner.id) is None
    assert grid(session, world["other"]).total == 0


def test_update_records_masked_history_and_keeps_blank_pii(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    owner_registry.update_owner(session, actor=world["cs"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="张三", phones=["13987654321"], address="新地址"))
    profile = queries.owner_profile(session, world["cs"], owner.id)
    assert profile.phones == ["139****4321"] and profile.id_number == "1101**********002X"
    changes = {c.field: c for c in queries.change_history(session, world["cs"], owner.id, "zh-CN")}
    assert changes["phones"].old_value == "138****5678" and changes["phones"].new_value == "139****4321"
    assert changes["phones"].kind == "contact" and changes["address"].new_value == "新地址"
    assert changes["address"].actor_name == world["cs"].display_name != world["cs"].username  # a name, not a login
    raw = " ".join(f"{c.old_value} {c.new_value}" for c in session.exec(select(OwnerChange)).all())
    assert "13987654321" not in raw and ID_ZHANG not in raw


def test_a_stale_edit_is_refused_with_the_current_values(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    loaded_version = owner.version
    owner_registry.update_owner(session, actor=world["manager"], owner_id=owner.id, expected_version=loaded_version,
                          data=OwnerInput(name="张三", address="第一人保存"))
    with pytest.raises(ConcurrencyConflict) as conflict:
        owner_registry.update_owner(session, actor=world["cs"], owner_id=owner.id, expected_version=loaded_version,
                              data=OwnerInput(name="张三", address="第二人保存"))
    assert conflict.value.current["address"] == "第一人保存"
    assert queries.owner_profile(session, world["cs"], owner.id).address == "第一人保存"


def test_owner_change_keeps_history(session, world):
    old = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id,
                                started_on=local_today() - timedelta(days=900))
    new = owner_registry.change_room_owner(session, actor=world["manager"], room_id=world["a_room"].id,
                                     transfer_date=local_today() - timedelta(days=3),
                                     new_owner=person(name="王五", id_number="", phone="13700001234"))
    ownerships = session.exec(select(Ownership).where(Ownership.room_id == world["a_room"].id)
                              .order_by(Ownership.id)).all()
    assert [(o.owner_id, o.ended_on is None) for o in ownerships] == [(old.id, False), (new.id, True)]
    assert ownerships[0].end_reason == "transfer"
    assert [g.name for g in grid(session, world["manager"]).rows] == ["王五"]
    kinds = {i.title_key for i in owner_timeline(session, world["manager"], old.id, "zh-CN")}
    assert {"timeline.ownership_started", "timeline.ownership_ended"} <= kinds
    with pytest.raises(ValidationFailed):
        owner_registry.change_room_owner(session, actor=world["manager"], room_id=world["a_room"].id,
                                   transfer_date=local_today() + timedelta(days=1), new_owner_id=old.id)
    # A second clerk still looking at the old owner's page cannot end the new ownership, and is told who owns it.
    with pytest.raises(ConcurrencyConflict) as conflict:
        owner_registry.change_room_owner(session, actor=world["cs"], room_id=world["a_room"].id,
                                   transfer_date=local_today(), new_owner_id=old.id, expected_owner_id=old.id)
    assert conflict.value.current["owner_names"] == ["王五"]


def test_household_and_occupants_are_recorded(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    member = owner_household.add_member(session, actor=world["cs"], owner_id=owner.id, relation="spouse", name="李梅",
                                 phone="13600001111")
    with pytest.raises(ValidationFailed):
        owner_household.add_member(session, actor=world["cs"], owner_id=owner.id, relation="spouse", name="x",
                            phone="123")
    occupant = owner_household.add_occupant(session, actor=world["cs"], room_id=world["a_room"].id, kind="tenant",
                                     name="租客甲", phone="13500002222")
    owner_household.end_occupant(session, actor=world["cs"], occupant_id=occupant.id, ended_on=local_today())
    owner_household.remove_member(session, actor=world["cs"], member_id=member.id, expected_version=member.version)
    history = [(c.kind, c.field, c.old_value, c.new_value)
               for c in reversed(queries.change_history(session, world["cs"], owner.id, "zh-CN"))]
    assert ("household", "member", "", "李梅（配偶）") in history
    assert ("household", "member_phone", "", "136****1111") in history
    assert ("household", "member", "李梅（配偶）", "") in history
    assert ("occupant", "occupant", "", "租客甲（tenant）") in history
    assert ("occupant", "occupant", "租客甲（tenant）", "") in history
    assert session.get(Occupant, occupant.id).ended_on == local_today()


def test_reveal_needs_permission_and_a_reason_and_is_audited(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    with pytest.raises(PermissionDenied):
        owner_reveal.reveal_pii(session, actor=world["cs"], owner_id=owner.id, reason="想看看")
    with pytest.raises(ValidationFailed):
        owner_reveal.reveal_pii(session, actor=world["manager"], owner_id=owner.id, reason="  ")
    shown = owner_reveal.reveal_pii(session, actor=world["manager"], owner_id=owner.id, reason="核实身份办理过户")
    assert shown.id_number == ID_ZHANG and shown.phones == ["13812345678"] and shown.birth_date == "1949-12-31"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "owner.reveal_pii")).one()
    assert event.changes["reason"] == "核实身份办理过户" and event.actor_user_id == world["manager"].user_id
    assert event.changes["fields"] == ["id_number", "phones", "birth_date"]


def test_nothing_shown_together_rebuilds_a_masked_id_number(session, world):
    """The 8 hidden digits of an ID number are its holder's birth date: where a masked ID meets a birth date,
    a region or the history of either, the day and the county never show (the profile, the grid, the
    household, the history, the audit log as the audit page reads it)."""
    from pm_admin.audit.queries import describe_changes

    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    owner_household.add_member(session, actor=world["manager"], owner_id=owner.id, relation="child", name="张小",
                        id_number=ID_CHILD)
    owner_registry.update_owner(session, actor=world["manager"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="张三", id_number=ID_OTHER))
    shown = [queries.owner_profile(session, world["cs"], owner.id).model_dump_json()]
    shown += [row.model_dump_json() for row in queries.household(session, world["cs"], owner.id)]
    shown += [row.model_dump_json() for row in grid(session, world["cs"]).rows]
    shown += [c.model_dump_json() for c in queries.change_history(session, world["cs"], owner.id, "zh-CN")]
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "owner")).all()
    shown += [describe_changes(e.changes, "zh-CN") for e in events]
    for text in shown:
        for digits in (ID_ZHANG, ID_OTHER, ID_CHILD):  # region with county, and the birth date, in any form
            born = f"{digits[6:10]}-{digits[10:12]}-{digits[12:14]}"
            assert digits[:6] not in text and digits[6:14] not in text and born not in text, text
    assert queries.owner_profile(session, world["cs"], owner.id).birth_date[:4] == ID_OTHER[6:10]


def test_bulk_vip_and_tags(session, world):
    owners = [owner_registry.create_owner(session, actor=world["manager"], room_id=factories.room(
        session, world["a_unit"], number=f"5{i:02d}", floor=5).id,
        data=person(name=f"业主{i}", id_number="", phone=f"1390000{i:04d}")) for i in range(3)]
    ids = [o.id for o in owners]
    assert owner_bulk.bulk_set_vip(session, actor=world["cs"], owner_ids=ids, is_vip=True) == 3
    assert owner_bulk.bulk_tag(session, actor=world["cs"], owner_ids=ids[:2], tag="业委会") == 2
    assert {r.owner_id for r in grid(session, world["cs"], vip="yes").rows} == set(ids)
    assert {r.owner_id for r in grid(session, world["cs"], tag="业委会").rows} == set(ids[:2])
    assert owner_bulk.bulk_tag(session, actor=world["cs"], owner_ids=ids, tag="业委会", add=False) == 2
    assert grid(session, world["cs"], tag="业委会").total == 0


def test_a_bulk_tag_refuses_a_profile_form_opened_before_it(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    opened_at_version = owner.version
    owner_bulk.bulk_tag(session, actor=world["cs"], owner_ids=[owner.id], tag="老人")
    with pytest.raises(ConcurrencyConflict) as conflict:  # saving the form would silently drop the new tag
        owner_registry.update_owner(session, actor=world["manager"], owner_id=owner.id, expected_version=opened_at_version,
                              data=OwnerInput(name="张三", tags=[]))
    assert conflict.value.current["tags"] == "老人"


def test_a_blank_phone_field_keeps_that_phone_and_the_second_can_be_dropped(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id,
                                  data=OwnerInput(name="张三", phones=["13812345678", "13900001111"]))
    owner_registry.update_owner(session, actor=world["cs"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="张三", phones=["13700002222", ""]))
    assert queries.owner_profile(session, world["cs"], owner.id).phones == ["137****2222", "139****1111"]
    owner_registry.update_owner(session, actor=world["cs"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="张三", phones=["", ""], drop_phone2=True))
    assert queries.owner_profile(session, world["cs"], owner.id).phones == ["137****2222"]


def test_history_reads_in_words(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    owner_registry.update_owner(session, actor=world["cs"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="张三", gender="male", is_vip=True))
    changes = {c.field: c for c in queries.change_history(session, world["cs"], owner.id, "zh-CN")}
    assert (changes["is_vip"].old_value, changes["is_vip"].new_value) == ("否", "是")
    assert (changes["gender"].old_value, changes["gender"].new_value) == ("女", "男")
    english = {c.field: c for c in queries.change_history(session, world["cs"], owner.id, "en")}
    assert english["is_vip"].new_value == "Yes"


def test_one_search_box(session, world):
    zhang = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    li_room = factories.room(session, world["a_unit"], number="1502", floor=15)
    li = owner_registry.create_owner(session, actor=world["manager"], room_id=li_room.id,
                               data=person(name="李四", id_number="44030419900101001" + "1", phone="010-62345678"))
    found = lambda text: {r.owner_id for r in grid(session, world["cs"], search=text).rows}  # noqa: E731
    assert found("zs") == {zhang.id}
    assert found("zhangs") == {zhang.id}
    assert found("张") == {zhang.id}
    assert found("13812345678") == {zhang.id}
    assert found("138 1234 5678") == {zhang.id}
    assert found("1381234567") == set()  # phones match exactly, never by fragment
    assert found("01062345678") == {li.id}
    assert found(ID_ZHANG) == {zhang.id}
    assert found(li_room.code) == {li.id}
    assert found("1502") == {li.id}
    assert found("x%") == set()


def test_filters_by_place_occupancy_and_arrears(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    session.add(RoomArrears(room_id=world["a_room"].id, community_id=world["a"].id, amount=Decimal("1200"),
                            since=local_today() - timedelta(days=60)))
    session.flush()
    assert [r.arrears for r in grid(session, world["cs"], arrears="yes").rows] == ["1200.00"]
    assert grid(session, world["cs"], arrears="no").total == 0
    assert grid(session, world["cs"], building_id=world["a_building"].id).rows[0].owner_id == owner.id
    assert grid(session, world["cs"], occupancy="owner_occupied").total == 1
    assert grid(session, world["cs"], occupancy="vacant").total == 0


def test_grid_pages_and_sorts_in_sql(session, world):
    for i in range(25):
        room = factories.room(session, world["a_unit"], number=f"{i % 16 + 2}{i:02d}", floor=i % 16 + 2)
        owner_registry.create_owner(session, actor=world["manager"], room_id=room.id,
                              data=person(name=f"测试{i:02d}", id_number="", phone=f"1370000{i:04d}"))
    page = queries.owner_grid(session, world["cs"], PageRequest(page=3, page_size=10), queries.OwnerFilter())
    assert (page.total, len(page.rows), page.pages) == (25, 5, 3)
    by_name = queries.owner_grid(session, world["cs"], PageRequest(page_size=3, sort="name", descending=True),
                                 queries.OwnerFilter())
    assert [r.name for r in by_name.rows] == ["测试24", "测试23", "测试22"]
    assert all("*" in r.phone for r in page.rows)


def test_export_masks_unless_full_pii_is_allowed(session, world):
    owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    masked = list(queries.export_rows(session, world["cs"], queries.OwnerFilter(), full_pii=False))
    assert masked[0].id_number == "1101**********002X" and masked[0].phone == "138****5678"
    with pytest.raises(PermissionDenied):
        list(queries.export_rows(session, world["cs"], queries.OwnerFilter(), full_pii=True))
    full = list(queries.export_rows(session, world["manager"], queries.OwnerFilter(), full_pii=True))
    assert full[0].id_number == ID_ZHANG and full[0].phone == "13812345678"


def test_only_current_ownerships_appear_and_history_rows_stay(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    ownership = session.exec(select(Ownership).where(col(Ownership.owner_id) == owner.id)).one()
    ownership.ended_on = local_today()
    session.add(ownership)
    session.flush()
    assert grid(session, world["manager"]).total == 0
    assert queries.owner_profile(session, world["manager"], owner.id) is not None


def test_every_history_field_has_a_label(session, world):
    from pm_admin.core.i18n import catalog

    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    owner_registry.update_owner(session, actor=world["manager"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="张三丰", gender="male", phones=["13900000000"], address="a",
                                          is_vip=True, tags=["x"], notes="n"))
    owner_household.add_member(session, actor=world["manager"], owner_id=owner.id, relation="child", name="小张",
                        phone="13600000000", id_number=ID_ZHANG)
    owner_household.add_occupant(session, actor=world["manager"], room_id=world["a_room"].id, kind="tenant", name="租客",
                          phone="13500000000")
    owner_bulk.bulk_tag(session, actor=world["manager"], owner_ids=[owner.id], tag="y")
    fields = set(session.exec(select(OwnerChange.field)).all())
    assert {"name", "phones", "tags", "member", "occupant", "room"} <= fields
    assert sorted(f for f in fields if f"field.{f}" not in catalog("zh-CN")) == []


def test_a_household_member_is_corrected_with_history_and_version_check(session, world):
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id)
    member = owner_household.add_member(session, actor=world["cs"], owner_id=owner.id, relation="child", name="张小",
                                 phone="13600001111")
    loaded = member.version
    owner_household.update_member(session, actor=world["cs"], member_id=member.id, expected_version=loaded,
                           relation="child", name="张小明", phone="13600002222")
    [row] = queries.household(session, world["cs"], owner.id)
    assert (row.name, row.phone) == ("张小明", "136****2222")
    owner_household.update_member(session, actor=world["cs"], member_id=member.id, expected_version=row.version,
                           relation="spouse", name="张小明")  # blank phone keeps it
    assert queries.household(session, world["cs"], owner.id)[0].phone == "136****2222"
    with pytest.raises(ConcurrencyConflict):
        owner_household.update_member(session, actor=world["manager"], member_id=member.id, expected_version=loaded,
                               relation="child", name="张某")
    with pytest.raises(PermissionDenied):
        owner_household.update_member(session, actor=world["other"], member_id=member.id,
                               expected_version=member.version, relation="child", name="张某")
    history = {(c.field, c.old_value, c.new_value)
               for c in queries.change_history(session, world["cs"], owner.id, "zh-CN")}
    assert ("member_phone", "136****1111", "136****2222") in history
    assert ("member", "张小（子女）", "张小明（子女）") in history


def test_messages_stay_beside_the_field_they_are_about(session, world):
    with pytest.raises(ValidationFailed) as error:
        owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id,
                              data=OwnerInput(name="张三", phones=["", "12345"]))
    assert {f: k for f, (k, _) in error.value.fields.items()} == {"phone2": "owners.phone_invalid"}
    with pytest.raises(ValidationFailed) as error:
        owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id,
                              data=OwnerInput(name="张三", phones=["", ""]))
    assert set(error.value.fields) == {"phone"}
    # A blank first phone with a valid second one: the second becomes the owner's (primary) phone.
    owner = owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id, share="50",
                                  data=OwnerInput(name="张三", id_number=ID_ZHANG, phones=["", "13900001111"]))
    assert queries.owner_profile(session, world["manager"], owner.id).phones == ["139****1111"]
    # "Already an owner of this room" lands on the room field the register dialog shows.
    with pytest.raises(ValidationFailed) as error:
        owner_registry.link_owner_to_room(session, actor=world["manager"], owner_id=owner.id, room_id=world["a_room"].id,
                                    share="10")
    assert error.value.fields == {"room_code": ("owners.already_owner", {})}


def test_a_birth_date_can_be_entered_without_an_id_number_and_must_agree_with_one(session, world):
    def refused(data: OwnerInput, owner=None) -> dict:
        with pytest.raises(ValidationFailed) as error:
            if owner is None:
                owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id, data=data)
            else:
                owner_registry.update_owner(session, actor=world["manager"], owner_id=owner.id,
                                      expected_version=owner.version, data=data)
        return {f: k for f, (k, _) in error.value.fields.items()}

    future = (local_today() + timedelta(days=1)).isoformat()
    assert refused(person(id_number="", birth_date="1980-02-30")) == {"birth_date": "error.date_invalid"}
    assert refused(person(id_number="", birth_date=future)) == {"birth_date": "error.date_in_future"}
    assert refused(person(id_number="", birth_date="1899-12-31")) == {"birth_date": "owners.birth_date_too_early"}
    assert refused(person(birth_date="1950-01-01")) == {"birth_date": "owners.birth_date_mismatch"}

    owner = owner_registry.create_owner(session, actor=world["manager"], room_id=world["a_room"].id, share="50",
                                  data=person(name="陈外籍", id_number="", birth_date="1980-02-29"))
    assert queries.owner_profile(session, world["manager"], owner.id).birth_date == "1980-**-**"
    owner_registry.update_owner(session, actor=world["cs"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="陈外籍"))  # not given: kept
    assert owner.birth_date == date(1980, 2, 29)
    owner_registry.update_owner(session, actor=world["cs"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="陈外籍", birth_date="1981-03-01"))
    history = {(c.field, c.old_value, c.new_value) for c in queries.change_history(session, world["cs"], owner.id, "en")}
    assert ("birth_date", "1980-**-**", "1981-**-**") in history  # the year only, like the profile
    # Once an ID number is stored, a typed date must agree with it; the ID's date wins.
    assert refused(OwnerInput(name="陈外籍", id_number=ID_ZHANG, birth_date="1981-03-01"), owner) == {
        "birth_date": "owners.birth_date_mismatch"}
    owner_registry.update_owner(session, actor=world["cs"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="陈外籍", id_number=ID_ZHANG, birth_date=""))
    assert owner.birth_date == date(1949, 12, 31)
    assert refused(OwnerInput(name="陈外籍", birth_date="1981-03-01"), owner) == {
        "birth_date": "owners.birth_date_mismatch"}
    owner_registry.update_owner(session, actor=world["cs"], owner_id=owner.id, expected_version=owner.version,
                          data=OwnerInput(name="陈外籍", birth_date="1949-12-31"))
    assert owner.birth_date == date(1949, 12, 31)


def test_forms_hand_dates_and_room_codes_to_the_services(session, world):
    with pytest.raises(ValidationFailed) as error:
        owner_records.room_for_code(session, actor=world["cs"], code=world["b_room"].code)  # another community's room
    assert error.value.fields == {"room_code": ("owners.room_unknown", {})}
    assert owner_records.room_for_code(session, actor=world["cs"], code=world["a_room"].code.lower()) == world["a_room"].id
    owner = owner_registry.create_owner(session, actor=world["manager"], data=person(), room_id=world["a_room"].id,
                                  started_on=local_today() - timedelta(days=30))
    with pytest.raises(ValidationFailed) as error:  # every problem of the dialog at once, the date beside its field
        owner_household.add_occupant(session, actor=world["cs"], room_id=world["a_room"].id, kind="tenant", name="",
                              started_on="2024-02-30")
    assert {f: k for f, (k, _) in error.value.fields.items()} == {"name": "error.required",
                                                                  "started_on": "error.date_invalid"}
    occupant = owner_household.add_occupant(session, actor=world["cs"], room_id=world["a_room"].id, kind="tenant",
                                     name="租客", started_on="2024-02-29")
    assert occupant.started_on == date(2024, 2, 29)
    with pytest.raises(ValidationFailed) as error:
        owner_registry.change_room_owner(session, actor=world["cs"], room_id=world["a_room"].id, transfer_date="明天",
                                   new_owner=person(name="王五", id_number="", phone="13700001234"))
    assert error.value.fields["transfer_date"] == ("error.date_invalid", {})
    new = owner_registry.change_room_owner(session, actor=world["cs"], room_id=world["a_room"].id,
                                     transfer_date=local_today().isoformat(), expected_owner_id=owner.id,
                                     new_owner=person(name="王五", id_number="", phone="13700001234"))
    assert [r.room_code for r in queries.owned_rooms(session, world["cs"], new.id)] == [world["a_room"].code]
    assert "has_id_number" not in queries.owner_profile(session, world["cs"], new.id).model_dump()
