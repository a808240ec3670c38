"""Owner archives: entries kept forever, scans as versions, approval-gated access, the access log."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.archives import queries, services
from pm_admin.archives.models import AccessLog, ArchiveFile
from pm_admin.archives.services import EntryInput
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import ConcurrencyConflict, PermissionDenied, ValidationFailed
from pm_admin.core.files import store_upload
from pm_admin.core.paging import PageRequest
from pm_admin.core.permissions import ClientInfo
from pm_admin.owners import services as owner_services
from tests.support import factories

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
    archive = services.ensure_archive(session, actor=archivist, room_id=room.id)
    return {"room": room, "b_room": b_room, "archivist": archivist, "manager": manager, "manager2": manager2,
            "cs": cs, "other_manager": other_manager, "archive": archive}


def upload(session, principal, data=PDF, name="scan.pdf"):
    return store_upload(session, principal=principal, purpose_name=services.DOCUMENT_PURPOSE, filename=name, data=data).id


def entry_with_scan(session, people, data=PDF):
    return services.add_entry(session, actor=people["archivist"], archive_id=people["archive"].id,
                              data=EntryInput(doc_type="convention", title="业主临时公约", pages="3", copies="1",
                                              doc_date="2020-05-01", handed_over_by="王业主", received_by="陈档案"),
                              upload_id=upload(session, people["archivist"], data))


def test_archive_number_is_the_room_code_and_creation_is_idempotent(session, people):
    again = services.ensure_archive(session, actor=people["manager"], room_id=people["room"].id)
    assert again.id == people["archive"].id and again.archive_no == people["room"].code
    with pytest.raises(PermissionDenied):
        services.ensure_archive(session, actor=people["manager"], room_id=people["b_room"].id)
    with pytest.raises(PermissionDenied):
        services.ensure_archive(session, actor=people["cs"], room_id=people["room"].id)


def test_entries_validate_and_scans_are_stored_by_hash_outside_public_folders(session, people):
    with pytest.raises(ValidationFailed) as error:
        services.add_entry(session, actor=people["archivist"], archive_id=people["archive"].id,
                           data=EntryInput(doc_type="diary", pages="0", copies="x", doc_date="2999-01-01"))
    assert set(error.value.fields) == {"doc_type", "pages", "copies", "doc_date"}
    entry = entry_with_scan(session, people)
    file = session.exec(select(ArchiveFile).where(ArchiveFile.entry_id == entry.id)).one()
    path = services.stored_path(file.sha256)
    assert path.read_bytes() == PDF and file.content_type == "application/pdf" and "private" in path.parts
    assert "_upload" not in str(path) and "assets" not in path.parts and ".web" not in path.parts


def test_a_file_that_is_not_a_scan_is_refused(session, people):
    with pytest.raises(ValidationFailed) as error:
        services.add_entry(session, actor=people["archivist"], archive_id=people["archive"].id,
                           data=EntryInput(doc_type="other"),
                           upload_id=upload(session, people["archivist"], b"MZ\x90\x00 not a pdf", "virus.pdf"))
    assert error.value.fields["file"][0] == "archives.not_a_scan"


def test_replacing_keeps_the_old_version_and_voiding_keeps_the_entry(session, people):
    entry = entry_with_scan(session, people)
    with pytest.raises(ValidationFailed):
        services.attach_file(session, actor=people["archivist"], entry_id=entry.id,
                             upload_id=upload(session, people["archivist"], PNG, "v2.png"), reason="")
    services.attach_file(session, actor=people["archivist"], entry_id=entry.id,
                         upload_id=upload(session, people["archivist"], PNG, "v2.png"), reason="原件模糊，重新扫描")
    versions = queries.file_versions(session, people["archivist"], people["archive"].id)
    assert [(v.version_no, v.filename) for v in versions] == [(1, "scan.pdf"), (2, "v2.png")]
    assert services.stored_path(versions[0].sha256).exists()
    with pytest.raises(ConcurrencyConflict):
        services.void_entry(session, actor=people["archivist"], entry_id=entry.id, expected_version=99, reason="重复归档")
    services.void_entry(session, actor=people["archivist"], entry_id=entry.id, expected_version=entry.version,
                        reason="重复归档")
    rows = queries.entries(session, people["archivist"], people["archive"].id)
    assert rows[0].voided and rows[0].void_reason == "重复归档" and rows[0].versions == 2
    kinds = [c["kind"] for c in queries.changes(session, people["archivist"], people["archive"].id)]
    assert kinds == ["entry_voided", "file_replaced", "entry_added"]


def open_file(session, principal, file_id, now=None):
    return services.open_document(session, principal=principal, file_id=file_id, action="view", client=CLIENT, now=now)


def test_documents_open_only_with_an_approved_unexpired_grant_and_every_attempt_is_logged(session, people):
    entry_with_scan(session, people)
    file_id = queries.entries(session, people["archivist"], people["archive"].id)[0].file_id
    cs = people["cs"]
    assert open_file(session, cs, file_id).reason == "no_grant"
    assert open_file(session, None, file_id).reason == "not_signed_in"
    assert open_file(session, cs, 999_999).reason == "no_such_document"
    assert open_file(session, people["other_manager"], file_id).reason == "out_of_scope"
    with pytest.raises(ValidationFailed):
        services.request_access(session, actor=cs, archive_id=people["archive"].id, reason="看")
    request = services.request_access(session, actor=cs, archive_id=people["archive"].id, reason="业主委托办理过户")
    assert open_file(session, cs, file_id).reason == "no_grant"  # pending is not a grant
    with pytest.raises(PermissionDenied):
        services.decide_request(session, actor=people["other_manager"], request_id=request.id, approve=True)
    with pytest.raises(PermissionDenied):
        services.decide_request(session, actor=people["archivist"], request_id=request.id, approve=True)
    services.decide_request(session, actor=people["manager"], request_id=request.id, approve=True, note="同意")
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
    mine = services.request_access(session, actor=people["manager"], archive_id=people["archive"].id,
                                   reason="核对钥匙领用记录")
    with pytest.raises(PermissionDenied):
        services.decide_request(session, actor=people["manager"], request_id=mine.id, approve=True)
    services.decide_request(session, actor=people["manager2"], request_id=mine.id, approve=True)
    assert open_file(session, people["manager"], file_id).allowed
    services.revoke_grant(session, actor=people["manager2"], request_id=mine.id, note="已办结，收回权限")
    assert open_file(session, people["manager"], file_id).reason == "grant_expired_or_revoked"
    rows = queries.my_requests(session, people["manager"], people["archive"].id)
    assert [r.status for r in rows] == ["revoked"]


def test_rejection_needs_a_note_and_the_requester_sees_the_state(session, people):
    request = services.request_access(session, actor=people["cs"], archive_id=people["archive"].id, reason="好奇想看看")
    assert [r.id for r in queries.pending_requests(session, people["manager"])] == [request.id]
    assert queries.pending_requests(session, people["other_manager"]) == []
    with pytest.raises(ValidationFailed):
        services.decide_request(session, actor=people["manager"], request_id=request.id, approve=False)
    services.decide_request(session, actor=people["manager"], request_id=request.id, approve=False, note="理由不充分")
    assert [(r.status, r.decision_note) for r in queries.my_requests(session, people["cs"])] == [("rejected", "理由不充分")]


def test_contact_and_owner_changes_land_in_the_archive_change_record(session, people):
    manager = people["manager"]
    owner = owner_services.create_owner(session, actor=manager, room_id=people["room"].id,
                                        data=owner_services.OwnerInput(name="郑十", phones=["13811110000"]))
    owner_services.update_owner(session, actor=manager, owner_id=owner.id, expected_version=owner.version,
                                data=owner_services.OwnerInput(name="郑十", phones=["13922220000"]))
    owner_services.change_room_owner(session, actor=manager, room_id=people["room"].id,
                                     transfer_date=utcnow().date(),
                                     new_owner=owner_services.OwnerInput(name="王十一", phones=["13733330000"]))
    records = queries.changes(session, people["archivist"], people["archive"].id)
    assert [r["kind"] for r in records] == ["owner_change", "contact"]
    assert "138****0000 → 139****0000" in records[1]["detail"] and "13922220000" not in records[1]["detail"]
    assert "郑十 → 王十一" in records[0]["detail"]


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
        archive = services.ensure_archive(session, actor=None, room_id=room.id)
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
