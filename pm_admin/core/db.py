"""Database engine and unit-of-work sessions (no Reflex imports here)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from pm_admin.core.events import require_installed
from pm_admin.settings import get_settings


def make_engine(database_url: str) -> Engine:
    """The engine services run on. The domains must be wired first (``pm_admin.wiring.install``): a script that
    forgot would write tickets without their rollups and owner changes without their archive records."""
    require_installed()
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # Keep hot indexes in memory: 64 MB page cache and memory-mapped reads.
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA mmap_size=268435456")
            cursor.close()

        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def insert_unless_taken(session: Session, row: SQLModel) -> Any | None:
    """INSERT … ON CONFLICT DO NOTHING of ``row`` (SQLite and PostgreSQL): the new id, or None when a unique
    constraint or unique index already holds such a row (e.g. a twin a concurrent transaction committed).
    No savepoint, so the surrounding transaction stays usable either way."""
    table = row.__table__
    values = {c.name: getattr(row, c.key) for c in table.columns if getattr(row, c.key, None) is not None}
    insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    return session.execute(insert(table).values(**values).on_conflict_do_nothing()
                           .returning(*table.primary_key.columns)).scalar()


@functools.cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url)


@contextlib.contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back otherwise."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextlib.contextmanager
def read_only(engine: Engine | None = None) -> Iterator[Session]:
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session


async def off_loop(work, *args, **kwargs):
    """Blocking work (queries, building a page) of an async handler, in a worker thread with the event's context,
    so the event loop serves other users meanwhile."""
    return await asyncio.to_thread(work, *args, **kwargs)


async def in_worker_thread(service, **kwargs):
    """A service in its own transaction in a worker thread (bcrypt takes a few hundred ms)."""
    def run():
        with unit_of_work() as session:
            return service(session, **kwargs)
    return await off_loop(run)
