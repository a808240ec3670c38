"""Backup and restore (seed 001 §篇3 4.7 数据备份).

``backup`` writes one timestamped ``.tar.gz``: a consistent database snapshot (SQLite's online
backup API, or ``pg_dump``), the archive scans, a manifest and SHA-256 checksums. ``restore``
verifies every checksum before it touches the database or the files. Stop the app first.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from pm_admin.core.clock import utcnow
from pm_admin.settings import get_settings

FORMAT = 1
ARCHIVE_FILES = Path("private") / "archives"


class RestoreRefused(RuntimeError):
    """The backup cannot be restored as it is; nothing was changed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise RuntimeError(f"{name} not found (apt-get install postgresql-client)")
    return found


def _libpq_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _snapshot_database(database_url: str, target_dir: Path) -> tuple[str, Path]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = target_dir / "database.sqlite3"
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # consistent even while the app writes
        finally:
            copy.close()
            source.close()
        return "sqlite", target
    target = target_dir / "database.pgdump"
    subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}",
                    _libpq_url(database_url)], check=True, capture_output=True)
    return "postgresql", target


def _alembic_revision(database_url: str) -> str:
    from sqlalchemy import text

    from pm_admin.core.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""
    finally:
        engine.dispose()


def backup(out_dir: Path, *, database_url: str | None = None, data_dir: Path | None = None) -> Path:
    settings = get_settings()
    database_url, data_dir = database_url or settings.database_url, data_dir or settings.data_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / f"pm_admin-backup-{stamp}"
        root.mkdir()
        kind, db_file = _snapshot_database(database_url, root)
        files_src = data_dir / ARCHIVE_FILES
        if files_src.exists():
            shutil.copytree(files_src, root / "files" / "archives")
        entries = sorted(p for p in root.rglob("*") if p.is_file())
        manifest = {
            "format": FORMAT, "created_at": utcnow().isoformat(), "database": kind,
            "alembic_revision": _alembic_revision(database_url), "database_file": db_file.name,
            "files": [{"path": p.relative_to(root).as_posix(), "size": p.stat().st_size, "sha256": _sha256(p)}
                      for p in entries],
        }
        (root / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        (root / "SHA256SUMS").write_text("".join(f"{f['sha256']}  {f['path']}\n" for f in manifest["files"]),
                                         encoding="utf-8")
        target = out_dir / f"{root.name}.tar.gz"
        with tarfile.open(target, "w:gz") as tar:
            tar.add(root, arcname=root.name)
    return target


@dataclasses.dataclass(frozen=True)
class RestoreSummary:
    database: str
    files: int
    created_at: str
    alembic_revision: str


def _verified_extract(backup_file: Path, into: Path) -> tuple[Path, dict]:
    """Extract safely and check every file against the manifest; raise before anything is restored."""
    try:
        with tarfile.open(backup_file, "r:gz") as tar:
            tar.extractall(into, filter="data")  # refuses absolute paths, "..", links out of the tree
    except (tarfile.TarError, OSError, EOFError) as error:
        raise RestoreRefused(f"not a readable backup: {error}") from error
    roots = [p for p in into.iterdir() if p.is_dir()]
    if len(roots) != 1 or not (roots[0] / "manifest.json").exists():
        raise RestoreRefused("the backup has no manifest")
    root = roots[0]
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(f"unknown backup format {manifest.get('format')!r}")
    listed = {f["path"]: f for f in manifest["files"]}
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {"manifest.json", "SHA256SUMS"}
    if present != set(listed):
        raise RestoreRefused(f"files differ from the manifest: {sorted(present ^ set(listed))[:5]}")
    for path, meta in listed.items():
        file = root / path
        if file.stat().st_size != meta["size"] or _sha256(file) != meta["sha256"]:
            raise RestoreRefused(f"checksum mismatch: {path}")
    return root, manifest


def restore(backup_file: Path, *, database_url: str | None = None, data_dir: Path | None = None) -> RestoreSummary:
    settings = get_settings()
    database_url, data_dir = database_url or settings.database_url, data_dir or settings.data_dir
    with tempfile.TemporaryDirectory() as scratch:
        root, manifest = _verified_extract(backup_file, Path(scratch))
        url = make_url(database_url)
        if manifest["database"] != url.get_backend_name():
            raise RestoreRefused(f"backup of {manifest['database']} cannot restore into {url.get_backend_name()}")
        db_file = root / manifest["database_file"]
        if manifest["database"] == "sqlite":
            target = Path(url.database)
            staged = target.with_name(target.name + ".restoring")
            shutil.copyfile(db_file, staged)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(staged, target)
        else:
            subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                            f"--dbname={_libpq_url(database_url)}", str(db_file)], check=True, capture_output=True)
        files_target = data_dir / ARCHIVE_FILES
        restored = root / "files" / "archives"
        if files_target.exists():
            shutil.rmtree(files_target)
        if restored.exists():
            files_target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(restored, files_target)
        count = sum(1 for f in manifest["files"] if f["path"].startswith("files/"))
    return RestoreSummary(manifest["database"], count, manifest["created_at"], manifest["alembic_revision"])
