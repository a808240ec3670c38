"""Backup and restore (seed 001 §篇3 4.7 数据备份).

``backup`` writes one timestamped ``.tar.gz``: a consistent database snapshot (SQLite's online
backup API, or ``pg_dump``), every private file store (archive scans, ticket evidence), a manifest
and SHA-256 checksums of everything, the manifest included. ``restore`` verifies every checksum
and that each file the snapshot refers to is in the backup, runs SQLite's integrity check on a SQLite
snapshot and refuses a schema revision this code does not know (newer), all before it touches anything; it then
stages the files beside their folders and swaps them in by renaming, so a failure leaves the old
files in place. Stop the app first.
"""

from __future__ import annotations

import dataclasses
import glob
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
from pm_admin.core.files import file_sha256
from pm_admin.core.i18n import bilingual
from pm_admin.settings import get_settings

FORMAT = 2
MANIFEST, SUMS = "manifest.json", "SHA256SUMS"
# The private file stores under data/private: files named by their SHA-256 in <store>/<first two hex
# digits>/, and the table column naming them. The uploads folder is scratch space and is left out.
FILE_STORES = {"archives": ("archive_file", "sha256"), "tickets": ("ticket_evidence", "sha256")}
PARTIAL = "*.partial"  # a file being written (core.files.store_by_hash writes through a temp file, then renames)


class RestoreRefused(RuntimeError):
    """The backup cannot be restored as it is; nothing was changed."""


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


def _read_only(db_file: Path) -> sqlite3.Connection:
    """A snapshot file opened without writing anything beside it (a WAL-mode file would get -wal/-shm)."""
    return sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def _snapshot_revision(kind: str, db_file: Path) -> str:
    """The schema revision inside the snapshot itself (not the live database, which may have moved on)."""
    if kind == "sqlite":
        connection = _read_only(db_file)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            return ""
        finally:
            connection.close()
        return row[0] if row else ""
    script = subprocess.run([_pg_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-",
                             str(db_file)], check=True, capture_output=True, text=True).stdout
    return next(iter(sorted(_copy_rows(script, "alembic_version", "version_num"))), "")


def _sqlite_integrity(db_file: Path) -> str:
    """``ok``, or what SQLite's integrity check found wrong with the snapshot."""
    try:
        connection = _read_only(db_file)
        try:
            return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check").fetchall())[:300]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return str(error)


def _known_revisions() -> set[str]:
    """The schema revisions this code knows (alembic/versions); a newer snapshot is not restorable by it."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from pm_admin.settings import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _claim(partial: Path, out_dir: Path, name: str) -> Path:
    """Give the finished file its name without ever replacing another backup (two in the same instant get
    ``-2``, ``-3`` …): a hard link claims the name atomically, then the partial name goes."""
    for n in range(1, 1000):
        target = out_dir / (f"{name}.tar.gz" if n == 1 else f"{name}-{n}.tar.gz")
        try:
            os.link(partial, target)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links: rename, having checked the name is free
            if target.exists():
                continue
            partial.rename(target)
            return target
        partial.unlink()
        return target
    raise FileExistsError(out_dir / f"{name}.tar.gz")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(out_dir: Path, *, database_url: str | None = None, data_dir: Path | None = None) -> Path:
    """Write the backup under a temporary name, flush it to disk, then give it its final name: a crash
    leaves a ``.partial`` file, never a truncated file with a good name. Readable by the owner only."""
    settings = get_settings()
    database_url, data_dir = database_url or settings.database_url, data_dir or settings.data_dir
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")  # microseconds: names sort in time order
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / f"pm_admin-backup-{stamp}"
        root.mkdir()
        kind, db_file = _snapshot_database(database_url, root)
        revision = _snapshot_revision(kind, db_file)
        # Stores only grow and files are named by content, so copying after the snapshot keeps every
        # file the snapshot refers to.
        for store in FILE_STORES:
            source = data_dir / "private" / store
            if source.exists():
                shutil.copytree(source, root / "files" / store, ignore=shutil.ignore_patterns(PARTIAL))
        entries = sorted(p for p in root.rglob("*") if p.is_file())
        manifest = {
            "format": FORMAT, "created_at": utcnow().isoformat(), "database": kind,
            "alembic_revision": revision, "database_file": db_file.name,
            "files": [{"path": p.relative_to(root).as_posix(), "size": p.stat().st_size, "sha256": file_sha256(p)}
                      for p in entries],
        }
        (root / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        sums = [*manifest["files"], {"path": MANIFEST, "sha256": file_sha256(root / MANIFEST)}]
        (root / SUMS).write_text("".join(f"{f['sha256']}  {f['path']}\n" for f in sums), encoding="utf-8")
        descriptor, partial_name = tempfile.mkstemp(prefix=f".{root.name}.", suffix=".partial", dir=out_dir)  # 0600
        partial = Path(partial_name)
        try:
            with os.fdopen(descriptor, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                    tar.add(root, arcname=root.name)
                raw.flush()
                os.fsync(raw.fileno())
            target = _claim(partial, out_dir, root.name)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    _fsync_dir(out_dir)
    return target


@dataclasses.dataclass(frozen=True)
class RestoreSummary:
    database: str
    files: int
    created_at: str
    alembic_revision: str


def _read_sums(path: Path) -> dict[str, str]:
    sums = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        digest, separator, name = line.partition("  ")
        if not separator or len(digest) != 64 or not name:
            raise RestoreRefused(bilingual("backup.sums_malformed", line=number))
        sums[name] = digest
    return sums


def _verified_extract(backup_file: Path, into: Path) -> tuple[Path, dict]:
    """Extract safely and check every file against SHA256SUMS; raise before anything is restored."""
    try:
        with tarfile.open(backup_file, "r:gz") as tar:
            tar.extractall(into, filter="data")  # refuses absolute paths, "..", links out of the tree
    except (tarfile.TarError, OSError, EOFError) as error:
        raise RestoreRefused(bilingual("backup.unreadable", error=error)) from error
    roots = [p for p in into.iterdir() if p.is_dir()]
    if len(roots) != 1 or not (roots[0] / MANIFEST).is_file() or not (roots[0] / SUMS).is_file():
        raise RestoreRefused(bilingual("backup.no_manifest"))
    root = roots[0]
    sums = _read_sums(root / SUMS)
    # Every file but the checksum list itself is listed, the manifest included, and nothing else is.
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {SUMS}
    if present != set(sums):
        raise RestoreRefused(bilingual("backup.files_differ", paths=", ".join(sorted(present ^ set(sums))[:5])))
    for name, digest in sums.items():
        if file_sha256(root / name) != digest:
            raise RestoreRefused(bilingual("backup.checksum_mismatch", path=name))
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(bilingual("backup.unknown_format", format=manifest.get("format")))
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    if listed != {name: digest for name, digest in sums.items() if name != MANIFEST} \
            or manifest["database_file"] not in listed:
        raise RestoreRefused(bilingual("backup.manifest_differs"))
    return root, manifest


def _copy_rows(dump: str, table: str, column: str) -> set[str]:
    """One column of a table's ``COPY … FROM stdin`` block in a pg_restore script."""
    values: set[str] = set()
    lines = iter(dump.splitlines())
    for line in lines:
        if line.startswith(f"COPY public.{table} (") and line.endswith("FROM stdin;"):
            columns = [name.strip().strip('"') for name in line[line.index("(") + 1:line.index(")")].split(",")]
            position = columns.index(column)
            for row in lines:
                if row == "\\.":
                    break
                values.add(row.split("\t")[position])
    return values


def _referenced_files(kind: str, db_file: Path) -> dict[str, set[str]]:
    """store -> the file hashes the database snapshot refers to."""
    referenced = {}
    if kind == "sqlite":
        connection = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for store, (table, column) in FILE_STORES.items():
                referenced[store] = {value for (value,) in connection.execute(
                    f"SELECT DISTINCT {column} FROM {table}")} if table in tables else set()
        finally:
            connection.close()
        return referenced
    for store, (table, column) in FILE_STORES.items():
        script = subprocess.run([_pg_tool("pg_restore"), "--data-only", f"--table={table}", "--file=-", str(db_file)],
                                check=True, capture_output=True, text=True).stdout
        referenced[store] = _copy_rows(script, table, column)
    return referenced


def _require_referenced_files(root: Path, kind: str, db_file: Path) -> None:
    missing = sorted(f"{store}/{digest}" for store, hashes in _referenced_files(kind, db_file).items()
                     for digest in hashes if not (root / "files" / store / digest[:2] / digest).is_file())
    if missing:
        raise RestoreRefused(bilingual("backup.files_missing", count=len(missing), example=missing[0]))


def _stage_files(root: Path, private: Path) -> None:
    """Copy the backup's stores to ``<store>.restoring`` beside the live folders (same file system)."""
    for store in FILE_STORES:
        staged = private / f"{store}.restoring"
        shutil.rmtree(staged, ignore_errors=True)  # a staging copy left by an interrupted restore
        source = root / "files" / store
        if source.exists():
            shutil.copytree(source, staged)
        else:
            staged.mkdir(parents=True)


def _swap_in(private: Path) -> None:
    """Live folders become ``<store>.previous``, staged ones become live: renames, nothing copied."""
    for store in FILE_STORES:
        live = private / store
        live.mkdir(parents=True, exist_ok=True)  # so every store has a .previous to swap back
        live.rename(private / f"{store}.previous")
        (private / f"{store}.restoring").rename(live)


def _swap_back(private: Path) -> None:
    for store in FILE_STORES:
        previous = private / f"{store}.previous"
        if previous.exists():
            shutil.rmtree(private / store, ignore_errors=True)
            previous.rename(private / store)


def _restore_database(kind: str, db_file: Path, staged: Path | None, database_url: str) -> None:
    if kind == "sqlite":
        target = Path(make_url(database_url).database)
        if target.exists():
            # Fold the write-ahead log into the old file first: a stale -wal beside the new file would
            # be replayed onto it, and deleting an unfolded one would lose the old data if we fail.
            connection = sqlite3.connect(target)
            try:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        staged.replace(target)
        return
    subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    f"--dbname={_libpq_url(database_url)}", str(db_file)], check=True, capture_output=True)


def restore(backup_file: Path, *, database_url: str | None = None, data_dir: Path | None = None) -> RestoreSummary:
    settings = get_settings()
    database_url, data_dir = database_url or settings.database_url, data_dir or settings.data_dir
    private = data_dir / "private"
    with tempfile.TemporaryDirectory() as scratch:
        root, manifest = _verified_extract(backup_file, Path(scratch))
        kind, backend = manifest["database"], make_url(database_url).get_backend_name()
        if kind != backend:
            raise RestoreRefused(bilingual("backup.wrong_backend", source=kind, target=backend))
        db_file = root / manifest["database_file"]
        if kind == "sqlite" and (problem := _sqlite_integrity(db_file)) != "ok":
            raise RestoreRefused(bilingual("backup.integrity_failed", problem=problem))
        revision = _snapshot_revision(kind, db_file)
        if revision not in _known_revisions():
            raise RestoreRefused(bilingual("backup.newer_schema", revision=revision or "?"))
        _require_referenced_files(root, kind, db_file)
        for store in FILE_STORES:
            if (private / f"{store}.previous").exists():
                raise RestoreRefused(bilingual("backup.interrupted", path=private / f"{store}.previous"))
        # SQLite: the snapshot is copied beside the live file first, so swapping it in is one rename.
        staged_db = Path(make_url(database_url).database + ".restoring") if kind == "sqlite" else None
        try:
            _stage_files(root, private)
            if staged_db is not None:
                shutil.copyfile(db_file, staged_db)
            try:
                _swap_in(private)
                _restore_database(kind, db_file, staged_db, database_url)
            except BaseException:
                _swap_back(private)
                raise
        finally:
            for store in FILE_STORES:
                shutil.rmtree(private / f"{store}.restoring", ignore_errors=True)
            if staged_db is not None:
                staged_db.unlink(missing_ok=True)
        for store in FILE_STORES:
            shutil.rmtree(private / f"{store}.previous")
        count = sum(1 for f in manifest["files"] if f["path"].startswith("files/"))
    return RestoreSummary(kind, count, manifest["created_at"], revision)
