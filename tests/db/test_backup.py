"""Backup and restore: a round trip gives back the rows and every stored file; a damaged backup,
or a failure half-way, changes nothing."""

import dataclasses
import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from pm_admin import backup as backup_module
from pm_admin.archives.models import ArchiveEntry
from pm_admin.archives.services import catalog as archive_catalog
from pm_admin.archives.services import common as archive_common
from pm_admin.archives.services import entries as archive_entries
from pm_admin.backup import RestoreRefused, backup, restore
from pm_admin.core.audit import AuditEvent
from pm_admin.core.db import make_engine
from pm_admin.core.files import store_upload
from pm_admin.owners.models import Owner
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.settings import PROJECT_ROOT, get_settings
from pm_admin.tickets.models import TicketCategory
from pm_admin.tickets.services import evidence
from pm_admin.tickets.services.registration import TicketInput, create_ticket
from tests.conftest import BACKENDS, database_url
from tests.support import factories
from tests.support.database import upgrade

STORES = ("archives", "tickets")
PHOTO = b"\xff\xd8\xff\xe0 photo of the leaking pipe"


def fill(engine, data_dir: Path, monkeypatch) -> None:
    # Scans and evidence go to this test's data dir, as they would to the deployment's.
    settings = dataclasses.replace(get_settings(), data_dir=data_dir)
    monkeypatch.setattr("pm_admin.core.files.get_settings", lambda: settings)
    with Session(engine) as session:
        community, _, _, room = factories.place_tree(session)
        archivist = factories.sign_in(session, factories.user(session, "archivist", "manager", communities=(community,)))
        owner_registry.create_owner(session, actor=archivist, room_id=room.id,
                            data=owner_input.OwnerInput(name="备份测试", id_number="11010519491231002X", phones=["13800000000"]))
        archive = archive_catalog.ensure_archive(session, actor=archivist, room_id=room.id)
        for n, payload in enumerate((b"%PDF-1.4 first", b"\x89PNG\r\n\x1a\n second")):
            upload = store_upload(session, principal=archivist, purpose_name=archive_common.DOCUMENT_PURPOSE,
                                  filename=f"doc{n}.pdf", data=payload)
            archive_entries.add_entry(session, actor=archivist, archive_id=archive.id,
                               data=archive_entries.EntryInput(doc_type="other", title=f"文件{n}"), upload_id=upload.id)
        category = session.exec(select(TicketCategory).where(TicketCategory.code == "cleaning")).one()
        ticket = create_ticket(session, actor=archivist, data=TicketInput(
            kind="repair", category_id=category.id, tier="normal", channel="hotline", title="水管漏水", room_id=room.id))
        upload = store_upload(session, principal=archivist, purpose_name=evidence.EVIDENCE_PURPOSE,
                              filename="leak.jpg", data=PHOTO)
        evidence.attach_evidence(session, actor=archivist, ticket_id=ticket.id, upload_id=upload.id)
        session.commit()


def snapshot(engine, data_dir: Path) -> tuple[dict, dict]:
    """Every row of every table the database has (the models' tables, the schema revision), and every stored file."""
    tables = sa.inspect(engine).get_table_names()
    assert set(SQLModel.metadata.tables) | {"alembic_version"} <= set(tables)
    with engine.connect() as connection:
        rows = {t: sorted(map(tuple, connection.execute(sa.text(f"SELECT * FROM {t}")).all()), key=str) for t in tables}
    private = data_dir / "private"
    files = {p.relative_to(private).as_posix(): p.read_bytes() for p in private.rglob("*")
             if p.is_file() and p.relative_to(private).parts[0] != "uploads"}
    return rows, files


@pytest.mark.parametrize("backend", BACKENDS)
def test_round_trip_restores_rows_and_files(backend, postgres, tmp_path_factory, tmp_path, monkeypatch):
    url = database_url(backend, "pm_backup", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    data_dir = tmp_path / "data"
    fill(engine, data_dir, monkeypatch)
    before = snapshot(engine, data_dir)
    assert sorted(name.split("/")[0] for name in before[1]) == ["archives", "archives", "tickets"]
    assert len(before[0]["archive_entry"]) == 2 and len(before[0]["ticket_evidence"]) == 1

    target = backup(tmp_path / "backups", database_url=url, data_dir=data_dir)
    assert target.name.startswith("pm_admin-backup-") and target.name.endswith(".tar.gz")

    with Session(engine) as session:  # life goes on after the backup: more rows, lost files
        session.add(Owner(name="备份之后"))
        session.exec(select(ArchiveEntry)).first().title = "改过"
        session.commit()
    for store in STORES:
        next(p for p in (data_dir / "private" / store).rglob("*") if p.is_file()).unlink()
    engine.dispose()

    summary = restore(target, database_url=url, data_dir=data_dir)
    assert summary.files == 3 and summary.alembic_revision
    engine = make_engine(url)
    assert snapshot(engine, data_dir) == before
    assert sorted(p.name for p in (data_dir / "private").iterdir()) == ["archives", "tickets", "uploads"]
    engine.dispose()


def unpacked(target: Path, into: Path) -> Path:
    with tarfile.open(target) as tar:
        tar.extractall(into, filter="data")
    return next(into.iterdir())


def packed(root: Path, target: Path) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        tar.add(root, arcname=root.name)
    return target


def reseal(root: Path) -> None:
    """Rewrite the manifest and SHA256SUMS to agree with the files, as a careless editor might."""
    manifest = json.loads((root / "manifest.json").read_text())
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name not in ("manifest.json", "SHA256SUMS"))
    manifest["files"] = [{"path": p.relative_to(root).as_posix(), "size": p.stat().st_size,
                          "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in files]
    (root / "manifest.json").write_text(json.dumps(manifest))
    sums = [(f["sha256"], f["path"]) for f in manifest["files"]]
    sums.append((hashlib.sha256((root / "manifest.json").read_bytes()).hexdigest(), "manifest.json"))
    (root / "SHA256SUMS").write_text("".join(f"{digest}  {path}\n" for digest, path in sums))


def flip_a_byte_of_a_scan(root: Path) -> None:
    scan = next(p for p in (root / "files" / "archives").rglob("*") if p.is_file())
    data = bytearray(scan.read_bytes())
    data[-1] ^= 0x01
    scan.write_bytes(bytes(data))


def edit_the_manifest(root: Path) -> None:
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["alembic_revision"] = "0001"
    (root / "manifest.json").write_text(json.dumps(manifest))


def leave_the_manifest_unchecked(root: Path) -> None:
    sums = (root / "SHA256SUMS").read_text().splitlines(keepends=True)
    (root / "SHA256SUMS").write_text("".join(line for line in sums if not line.endswith("  manifest.json\n")))


def drop_the_evidence_photo(root: Path) -> None:
    next(p for p in (root / "files" / "tickets").rglob("*") if p.is_file()).unlink()
    reseal(root)  # the checksums agree; only the database's reference to the photo tells


DAMAGE = {flip_a_byte_of_a_scan: "checksum mismatch", edit_the_manifest: "checksum mismatch.*: manifest.json",
          leave_the_manifest_unchecked: "differ from the checksum list",
          drop_the_evidence_photo: "1 files the database refers to are not in the backup"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_damaged_backup_is_refused_before_anything_changes(backend, tmp_path, tmp_path_factory, monkeypatch,
                                                             postgres):
    url = database_url(backend, "pm_backup_damaged", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    data_dir = tmp_path / "data"
    fill(engine, data_dir, monkeypatch)
    target = backup(tmp_path / "backups", database_url=url, data_dir=data_dir)
    with Session(engine) as session:
        session.add(AuditEvent(action="after.backup"))
        session.commit()
    before = snapshot(engine, data_dir)

    for n, (damage, message) in enumerate(DAMAGE.items()):
        root = unpacked(target, tmp_path / f"unpacked{n}")
        damage(root)
        with pytest.raises(RestoreRefused, match=message):
            restore(packed(root, tmp_path / f"{damage.__name__}.tar.gz"), database_url=url, data_dir=data_dir)
        assert snapshot(engine, data_dir) == before, damage.__name__
    with pytest.raises(RestoreRefused, match="not a readable backup"):
        restore(tmp_path / "backups" / "missing.tar.gz", database_url=url, data_dir=data_dir)
    engine.dispose()


def test_a_failure_while_restoring_puts_the_old_files_back(tmp_path, tmp_path_factory, monkeypatch, postgres):
    url = database_url("sqlite", "pm_backup_failure", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    data_dir = tmp_path / "data"
    fill(engine, data_dir, monkeypatch)
    target = backup(tmp_path / "backups", database_url=url, data_dir=data_dir)
    for store in STORES:
        next(p for p in (data_dir / "private" / store).rglob("*") if p.is_file()).unlink()
    before = snapshot(engine, data_dir)

    def disk_full(*_args):
        raise OSError("No space left on device")

    monkeypatch.setattr(backup_module, "_restore_database", disk_full)
    with pytest.raises(OSError, match="No space"):
        restore(target, database_url=url, data_dir=data_dir)
    assert snapshot(engine, data_dir) == before
    assert sorted(p.name for p in (data_dir / "private").iterdir()) == ["archives", "tickets", "uploads"]
    assert not Path(f"{engine.url.database}.restoring").exists()
    engine.dispose()


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pm_admin.cli", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_backup_and_restore_commands(tmp_path, monkeypatch):
    """`python -m pm_admin.cli backup` / `restore` as an operator runs them, on a scratch data dir."""
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir}/pm_admin.db"
    data_dir.mkdir()
    upgrade(url)
    engine = make_engine(url)
    fill(engine, data_dir, monkeypatch)
    env = {**os.environ, "PM_ENV": "test", "PM_DATA_DIR": str(data_dir), "DATABASE_URL": url}
    before = snapshot(engine, data_dir)

    made = cli("backup", "--out", str(tmp_path / "backups"), env=env)
    assert made.returncode == 0, made.stderr
    [target] = (tmp_path / "backups").glob("pm_admin-backup-*.tar.gz")
    assert str(target) in made.stdout

    with Session(engine) as session:  # after the backup: a new owner, a lost scan
        session.add(Owner(name="备份之后"))
        session.commit()
    next(p for p in (data_dir / "private" / "archives").rglob("*") if p.is_file()).unlink()
    changed = snapshot(engine, data_dir)
    engine.dispose()

    unconfirmed = cli("restore", str(target), env=env)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stdout
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(target.read_bytes()[:-200])
    refused = cli("restore", str(damaged), "--yes", env=env)
    assert refused.returncode == 1 and "nothing restored" in refused.stdout
    engine = make_engine(url)
    assert snapshot(engine, data_dir) == changed  # neither touched anything
    engine.dispose()

    restored = cli("restore", str(target), "--yes", env=env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "restored" in restored.stdout and "3 files" in restored.stdout  # two scans, one evidence photo
    engine = make_engine(url)
    with Session(engine) as session:  # the restored log records the restore itself, and nothing else is new
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "system.restore")).all()
        assert event.entity_id == target.name and event.changes["files"] == 3
    rows, files = snapshot(engine, data_dir)
    rows["audit_event"] = [r for r in rows["audit_event"] if "system.restore" not in r]
    assert (rows, files) == before
    engine.dispose()


def test_two_backups_in_one_instant_both_survive_and_are_private(tmp_path, tmp_path_factory, monkeypatch, postgres):
    url = database_url("sqlite", "pm_backup_names", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    data_dir = tmp_path / "data"
    fill(engine, data_dir, monkeypatch)
    instant = backup_module.utcnow()
    monkeypatch.setattr(backup_module, "utcnow", lambda: instant)  # the same microsecond, twice
    first = backup(tmp_path / "backups", database_url=url, data_dir=data_dir)
    second = backup(tmp_path / "backups", database_url=url, data_dir=data_dir)
    assert first != second and second.name == first.name.replace(".tar.gz", "-2.tar.gz")
    for target in (first, second):
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert restore(target, database_url=url, data_dir=data_dir).files == 3  # each is whole
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == sorted([first.name, second.name])
    engine.dispose()


def test_a_failure_while_writing_leaves_no_file_with_a_backup_name(tmp_path, tmp_path_factory, monkeypatch, postgres):
    url = database_url("sqlite", "pm_backup_crash", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    fill(engine, tmp_path / "data", monkeypatch)

    def disk_full(_fd):
        raise OSError("No space left on device")

    monkeypatch.setattr(backup_module.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        backup(tmp_path / "backups", database_url=url, data_dir=tmp_path / "data")
    assert list((tmp_path / "backups").iterdir()) == []
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_manifest_revision_is_the_snapshots(backend, tmp_path, tmp_path_factory, monkeypatch, postgres):
    url = database_url(backend, "pm_backup_revision", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    fill(engine, tmp_path / "data", monkeypatch)
    with engine.connect() as connection:
        head = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    real_snapshot = backup_module._snapshot_database

    def then_migrate_the_live_database(database_url, target_dir):
        taken = real_snapshot(database_url, target_dir)
        with engine.begin() as connection:  # someone migrates right after the snapshot
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '0009'"))
        return taken

    monkeypatch.setattr(backup_module, "_snapshot_database", then_migrate_the_live_database)
    target = backup(tmp_path / "backups", database_url=url, data_dir=tmp_path / "data")
    root = unpacked(target, tmp_path / "unpacked")
    assert json.loads((root / "manifest.json").read_text())["alembic_revision"] == head
    engine.dispose()


def set_snapshot_revision(revision: str):
    def damage(root: Path) -> None:
        connection = sqlite3.connect(root / "database.sqlite3")
        with connection:
            connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        connection.close()
        reseal(root)
    return damage


def corrupt_a_page(root: Path) -> None:
    database = root / "database.sqlite3"
    data = bytearray(database.read_bytes())
    page = 4096
    data[page * 3 + 8:page * 3 + 400] = b"\xff" * 392  # an index/table page's cell pointers, garbage
    database.write_bytes(bytes(data))
    reseal(root)


def test_a_corrupt_or_newer_snapshot_is_refused_before_anything_changes(tmp_path, tmp_path_factory, monkeypatch,
                                                                         postgres):
    url = database_url("sqlite", "pm_backup_checks", postgres, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    data_dir = tmp_path / "data"
    fill(engine, data_dir, monkeypatch)
    target = backup(tmp_path / "backups", database_url=url, data_dir=data_dir)
    with Session(engine) as session:
        session.add(AuditEvent(action="after.backup"))
        session.commit()
    before = snapshot(engine, data_dir)
    for n, (damage, message) in enumerate(((corrupt_a_page, "integrity check"),
                                           (set_snapshot_revision("9999_future"), "9999_future is unknown"))):
        root = unpacked(target, tmp_path / f"unpacked{n}")
        damage(root)
        with pytest.raises(RestoreRefused, match=message):
            restore(packed(root, tmp_path / f"damaged{n}.tar.gz"), database_url=url, data_dir=data_dir)
        assert snapshot(engine, data_dir) == before
    root = unpacked(target, tmp_path / "older")
    set_snapshot_revision("0009")(root)  # an older revision is fine: `alembic upgrade head` follows
    assert restore(packed(root, tmp_path / "older.tar.gz"), database_url=url, data_dir=data_dir).alembic_revision == "0009"
    engine.dispose()
