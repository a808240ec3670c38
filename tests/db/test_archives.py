"""Owner archives: entries kept forever, scans as versions, approval-gated access, the access log."""

import hashlib
import io
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.archives import queries
from pm_admin.archives.files import catalog_params, catalog_xlsx
from pm_admin.archives.models import (
    AccessLog,
    AccessRequest,
    Archive,
    ArchiveChange,
    ArchiveEntry,
    ArchiveFile,
    DocType,
)
from pm_admin.archives.services import access as archive_access
from pm_admin.archives.services import catalog as archive_catalog
from pm_admin.archives.services import common as archive_common
from pm_admin.archives.services import entries as archive_entries
from pm_admin.archives.services.entries import EntryInput
from pm_admin.auth.models import User, UserRole
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.db import make_engine
from pm_admin.core.errors import ConcurrencyConflict, PermissionDenied, ValidationFailed
from pm_admin.core.files import store_upload
from pm_admin.core.i18n import translate
from pm_admin.core.paging import PageRequest
from pm_admin.core.permissions import SYSTEM, ClientInfo
from pm_admin.owners.models import Ownership
from pm_admin.owners.services import household as owner_household
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.places.models import Room, Unit
from pm_admin.places.services import update_room
from tests.conftest import BACKENDS, database_url
from tests.support import factories
from tests.support.database import upgrade

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CLIENT = ClientInfo(ip="10.0.0.9")


@pytest.fixture
def people(session):
    a, _, _, room = factories.place_tree(session)
    b, _, _, b_room = factories.place_tree(session)
    archivist = factories.sign_in(session, factories.user(session, "archivist", communities=(a,)))
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(a,)))
    manager2 = factories.sign_in(session, factories.user(session, "manager", communities=(a,)))
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(a,)))
    other_manager = factories.sign_in(session, factories.user(session, "manager", communities=(b,)))
    archive = archive_catalog.ensure_archive(session, actor=archivist, room_id=room.id)
    return {"room": room, "b_room": b_room, "archivist": archivist, "manager": manager, "manager2": manager2,
            "cs": cs, "other_manager": other_manager, "archive": archive}


def upload(session, principal, data=PDF, name="scan.pdf"):
    return store_upload(session, principal=principal, purpose_name=archive_common.DOCUMENT_PURPOSE, filename=name, data=data).id


def entry_with_scan(session, people, data=PDF):
    return archive_entries.add_entry(session, actor=people["archivist"], archive_id=people["archive"].id,
                              data=EntryInput(doc_type="convention", title="业主临时公约", pages="3", copies="1",
                                              doc_date="2020-05-01", handed_over_by="王业主", received_by="陈档案"),
                              upload_id=upload(session, people["archivist"], data))


def test_archive_number_is_the_room_code_and_creation_is_idempotent(session, people):
    again = archive_catalog.ensure_archive(session, actor=people["manager"], room_id=people["room"].id)
    assert again.id == people["archive"].id and again.archive_no == people["room"].code
    with pytest.raises(PermissionDenied):
        archive_catalog.ensure_archive(session, actor=people["manager"], room_id=people["b_room"].id)
    with pytest.raises(PermissionDenied):
        archive_catalog.ensure_archive(session, actor=people["cs"], room_id=people["room"].id)


def test_entries_validate_and_scans_are_stored_by_hash_outside_public_folders(session, people):
    with pytest.raises(ValidationFailed) as error:
        archive_entries.add_entry(session, actor=people["archivist"], archive_id=people["archive"].id,
                           data=EntryInput(doc_type="diary", pages="0", copies="x", doc_date="2999-01-01"))
    assert set(error.value.fields) == {"doc_type", "pages", "copies", "doc_date"}
    entry = entry_with_scan(session, people)
    file = session.exec(select(ArchiveFile).where(ArchiveFile.entry_id == entry.id)).one()
    path = archive_common.stored_path(file.sha256)
    assert path.read_bytes() == PDF and file.content_type == "application/pdf" and "private" in path.parts
    assert "_upload" not in str(path) and "assets" not in path.parts and ".web" not in path.parts


def test_a_file_that_is_not_a_scan_is_refused(session, people):
    with pytest.raises(ValidationFailed) as error:
        archive_entries.add_entry(session, actor=people["archivist"], archive_id=people["archive"].id,
                           data=EntryInput(doc_type="other"),
                           upload_id=upload(session, people["archivist"], b"MZ\x90\x00 not a pdf", "virus.pdf"))
    assert error.value.fields["file"][0] == "archives.not_a_scan"


def test_replacing_keeps_the_old_version_and_voiding_keeps_the_entry(session, people):
    entry = entry_with_scan(session, people)
    with pytest.raises(ValidationFailed):
        archive_entries.attach_file(session, actor=people["archivist"], entry_id=entry.id,
                             upload_id=upload(session, people["archivist"], PNG, "v2.png"), reason="")
    archive_entries.attach_file(session, actor=people["archivist"], entry_id=entry.id,
                         upload_id=upload(session, people["archivist"], PNG, "v2.png"), reason="原件模糊，重新扫描")
    versions = queries.file_versions(session, people["archivist"], people["archive"].id)
    assert [(v.version_no, v.filename) for v in versions] == [(1, "scan.pdf"), (2, "v2.png")]
    assert archive_common.stored_path(versions[0].sha256).exists()
    with pytest.raises(ConcurrencyConflict):
        archive_entries.void_entry(session, actor=people["archivist"], entry_id=entry.id, expected_version=99, reason="重复归档")
    archive_entries.void_entry(session, actor=people["archivist"], entry_id=entry.id, expected_version=entry.version,
                        reason="重复归档")
    rows = queries.entries(session, people["archivist"], people["archive"].id)
    assert rows[0].voided and rows[0].void_reason == "重复归档" and rows[0].versions == 2
    kinds = [c["kind"] for c in queries.changes(session, people["archivist"], people["archive"].id).rows]
    assert kinds == ["entry_voided", "file_replaced", "entry_added"]


def open_file(session, principal, file_id, now=None):
    return archive_access.open_document(session, principal=principal, file_id=file_id, action="view", client=CLIENT, now=now)


def test_documents_open_only_with_an_approved_unexpired_grant_and_every_attempt_is_logged(session, people):
    entry_with_scan(session, people)
    file_id = queries.entries(session, people["archivist"], people["archive"].id)[0].file_id
    cs = people["cs"]
    assert open_file(session, cs, file_id).reason == "no_grant"
    assert open_file(session, None, file_id).reason == "not_signed_in"
    assert open_file(session, cs, 999_999).reason == "no_such_document"
    assert open_file(session, people["other_manager"], file_id).reason == "out_of_scope"
    with pytest.raises(ValidationFailed):
        archive_access.request_access(session, actor=cs, archive_id=people["archive"].id, reason="看")
    request = archive_access.request_access(session, actor=cs, archive_id=people["archive"].id, reason="业主委托办理过户")
    assert open_file(session, cs, file_id).reason == "no_grant"  # pending is not a grant
    with pytest.raises(PermissionDenied):
        archive_access.decide_request(session, actor=people["other_manager"], request_id=request.id, approve=True)
    with pytest.raises(PermissionDenied):
        archive_access.decide_request(session, actor=people["archivist"], request_id=request.id, approve=True)
    archive_access.decide_request(session, actor=people["manager"], request_id=request.id, approve=True, note="同意")
    granted = open_file(session, cs, file_id)
    assert granted.allowed and granted.path.read_bytes() == PDF
    assert open_file(session, people["archivist"], file_id).reason == "no_grant"  # the grant is cs's alone
    later = utcnow() + timedelta(hours=25)
    assert open_file(session, cs, file_id, now=later).reason == "grant_expired_or_revoked"
    log = session.exec(select(AccessLog.username, AccessLog.outcome, AccessLog.reason).order_by(AccessLog.id)).all()
    assert [(u, o) for u, o, _ in log].count((cs.username, "ok")) == 1
    assert len(log) == 8 and all(o == "denied" for u, o, r in log if r)


def test_revoked_grants_are_refused_and_self_approval_is_not_allowed(session, people):
    entry_with_scan(session, people)
    file_id = queries.entries(session, people["cs"], people["archive"].id)[0].file_id
    mine = archive_access.request_access(session, actor=people["manager"], archive_id=people["archive"].id,
                                   reason="核对钥匙领用记录")
    with pytest.raises(PermissionDenied):
        archive_access.decide_request(session, actor=people["manager"], request_id=mine.id, approve=True)
    archive_access.decide_request(session, actor=people["manager2"], request_id=mine.id, approve=True)
    assert open_file(session, people["manager"], file_id).allowed
    archive_access.revoke_grant(session, actor=people["manager2"], request_id=mine.id, note="已办结，收回权限")
    assert open_file(session, people["manager"], file_id).reason == "grant_expired_or_revoked"
    rows = queries.my_requests(session, people["manager"], people["archive"].id).rows
    assert [r.status for r in rows] == ["revoked"]


def test_rejection_needs_a_note_and_the_requester_sees_the_state(session, people):
    request = archive_access.request_access(session, actor=people["cs"], archive_id=people["archive"].id, reason="好奇想看看")
    assert [r.id for r in queries.pending_requests(session, people["manager"]).rows] == [request.id]
    assert queries.pending_requests(session, people["other_manager"]).rows == []
    with pytest.raises(ValidationFailed):
        archive_access.decide_request(session, actor=people["manager"], request_id=request.id, approve=False)
    archive_access.decide_request(session, actor=people["manager"], request_id=request.id, approve=False, note="理由不充分")
    assert [(r.status, r.decision_note) for r in queries.my_requests(session, people["cs"]).rows] == [("rejected", "理由不充分")]


def test_contact_and_owner_changes_land_in_the_archive_change_record(session, people):
    manager = people["manager"]
    owner = owner_registry.create_owner(session, actor=manager, room_id=people["room"].id,
                                        data=owner_input.OwnerInput(name="郑十", phones=["13811110000"]))
    owner_registry.update_owner(session, actor=manager, owner_id=owner.id, expected_version=owner.version,
                                data=owner_input.OwnerInput(name="郑十", phones=["13922220000"]))
    owner_registry.change_room_owner(session, actor=manager, room_id=people["room"].id,
                                     transfer_date=local_today(),
                                     new_owner=owner_input.OwnerInput(name="王十一", phones=["13733330000"]))
    records = queries.changes(session, people["archivist"], people["archive"].id).rows
    assert [r["kind"] for r in records] == ["owner_change", "contact"]
    assert "138****0000 → 139****0000" in records[1]["detail"] and "13922220000" not in records[1]["detail"]
    assert "郑十 → 王十一" in records[0]["detail"]
    english = queries.changes(session, people["archivist"], people["archive"].id, "en").rows
    assert english[1]["detail"] == translate("owners.event.phones_changed", "en", name="郑十", old="138****0000",
                                             new="139****0000") != records[1]["detail"]


def test_co_owner_and_tenant_changes_are_recorded_even_before_the_room_has_an_archive(session, people):
    manager = people["manager"]
    room = factories.room(session, session.get(Unit, people["room"].unit_id), number="902", floor=9)
    first = owner_registry.create_owner(session, actor=manager, room_id=room.id, share="50",
                                        data=owner_input.OwnerInput(name="赵一", phones=["13811110001"]))
    second = owner_registry.create_owner(session, actor=manager, room_id=people["room"].id,
                                         data=owner_input.OwnerInput(name="钱二", phones=["13811110002"]))
    assert session.exec(select(Archive).where(Archive.room_id == room.id)).first() is None
    owner_registry.link_owner_to_room(session, actor=manager, owner_id=second.id, room_id=room.id, share="50")
    tenant = owner_household.add_occupant(session, actor=manager, room_id=room.id, kind="tenant", name="孙三",
                                         phone="13811110003")
    owner_household.end_occupant(session, actor=manager, occupant_id=tenant.id, ended_on=local_today())
    archive = session.exec(select(Archive).where(Archive.room_id == room.id)).one()
    records = queries.changes(session, people["archivist"], archive.id).rows
    assert [r["kind"] for r in records] == ["occupant_change", "occupant_change", "owner_change"]
    assert "钱二" in records[2]["detail"] and "孙三" in records[1]["detail"] and "13811110003" not in str(records)
    assert {first.id, second.id} == set(session.exec(select(Ownership.owner_id).where(
        Ownership.room_id == room.id)).all())


def test_access_log_is_append_only_in_the_database(engine):
    with Session(engine) as session:
        session.add(AccessLog(action="view", outcome="denied", reason="test"))
        session.commit()
    for statement in ("UPDATE access_log SET outcome = 'ok'", "DELETE FROM access_log"):
        with Session(engine) as session, pytest.raises(sa.exc.DBAPIError):
            session.execute(sa.text(statement))
            session.commit()


def test_catalog_is_in_room_order_with_the_seed_columns(session, people):
    entry_with_scan(session, people)
    page = queries.catalog(session, people["cs"], PageRequest(), queries.ArchiveFilter())
    row = page.rows[0]
    assert (row.archive_no, row.pages, row.entries) == (people["room"].code, 3, 1)
    assert queries.catalog(session, people["other_manager"], PageRequest(), queries.ArchiveFilter()).total == 0


def test_archive_rows_cannot_be_deleted(engine):
    with Session(engine) as session:
        community, _, _, room = factories.place_tree(session)
        archive = archive_catalog.ensure_archive(session, actor=SYSTEM, room_id=room.id)
        session.commit()
        archive_id = archive.id
    try:
        with Session(engine) as session, pytest.raises(sa.exc.DBAPIError) as error:
            session.execute(sa.text(f"DELETE FROM archive WHERE id = {archive_id}"))
            session.commit()
        assert "kept forever" in str(error.value)
    finally:
        with Session(engine) as session:  # the places around it are test scaffolding: leave them
            session.rollback()


def test_a_truncated_scan_left_by_a_crash_is_rewritten_by_the_next_upload(session, people):
    path = archive_common.stored_path(hashlib.sha256(PDF).hexdigest())
    path.write_bytes(PDF[:9])  # what a crash during a direct write used to leave under the hash
    entry_with_scan(session, people)
    assert path.read_bytes() == PDF
    assert list(path.parent.glob("*.partial")) == []


# ---------------------------------------------------------------- the catalog


@pytest.fixture
def estate(session):
    """Buildings 2 and 10 (10 sorts after 2), two units in building 2; archives opened out of order."""
    community = factories.community(session)
    b2, b10 = factories.building(session, community, "2"), factories.building(session, community, "10")
    u21, u22, u101 = factories.unit(session, b2, "1"), factories.unit(session, b2, "2"), factories.unit(session, b10, "1")
    rooms = {"10-1-101": factories.room(session, u101, "101"), "2-2-101": factories.room(session, u22, "101"),
             "2-1-1502": factories.room(session, u21, "1502", floor=15), "2-1-201": factories.room(session, u21, "201", 2)}
    archivist = factories.sign_in(session, factories.user(session, "archivist", communities=(community,)))
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    for n, (code, name) in enumerate((("2-1-201", "张三丰"), ("2-2-101", "李四"), ("10-1-101", "王五"))):
        owner_registry.create_owner(session, actor=manager, room_id=rooms[code].id, started_on=date(2021, 3, 8),
                                    data=owner_input.OwnerInput(name=name, phones=[f"1380000000{n}"]))
    archives = {code: archive_catalog.ensure_archive(session, actor=archivist, room_id=room.id) for code, room in rooms.items()}
    return {"community": community, "b2": b2, "b10": b10, "u21": u21, "rooms": rooms, "archives": archives,
            "archivist": archivist, "manager": manager, "prefix": community.code + "-"}


def catalog_codes(session, estate, filters=None, page_size=20) -> list[str]:
    filters = filters or queries.ArchiveFilter(community_id=estate["community"].id)
    rows, page = [], 1
    while True:
        found = queries.catalog(session, estate["manager"], PageRequest(page=page, page_size=page_size), filters)
        rows += found.rows
        if page * page_size >= found.total:
            return [row.room_code.removeprefix(estate["prefix"]) for row in rows]
        page += 1


def test_catalog_runs_building_then_unit_then_room_across_pages(session, estate):
    assert catalog_codes(session, estate, page_size=3) == ["2-1-201", "2-1-1502", "2-2-101", "10-1-101"]


def test_a_printed_catalog_builds_only_the_rows_it_shows_and_counts_the_rest(session, estate):
    filters = queries.ArchiveFilter(community_id=estate["community"].id)
    rows, total = queries.catalog_export_rows(session, estate["manager"], filters, limit=2)
    assert [row.room_code.removeprefix(estate["prefix"]) for row in rows] == ["2-1-201", "2-1-1502"]
    assert total == 4


def test_renumbering_a_room_moves_its_archive_in_the_catalog(session, estate):
    room = estate["rooms"]["2-1-201"]
    update_room(session, actor=estate["manager"], room_id=room.id, expected_version=room.version, number="1601",
                floor=16, area="88.50", layout="3室2厅", occupancy="owner_occupied")
    assert session.get(Archive, estate["archives"]["2-1-201"].id).sort_key == room.sort_key
    assert catalog_codes(session, estate) == ["2-1-1502", "2-1-1601", "2-2-101", "10-1-101"]


def test_catalog_filters_by_building_unit_and_owner_name(session, estate):
    def codes(**filters):
        return catalog_codes(session, estate, queries.ArchiveFilter(community_id=estate["community"].id, **filters))

    assert codes(building_id=estate["b2"].id) == ["2-1-201", "2-1-1502", "2-2-101"]
    assert codes(unit_id=estate["u21"].id) == ["2-1-201", "2-1-1502"]
    assert codes(owner="三丰") == codes(owner="zhang") == codes(owner="ZSF") == ["2-1-201"]
    assert codes(owner="王五", building_id=estate["b2"].id) == []
    assert codes(owner="王五") == ["10-1-101"]
    assert codes(owner="%") == []  # a wildcard is a character, not a pattern


def test_the_catalog_export_has_the_seed_columns_in_catalog_order(session, estate):
    archivist, archives = estate["archivist"], estate["archives"]
    archive_entries.add_entry(session, actor=archivist, archive_id=archives["2-1-201"].id,
                       data=EntryInput(doc_type="convention", pages="3"))
    voided = archive_entries.add_entry(session, actor=archivist, archive_id=archives["2-2-101"].id,
                                data=EntryInput(doc_type="receipt", pages="2"))
    archive_entries.void_entry(session, actor=archivist, entry_id=voided.id, expected_version=voided.version, reason="重复归档")
    archive_catalog.set_remarks(session, actor=archivist, archive_id=archives["2-2-101"].id, remarks="原件在2号柜", expected="")
    archive_catalog.set_remarks(session, actor=archivist, archive_id=archives["10-1-101"].id, remarks="业主未交钥匙",
                         expected="")

    download = catalog_xlsx(session, estate["manager"], catalog_params(
        queries.ArchiveFilter(community_id=estate["community"].id), "zh-CN"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.chunks))).active
    header, *rows = [[value if value is not None else "" for value in row] for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "业主档案目录表" and download.filename == "业主档案目录表.xlsx"
    english = catalog_xlsx(session, estate["manager"], catalog_params(
        queries.ArchiveFilter(community_id=estate["community"].id), "en"))
    assert english.filename == "Owner archive catalog.xlsx"
    assert header == ["房号", "档案编号", "业主姓名", "入住时间", "档案页数", "备注"]
    prefix = estate["prefix"]
    assert rows == [
        [prefix + "2-1-201", prefix + "2-1-201", "张三丰", "2021-03-08", 3, ""],
        [prefix + "2-1-1502", prefix + "2-1-1502", "", "", 0, ""],
        [prefix + "2-2-101", prefix + "2-2-101", "李四", "2021-03-08", 0, "原件在2号柜；作废 1 份"],
        [prefix + "10-1-101", prefix + "10-1-101", "王五", "2021-03-08", 0, "业主未交钥匙"],
    ]


def test_remarks_are_edited_by_custodians_audited_and_not_lost_to_a_concurrent_edit(session, people):
    archive_id = people["archive"].id
    with pytest.raises(PermissionDenied):
        archive_catalog.set_remarks(session, actor=people["cs"], archive_id=archive_id, remarks="看看", expected="")
    with pytest.raises(ValidationFailed) as error:
        archive_catalog.set_remarks(session, actor=people["archivist"], archive_id=archive_id, remarks="长" * 501, expected="")
    assert error.value.fields["remarks"][0] == "error.too_long"
    archive_catalog.set_remarks(session, actor=people["archivist"], archive_id=archive_id, remarks=" 原件在2号柜 ", expected="")
    with pytest.raises(ConcurrencyConflict) as conflict:  # the manager's form still shows the empty remarks
        archive_catalog.set_remarks(session, actor=people["manager"], archive_id=archive_id, remarks="已核对", expected="")
    assert conflict.value.current == {"remarks": "原件在2号柜"}
    assert queries.archive_header(session, people["cs"], archive_id).remarks == "原件在2号柜"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "archive.remarks",
                                                  AuditEvent.entity_id == archive_id)).one()
    assert event.actor_user_id == people["archivist"].user_id


# ---------------------------------------------------------------- deciding requests


def test_of_two_managers_deciding_at_once_the_second_is_refused(engine):
    with Session(engine, expire_on_commit=False) as session:
        community, _, _, room = factories.place_tree(session)
        first, second, cs = (factories.sign_in(session, factories.user(session, role, communities=(community,)))
                             for role in ("manager", "manager", "cs"))
        archive = archive_catalog.ensure_archive(session, actor=SYSTEM, room_id=room.id)
        request_id = archive_access.request_access(session, actor=cs, archive_id=archive.id, reason="业主委托办理过户").id
        session.commit()
    with Session(engine, expire_on_commit=False) as slow, Session(engine, expire_on_commit=False) as quick:
        assert slow.get(AccessRequest, request_id).status == "pending"  # both have the queue open
        archive_access.decide_request(quick, actor=second, request_id=request_id, approve=False, note="理由不充分")
        quick.commit()
        with pytest.raises(ValidationFailed) as refused:
            archive_access.decide_request(slow, actor=first, request_id=request_id, approve=True)
        assert refused.value.fields["note"] == ("archives.already_decided_by", {"name": second.username})
        slow.rollback()
    with Session(engine) as session:
        stored = session.get(AccessRequest, request_id)
        assert (stored.status, stored.decided_by, stored.expires_at) == ("rejected", second.username, None)


def test_revoking_keeps_the_approval_and_records_who_revoked(session, people):
    request = archive_access.request_access(session, actor=people["cs"], archive_id=people["archive"].id, reason="核对钥匙记录")
    archive_access.decide_request(session, actor=people["manager"], request_id=request.id, approve=True, note="同意，限本次")
    archive_access.revoke_grant(session, actor=people["manager2"], request_id=request.id, note="已办结，收回权限")
    stored = session.get(AccessRequest, request.id)
    assert (stored.decided_by, stored.decision_note) == (people["manager"].username, "同意，限本次")
    assert (stored.revoked_by, stored.revoke_note) == (people["manager2"].username, "已办结，收回权限")
    assert stored.revoked_at is not None
    with pytest.raises(ValidationFailed) as again:
        archive_access.revoke_grant(session, actor=people["manager"], request_id=request.id, note="再次收回")
    assert again.value.fields["note"][0] == "archives.not_active"
    row = queries.my_requests(session, people["cs"]).rows[0]
    # The page names staff as people know them, not by their login.
    assert (row.status, row.decision_note, row.revoked_by) == ("revoked", "同意，限本次", people["manager2"].display_name)


def test_the_queue_marks_a_managers_own_requests(session, people):
    mine = archive_access.request_access(session, actor=people["manager"], archive_id=people["archive"].id,
                                   reason="核对钥匙领用记录")
    assert [(r.id, r.own) for r in queries.pending_requests(session, people["manager"]).rows] == [(mine.id, True)]
    assert [(r.id, r.own) for r in queries.pending_requests(session, people["manager2"]).rows] == [(mine.id, False)]


# ---------------------------------------------------------------- the database keeps the record


def test_scan_versions_never_change_and_the_change_record_only_grows(engine):
    with Session(engine) as session:
        _, _, _, room = factories.place_tree(session)
        archive = archive_catalog.ensure_archive(session, actor=SYSTEM, room_id=room.id)
        entry = ArchiveEntry(archive_id=archive.id, doc_type=DocType.OTHER)
        session.add(entry)
        session.flush()
        file = ArchiveFile(entry_id=entry.id, version_no=1, filename="scan.pdf", content_type="application/pdf",
                           size=1, sha256="0" * 64)
        change = ArchiveChange(archive_id=archive.id, kind="entry_added", detail="other")
        session.add_all([file, change])
        session.commit()
        file_id, change_id = file.id, change.id
    for statement, message in (
            (f"UPDATE archive_file SET sha256 = '{'1' * 64}' WHERE id = {file_id}", "kept forever"),
            (f"UPDATE archive_file SET filename = 'other.pdf' WHERE id = {file_id}", "kept forever"),
            (f"UPDATE archive_change SET detail = 'rewritten' WHERE id = {change_id}", "append-only"),
            (f"DELETE FROM archive_change WHERE id = {change_id}", "append-only")):
        with Session(engine) as session, pytest.raises(sa.exc.DBAPIError) as error:
            session.execute(sa.text(statement))
            session.commit()
        assert message in str(error.value), statement
    with Session(engine) as session:
        assert session.get(ArchiveFile, file_id).sha256 == "0" * 64
        assert session.get(ArchiveChange, change_id).detail == "other"


# ---------------------------------------------------------------- the number follows the room (seed 4.3.1)


def test_a_renumbered_room_takes_its_archive_number_and_the_old_number_can_be_reused(session, people):
    manager, room = people["manager"], people["room"]
    old_code = room.code
    owner = owner_registry.create_owner(session, actor=manager, room_id=room.id,
                                        data=owner_input.OwnerInput(name="周一", phones=["13811112222"]))
    update_room(session, actor=manager, room_id=room.id, expected_version=room.version, number="1601", floor=16,
                area="88.50", layout="3室2厅", occupancy="owner_occupied")
    moved = session.get(Archive, people["archive"].id)
    assert moved.archive_no == room.code == old_code.removesuffix("101") + "1601"
    records = queries.changes(session, people["archivist"], moved.id, "en").rows
    assert records[0]["kind"] == "renumbered" and f"{old_code} → {room.code}" in records[0]["detail"]
    assert "archive number" in records[0]["detail"]

    # A new 101 in the same unit: owner changes on it open its own archive under the old number.
    new_room = factories.room(session, session.get(Unit, room.unit_id), number="101")
    assert new_room.code == old_code
    first = owner_registry.create_owner(session, actor=manager, room_id=new_room.id,
                                        data=owner_input.OwnerInput(name="吴二", phones=["13811113333"]))
    owner_registry.change_room_owner(session, actor=manager, room_id=new_room.id, transfer_date=local_today(),
                                     new_owner=owner_input.OwnerInput(name="郑三", phones=["13811114444"]))
    new_archive = session.exec(select(Archive).where(Archive.room_id == new_room.id)).one()
    assert new_archive.archive_no == old_code and new_archive.id != moved.id
    latest = queries.changes(session, people["archivist"], new_archive.id).rows[0]
    assert latest["kind"] == "owner_change" and "吴二 → 郑三" in latest["detail"]
    # The renumbered room's record has its own history and nothing of the new room's.
    assert all("郑三" not in r["detail"] for r in queries.changes(session, people["archivist"], moved.id).rows)
    assert session.get(Archive, moved.id).archive_no == room.code and owner.id != first.id
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "archive.renumber",
                                                  AuditEvent.entity_id == str(moved.id))).one()
    assert event.changes["archive_no"] == [old_code, room.code]


def test_a_number_held_by_another_archive_gives_a_free_number_and_says_so(session, people):
    """Data from before numbers followed rooms: an archive still holding a code its room no longer has."""
    room = people["room"]
    session.execute(sa.update(Room).where(Room.id == room.id).values(code=room.code + "X"))  # the old behaviour
    session.expire_all()
    twin = factories.room(session, session.get(Unit, room.unit_id), number="555", floor=5)
    session.execute(sa.update(Room).where(Room.id == twin.id).values(code=people["archive"].archive_no))
    session.expire_all()
    archive = archive_catalog.ensure_archive(session, actor=SYSTEM, room_id=twin.id)  # no IntegrityError
    assert archive.archive_no == people["archive"].archive_no + "-2"
    records = queries.changes(session, people["archivist"], archive.id, "zh-CN").rows
    assert records[0]["kind"] == "renumbered" and archive.archive_no in records[0]["detail"]
    assert archive_catalog.ensure_archive(session, actor=SYSTEM, room_id=twin.id).id == archive.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_gives_renumbered_rooms_archives_their_code(backend, postgres, tmp_path_factory):
    url = database_url(backend, "pm_archive_numbers", postgres, tmp_path_factory)
    upgrade(url, "0009")
    engine = make_engine(url)
    with engine.begin() as connection:  # plain SQL: the models are ahead of revision 0009
        community_id, _, room_id = factories.place_tree_sql(connection, "RN1")
        old_code = connection.execute(sa.text("SELECT code FROM room WHERE id = :room"), {"room": room_id}).scalar()
        connection.execute(sa.text("INSERT INTO archive (room_id, community_id, archive_no, sort_key, created_at, remarks) "
                                   "VALUES (:room, :community, :number, '', :now, '')")
                           .bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True))),
                           {"room": room_id, "community": community_id, "number": old_code, "now": utcnow()})
        connection.execute(sa.text("UPDATE room SET code = :code, number = '1601' WHERE id = :room"),
                           {"code": old_code[:-3] + "1601", "room": room_id})
    upgrade(url)
    with Session(engine) as session:
        archive = session.exec(select(Archive)).one()
        assert archive.archive_no == old_code[:-3] + "1601"
        change = session.exec(select(ArchiveChange).where(ArchiveChange.archive_id == archive.id)).one()
        assert (change.kind, change.detail_params) == ("renumbered", {"old": old_code, "new": archive.archive_no})
    engine.dispose()


def test_an_insert_meeting_a_committed_twin_is_skipped_and_the_transaction_goes_on(session, people):
    from pm_admin.core.db import insert_unless_taken

    twin = Archive(room_id=people["room"].id, community_id=people["archive"].community_id, archive_no="ANY-1")
    assert insert_unless_taken(session, twin) is None  # the room has its archive already
    assert insert_unless_taken(session, Archive(room_id=people["b_room"].id, community_id=people["b_room"].community_id,
                                                archive_no=people["archive"].archive_no)) is None  # number taken
    assert session.exec(select(Archive).where(Archive.room_id == people["room"].id)).one().id == people["archive"].id


def test_a_user_whose_role_was_removed_cannot_use_a_running_grant(session, people):
    entry_with_scan(session, people)
    file_id = queries.entries(session, people["archivist"], people["archive"].id)[0].file_id
    cs = people["cs"]
    request = archive_access.request_access(session, actor=cs, archive_id=people["archive"].id, reason="业主委托办理过户")
    archive_access.decide_request(session, actor=people["manager"], request_id=request.id, approve=True, hours=24)
    assert open_file(session, cs, file_id).allowed
    account = session.get(User, cs.user_id)
    session.execute(sa.delete(UserRole).where(UserRole.user_id == account.id))  # moved to another job
    session.add(UserRole(user_id=account.id, role_code="technician"))
    session.flush()
    demoted = factories.sign_in(session, account)  # the next request resolves the session afresh
    refused = open_file(session, demoted, file_id)
    assert (refused.allowed, refused.reason, refused.path) == (False, "no_permission", None)
    assert archive_access.active_grant(session, demoted, people["archive"].id) is not None  # the grant alone is not enough
    last = session.exec(select(AccessLog).where(AccessLog.file_id == file_id).order_by(AccessLog.id.desc())).first()
    assert (last.username, last.outcome, last.reason) == (cs.username, "denied", "no_permission")


def test_request_queues_and_records_page_in_sql_and_lose_nothing(session, people):
    archive, cs, manager = people["archive"], people["cs"], people["manager"]
    start = utcnow() - timedelta(hours=30)
    for n in range(25):  # oldest first in the approver's queue
        session.add(AccessRequest(archive_id=archive.id, community_id=archive.community_id, requester_id=cs.user_id,
                                  requester_name=cs.username, reason=f"第{n}次", requested_at=start + timedelta(minutes=n)))
    for n in range(23):
        archive_common.record_change(session, archive.id, "contact", f"变更{n}", "system")
    entry_with_scan(session, people)
    file_id = queries.entries(session, people["archivist"], archive.id)[0].file_id
    for _ in range(21):
        open_file(session, cs, file_id)
    session.flush()

    first = queries.pending_requests(session, manager, PageRequest(page=1, page_size=20))
    second = queries.pending_requests(session, manager, PageRequest(page=2, page_size=20))
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (25, 2, 20, 5)
    assert [r.reason for r in first.rows + list(second.rows)] == [f"第{n}次" for n in range(25)]
    mine = [queries.my_requests(session, cs, None, PageRequest(page=p, page_size=20)) for p in (1, 2)]
    assert mine[0].total == 25 and mine[0].rows[0].reason == "第24次" and len(mine[1].rows) == 5  # newest first
    changes = [queries.changes(session, manager, archive.id, "zh-CN", PageRequest(page=p, page_size=20)) for p in (1, 2)]
    details = [c["detail"] for page in changes for c in page.rows]
    assert changes[0].total == 24 and len(details) == 24 and len(set(details)) == 24  # 23 + the entry added
    log = [queries.access_log(session, manager, archive.id, PageRequest(page=p, page_size=20)) for p in (1, 2)]
    assert (log[0].total, len(log[0].rows), len(log[1].rows)) == (21, 20, 1)
    assert queries.access_log(session, cs, archive.id).total == 0  # not for requesters


def test_the_change_record_reads_in_the_readers_language(session, people):
    entry = entry_with_scan(session, people)
    archive_entries.attach_file(session, actor=people["archivist"], entry_id=entry.id,
                         upload_id=upload(session, people["archivist"], PNG, "v2.png"), reason="原件模糊")
    archive_entries.void_entry(session, actor=people["archivist"], entry_id=entry.id, expected_version=entry.version,
                        reason="重复归档")
    zh = [c["detail"] for c in queries.changes(session, people["manager"], people["archive"].id, "zh-CN").rows]
    en = [c["detail"] for c in queries.changes(session, people["manager"], people["archive"].id, "en").rows]
    assert zh == ["业主临时公约 · 业主临时公约：已作废，原因：重复归档",
                  "业主临时公约 · 业主临时公约：扫描件 v1 → v2，原因：原件模糊", "业主临时公约 · 业主临时公约"]
    assert en[1] == "Owners' provisional convention · 业主临时公约: scan v1 → v2, reason: 原件模糊"
    assert not any("convention" in line for line in zh)  # no enum codes on screen
    stored = session.exec(select(ArchiveChange).where(ArchiveChange.archive_id == people["archive"].id,
                                                      ArchiveChange.kind == "file_replaced")).one()
    assert (stored.detail_key, stored.detail_params["old"], stored.detail_params["new"]) == \
        ("archives.detail.file_replaced", 1, 2)
