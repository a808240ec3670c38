"""Run a benchmark on a fresh SQLite file and on a throwaway PostgreSQL cluster (when one can start)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from sqlalchemy.engine import Engine

from pm_admin import wiring
from pm_admin.core.db import make_engine
from tests.support.database import upgrade


def _migrated(url: str) -> Engine:
    wiring.install()
    upgrade(url)
    return make_engine(url)


def on_each_backend(choice: str, run: Callable[[Engine, str], None]) -> None:
    """``choice``: sqlite, postgresql or both; ``run(engine, label)`` seeds and measures."""
    if choice in ("sqlite", "both"):
        engine = _migrated(f"sqlite:///{tempfile.mkdtemp(prefix='pm_bench_db_')}/bench.db")
        run(engine, "SQLite")
        engine.dispose()
    if choice in ("postgresql", "both"):
        from tests.support.postgres import PostgresUnavailable, ThrowawayPostgres

        try:
            cluster = ThrowawayPostgres().start()
        except PostgresUnavailable as error:
            print(f"\n== PostgreSQL skipped: {error}")
            return
        try:
            engine = _migrated(cluster.create_database("pm_bench"))
            run(engine, "PostgreSQL")
            engine.dispose()
        finally:
            cluster.stop()
