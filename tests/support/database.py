"""Migrated test databases and rolled-back sessions."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from alembic.config import Config
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from alembic import command
from pm_admin.core import change_watch
from pm_admin.settings import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


@contextlib.contextmanager
def rolled_back_session(engine: Engine) -> Iterator[Session]:
    """A session whose work, commits included, is undone after the test."""
    with rolled_back_connection(engine) as connection, savepoint_session(connection) as session:
        yield session


@contextlib.contextmanager
def rolled_back_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is rolled back at the end: data built once for a module's tests, each of
    which works in ``savepoint_session`` of it.

    On SQLite SQLAlchemy leaves BEGIN to pysqlite, which emits none before a SAVEPOINT: the first savepoint opens
    the transaction and releasing it would commit. Work therefore goes into ``savepoint_session``, whose own
    savepoint encloses every commit the code under test makes."""
    connection = engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        transaction.rollback()
        connection.close()


@contextlib.contextmanager
def savepoint_session(connection: Connection) -> Iterator[Session]:
    """A session inside a savepoint of ``connection``: what it did, commits included, is undone after the test,
    and what the connection held before stays."""
    savepoint = connection.begin_nested()
    try:
        with session_on(connection) as session:
            yield session
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        change_watch.bump_all()  # commits made inside are undone: no cache may still hold what they wrote


def session_on(connection: Connection) -> Session:
    """A session joined to the connection's transaction: its commits release savepoints of its own, so the
    transaction around them stays open (and is undone by whoever began it)."""
    return Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


def copy_sqlite_database(source_url: str, target: Path) -> str:
    """A copy of a SQLite database built once (through SQLite's backup API, so a file in WAL mode comes over whole,
    also what is still in its log); returns the copy's URL."""
    with contextlib.closing(sqlite3.connect(source_url.removeprefix("sqlite:///"))) as source, \
            contextlib.closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"
