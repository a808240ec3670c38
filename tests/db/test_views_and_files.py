"""Saved grid views and private files: each user sees only their own."""

from datetime import timedelta

import pytest

from pm_admin.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.files import (
    StoredUpload,
    issue_download,
    private_dir,
    purge_stale_uploads,
    read_upload,
    redeem_download,
    store_upload,
)
from pm_admin.core.saved_views import delete_view, list_views, save_view
from pm_admin.owners import files as owner_files  # noqa: F401 - registers the owner upload and downloads
from tests.support import factories


def test_saved_views_are_per_user_and_overwrite_by_name(session):
    alice = factories.sign_in(session, factories.user(session, "cs"))
    bob = factories.sign_in(session, factories.user(session, "cs"))
    save_view(session, principal=alice, page="owners", name="欠费VIP", query="vip=yes&arrears=yes")
    save_view(session, principal=alice, page="owners", name="欠费VIP", query="vip=yes&arrears=yes&page=2")
    assert [(v.name, v.query) for v in list_views(session, alice, "owners")] == [("欠费VIP", "vip=yes&arrears=yes&page=2")]
    assert list_views(session, bob, "owners") == []
    with pytest.raises(NotFound):
        delete_view(session, principal=bob, view_id=list_views(session, alice, "owners")[0].id)
    with pytest.raises(ValidationFailed):
        save_view(session, principal=alice, page="owners", name=" ", query="")


def test_uploads_belong_to_their_uploader_and_purpose(session, tmp_path):
    manager = factories.sign_in(session, factories.user(session, "manager"))
    other = factories.sign_in(session, factories.user(session, "manager"))
    cs = factories.sign_in(session, factories.user(session, "cs"))
    upload = store_upload(session, principal=manager, purpose_name="owners_import", filename="../../etc/x.csv",
                          data=b"a,b\n")
    assert upload.filename == "x.csv" and len(upload.sha256) == 64
    assert read_upload(session, principal=manager, upload_id=upload.id, purpose_name="owners_import")[1] == b"a,b\n"
    with pytest.raises(PermissionDenied):
        read_upload(session, principal=other, upload_id=upload.id, purpose_name="owners_import")
    with pytest.raises(NotFound):
        read_upload(session, principal=manager, upload_id="../" + upload.id, purpose_name="owners_import")
    with pytest.raises(PermissionDenied):
        store_upload(session, principal=cs, purpose_name="owners_import", filename="x.csv", data=b"a")
    with pytest.raises(DomainError) as error:
        store_upload(session, principal=manager, purpose_name="owners_import", filename="x.exe", data=b"MZ")
    assert error.value.key == "files.wrong_type"


def test_uploads_left_unused_for_a_day_are_removed_with_their_bytes(session):
    manager = factories.sign_in(session, factories.user(session, "manager", all_communities=True))
    old = store_upload(session, principal=manager, purpose_name="owners_import", filename="old.csv", data=b"a,b")
    fresh = store_upload(session, principal=manager, purpose_name="owners_import", filename="new.csv", data=b"c,d")
    stored_old = session.get(StoredUpload, old.id)
    stored_old.created_at = stored_old.created_at - timedelta(days=2)
    session.add(stored_old)
    session.flush()
    assert purge_stale_uploads(session) == 1
    assert session.get(StoredUpload, old.id) is None and not (private_dir("uploads") / old.id).exists()
    assert read_upload(session, principal=manager, upload_id=fresh.id, purpose_name="owners_import")[1] == b"c,d"


def test_download_tickets_are_single_use_and_personal(session):
    manager = factories.sign_in(session, factories.user(session, "manager"))
    other = factories.sign_in(session, factories.user(session, "manager"))
    ticket = issue_download(session, principal=manager, kind="owners_template", params={"fmt": "csv"})
    with pytest.raises(PermissionDenied):
        redeem_download(session, principal=other, ticket_id=ticket)
    file = redeem_download(session, principal=manager, ticket_id=ticket)
    assert file.filename.endswith(".csv") and b"".join(file.chunks).startswith(b"\xef\xbb\xbf")
    with pytest.raises(NotFound):
        redeem_download(session, principal=manager, ticket_id=ticket)
