"""Seed 001 4.4.1: contact, owner and occupant changes reach the archive change record by themselves —
also through the spreadsheet import and for household members."""

import csv
import io

import pytest
from sqlmodel import col, select

from pm_admin.archives.models import Archive, ArchiveChange
from pm_admin.core import events as bus
from pm_admin.core.i18n import translate
from pm_admin.owners import events
from pm_admin.owners.services import household as owner_household
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services.owner_input import OwnerInput
from pm_admin.owners.spreadsheet.columns import IMPORT_COLUMNS
from pm_admin.owners.spreadsheet.commit import commit_import
from pm_admin.owners.spreadsheet.plan import plan_import
from tests.support import factories


def record_of(session, room_id: int) -> list[tuple[str, str]]:
    """(kind, detail) of the room's archive change record, oldest first."""
    return [(c.kind, c.detail) for c in session.exec(
        select(ArchiveChange).join(Archive, Archive.id == ArchiveChange.archive_id)
        .where(Archive.room_id == room_id, ArchiveChange.kind != "renumbered").order_by(ArchiveChange.id)).all()]


@pytest.fixture
def published():
    """The registry events as the archive listener receives them."""
    seen: list[events.OwnerEvent] = []
    listener = bus.subscribe(events.OwnerEvent, lambda session, event: seen.append(event))
    yield seen
    bus.unsubscribe(events.OwnerEvent, listener)


@pytest.fixture
def place(session):
    community, _, unit, room = factories.place_tree(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    return manager, unit, room


def import_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.zh for c in IMPORT_COLUMNS])
    for values in rows:
        writer.writerow([values.get(c.key, "") for c in IMPORT_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def test_an_import_records_new_owners_and_share_changes_in_the_archive(session, place, published):
    manager, unit, room = place
    kept = owner_registry.create_owner(session, actor=manager, room_id=room.id, share="100",
                                 data=OwnerInput(name="原业主", id_number="11010519491231002X", phones=["13800000001"]))
    empty_room = factories.room(session, unit, number="902", floor=9)
    before = len(record_of(session, room.id))
    data = import_csv([
        {"room_code": room.code, "name": "原业主", "id_number": "11010519491231002X", "phone": "13800000001",
         "share": "60"},
        {"room_code": room.code, "name": "新共有人", "phone": "13800000002", "share": "40", "started_on": "2021-03-01"},
        {"room_code": empty_room.code, "name": "导入业主", "phone": "13800000003", "started_on": "2022-05-06"},
    ])
    plan = plan_import(session, manager, "owners.csv", data)
    assert plan.errors == []
    commit_import(session, manager, plan, source="test")
    assert record_of(session, room.id)[before:] == [
        ("owner_change", "原业主：产权比例 100.00% → 60.00%"),
        ("owner_change", "+ 新共有人（40.00%，2021-03-01）"),
    ]
    assert record_of(session, empty_room.id) == [("owner_change", "+ 导入业主（100.00%，2022-05-06）")]
    added = [e for e in published if e.key == "owners.event.owner_added"]
    assert {e.params["name"] for e in added} == {"新共有人", "导入业主"}
    assert translate(added[-1].key, "en", **added[-1].params) == "+ 导入业主 (100.00%, 2022-05-06)"
    assert kept.id in {e.owner_id for e in published}


def test_household_members_and_their_phones_are_recorded_in_the_archive(session, place, published):
    manager, _, room = place
    owner = owner_registry.create_owner(session, actor=manager, room_id=room.id,
                                  data=OwnerInput(name="户主", phones=["13800000001"]))
    before = len(record_of(session, room.id))
    member = owner_household.add_member(session, actor=manager, owner_id=owner.id, relation="spouse", name="李梅",
                                 phone="13600001111")
    owner_household.update_member(session, actor=manager, member_id=member.id, expected_version=member.version,
                           relation="spouse", name="李梅", phone="13600002222")
    owner_household.update_member(session, actor=manager, member_id=member.id, expected_version=member.version,
                           relation="spouse", name="李梅梅", id_number="11010519491231002X")
    owner_household.remove_member(session, actor=manager, member_id=member.id, expected_version=member.version)
    assert record_of(session, room.id)[before:] == [
        ("occupant_change", "+ 家庭成员 李梅 136****1111"),
        ("contact", "家庭成员 李梅：电话 136****1111 → 136****2222"),
        ("occupant_change", "家庭成员 李梅（配偶） → 李梅梅（配偶）"),
        ("occupant_change", "家庭成员 李梅梅：身份证号 ∅ → 1101**********002X"),
        ("occupant_change", "− 家庭成员 李梅梅"),
    ]
    everything = " ".join(detail for _, detail in record_of(session, room.id))
    assert "13600001111" not in everything and "13600002222" not in everything and "11010519491231002X" not in everything
    assert [e.kind for e in published[-5:]] == ["occupant_changed", "contact_changed", "occupant_changed",
                                                "occupant_changed", "occupant_changed"]
    assert translate(published[-1].key, "en", **published[-1].params) == "− household member 李梅梅"


def test_an_import_opens_the_archives_of_its_rooms_in_one_pass_even_when_a_number_is_held(session, place):
    from pm_admin.archives.models import Archive
    from pm_admin.core.audit import AuditEvent

    manager, unit, room = place
    fresh, held = factories.room(session, unit, number="1001", floor=10), factories.room(session, unit, number="1002",
                                                                                          floor=10)
    # An archive left with another room's code (written before numbers followed their rooms).
    session.add(Archive(room_id=room.id, community_id=room.community_id, archive_no=held.code, sort_key="zz"))
    session.flush()
    plan = plan_import(session, manager, "owners.csv", import_csv([
        {"room_code": fresh.code, "name": "甲业主", "phone": "13800000011", "started_on": "2022-05-06"},
        {"room_code": held.code, "name": "乙业主", "phone": "13800000012", "started_on": "2022-05-06"}]))
    commit_import(session, manager, plan, source="test")
    archives = {a.room_id: a for a in session.exec(select(Archive).where(col(Archive.room_id).in_([fresh.id, held.id])))}
    assert {r: a.archive_no for r, a in archives.items()} == {fresh.id: fresh.code, held.id: f"{held.code}-2"}
    opened = set(session.exec(select(AuditEvent.entity_id).where(AuditEvent.action == "archive.create")).all())
    assert {str(a.id) for a in archives.values()} <= opened
    assert record_of(session, fresh.id) == [("owner_change", "+ 甲业主（100.00%，2022-05-06）")]
    assert record_of(session, held.id) == [("owner_change", "+ 乙业主（100.00%，2022-05-06）")]
