"""Backup and restore: a round trip gives back the rows and the files; a damaged backup changes nothing."""

import dataclasses
import json
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.archives import services as archives
from pm_admin.archives.models import ArchiveEntry
from pm_admin.audit.models import AuditEvent
from pm_admin.backup import RestoreRefused, backup, restore
from pm_admin.core.db import make_engine
from pm_admin.core.files import store_upload
from pm_admin.owners import services as owners
from pm_admin.owners.models import Owner
from pm_admin.settings import get_settings
from tests.conftest import BACKENDS, database_url
from tests.support import factories
from tests.support.database import upgrade

TABLES = ("community", "room", "owner", "owner_phone", "archive", "archive_entry", "archive_file", "audit_event")


def fill(engine, data_dir: Path, monkeypatch) -> None:
    # Scans go to this test's data dir, as they would to the deployment's.
    settings = dataclasses.replace(get_settings(), data_dir=data_dir)
    monkeypatch.setattr("pm_admin.core.files.get_settings", lambda: settings)
    with Session(engine) as session:
        community, _, _, room = factories.place_tree(session)
        archivist = factories.sign_in(session, factories.user(session, "archivist", "manager", communities=(community,)))
        owners.create_owner(session, actor=archivist, room_id=room.id,
                            data=owners.OwnerInput(name="备份测试", id_number="11010519491231002X", phones=["13800000000"]))
        archive = archives.ensure_archive(session, actor=archivist, room_id=room.id)
        for n, payload in enumerate((b"%PDF-1.4 first", b"\x89PNG\r\n\x1a\n second")):
            upload = store_upload(session, principal=archivist, purpose_name=archives.DOCUMENT_PURPOSE,
                                  filename=f"doc{n}.pdf", data=payload)
            archives.add_entry(session, actor=archivist, archive_id=archive.id,
                               data=archives.EntryInput(doc_type="other", title=f"文件{n}"), upload_id=upload.id)
        session.commit()


def snapshot(engine, data_dir: Path) -> tuple[dict, dict]:
    with engine.connect() as connection:
        rows = {t: sorted(map(tuple, connection.execute(sa.text(f"SELECT * FROM {t}")).all()), key=str) for t in TABLES}
    files = {p.relative_to(data_dir).as_posix(): p.read_bytes()
             for p in (data_dir / "private" / "archives").rglob("*") if p.is_file()}
    return rows, files


@pytest.mark.parametrize("backend", BACKENDS)
def test_round_trip_restores_rows_and_files(backend, postgres, tmp_path_factory, tmp_path, monkeypatch):
    url = database_url(backend, "pm_backup", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    data_dir = tmp_path / "data"
    fill(engine, data_dir, monkeypatch)
    before = snapshot(engine, data_dir)
    assert len(before[1]) == 2 and len(before[0]["archive_entry"]) == 2

    target = backup(tmp_path / "backups", database_url=url, data_dir=data_dir)
    assert target.name.startswith("pm_admin-backup-") and target.name.endswith(".tar.gz")

    with Session(engine) as session:  # life goes on after the backup: more rows, a lost file
        session.add(Owner(name="备份之后"))
        session.exec(select(ArchiveEntry)).first().title = "改过"
        session.commit()
    next(p for p in (data_dir / "private" / "archives").rglob("*") if p.is_file()).unlink()
    engine.dispose()

    summary = restore(target, database_url=url, data_dir=data_dir)
    assert summary.files == 2 and summary.alembic_revision
    engine = make_engine(url)
    assert snapshot(engine, data_dir) == before
    engine.dispose()


def test_a_damaged_backup_is_refused_before_anything_changes(tmp_path, tmp_path_factory, monkeypatch, postgres):
    url = database_url("sqlite", "pm_backup_damaged", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    data_dir = tmp_path / "data"
    fill(engine, data_dir, monkeypatch)
    target = backup(tmp_path / "backups", database_url=url, data_dir=data_dir)
    with Session(engine) as session:
        session.add(AuditEvent(action="after.backup"))
        session.commit()
    before = snapshot(engine, data_dir)

    work = tmp_path / "unpacked"
    with tarfile.open(target) as tar:
        tar.extractall(work, filter="data")
    root = next(work.iterdir())
    scan = next(p for p in (root / "files").rglob("*") if p.is_file())
    scan.write_bytes(scan.read_bytes() + b"tampered")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        tar.add(root, arcname=root.name)
    with pytest.raises(RestoreRefused, match="checksum"):
        restore(damaged, database_url=url, data_dir=data_dir)
    assert snapshot(engine, data_dir) == before
    manifest = json.loads((root / "manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} >= {"database.sqlite3"}
    with pytest.raises(RestoreRefused):
        restore(tmp_path / "backups" / "missing.tar.gz", database_url=url, data_dir=data_dir)
    engine.dispose()
