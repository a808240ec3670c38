"""Generations of the data a cache depends on: a committed change to a watched table bumps its topic's number.

A cache keys its entries by ``generation(topic)``, so a commit in this process makes them unreachable at once.
Another worker's commit is not seen here: every cache that uses a topic also bounds an entry's age (see its module).
Changes are noted at flush (ORM rows, and UPDATE / DELETE / INSERT statements run through a session) and count
from the commit on; a rolled-back transaction changes nothing.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession

_generations: dict[str, int] = defaultdict(int)
_lock = threading.Lock()
# table name → [(topic, whether a changed row counts)]; "*" watches every table but the listed exceptions.
_by_table: dict[str, list[tuple[str, Callable[[object], bool] | None]]] = defaultdict(list)
_everything: list[tuple[str, frozenset[str]]] = []
_PENDING = "pm_changed_topics"


def watch(topic: str, model: type, *, counts: Callable[[object], bool] | None = None) -> None:
    """Changes to ``model``'s table bump ``topic``; ``counts(row)`` may exclude some ORM changes of a row."""
    _by_table[model.__table__.name].append((topic, counts))


def watch_all(topic: str, *, except_models: tuple[type, ...] = ()) -> None:
    """Every table bumps ``topic`` except these (the app's own bookkeeping: audit, sessions, notices)."""
    _everything.append((topic, frozenset(model.__table__.name for model in except_models)))


def generation(topic: str) -> int:
    return _generations[topic]


def changed_in(session: OrmSession, topic: str) -> bool:
    """Whether this session flushed a change of ``topic`` not committed yet (a cache must not answer it)."""
    return topic in session.info.get(_PENDING, ())


def database_of(session: OrmSession) -> str:
    """Which database a session works on: one process may hold several (the tests run SQLite and PostgreSQL)."""
    return str(session.get_bind().engine.url)


def remembered(memo, session: OrmSession, topic: str, read: Callable[[], Any], *key: Hashable) -> Any:
    """``read()`` through ``memo``, keyed by the database, the topic's generation and ``key``; a transaction that
    changed the topic's data and has not committed reads for itself."""
    if changed_in(session, topic):
        return read()
    return memo.get_or_make((database_of(session), generation(topic), *key), read)


def bump_all() -> None:
    """Everything may have changed: a transaction that enclosed commits was undone (the tests' savepoints)."""
    with _lock:
        for topic in list(_generations):
            _generations[topic] += 1


def _topics_of_table(table: str, row: object | None) -> set[str]:
    topics = {topic for topic, counts in _by_table.get(table, ()) if row is None or counts is None or counts(row)}
    return topics | {topic for topic, excluded in _everything if table not in excluded}


def _note(session: OrmSession, topics: set[str]) -> None:
    if topics:
        session.info.setdefault(_PENDING, set()).update(topics)


def _after_flush(session: OrmSession, _context) -> None:
    # ``session.new`` and ``.deleted`` build a new set on every access: read them once (a notice to 10,000
    # households flushes 10,000 rows), and a table's topics once for all its new or deleted rows.
    changed: set[str] = set()
    whole_tables = {type(row) for row in itertools.chain(session.new, session.deleted)}
    for model in whole_tables:
        table = getattr(model, "__table__", None)
        if table is not None:
            changed |= _topics_of_table(table.name, None)
    for row in session.dirty:
        table = getattr(type(row), "__table__", None)
        if table is not None:
            changed |= _topics_of_table(table.name, row)
    _note(session, changed)


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if table is not None and getattr(table, "name", None):
            _note(state.session, _topics_of_table(table.name, None))


def _after_commit(session: OrmSession) -> None:
    topics = session.info.pop(_PENDING, set())
    if topics:
        with _lock:
            for topic in topics:
                _generations[topic] += 1


def _after_rollback(session: OrmSession) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Listen to every session (idempotent; called by ``pm_admin.wiring.install``)."""
    if not event.contains(OrmSession, "after_commit", _after_commit):
        event.listen(OrmSession, "after_flush", _after_flush)
        event.listen(OrmSession, "do_orm_execute", _on_execute)
        event.listen(OrmSession, "after_commit", _after_commit)
        event.listen(OrmSession, "after_rollback", _after_rollback)
