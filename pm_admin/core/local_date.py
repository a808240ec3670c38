"""The Shanghai calendar day of a stored UTC time as an SQL expression, so per-day figures group in the database."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from pm_admin.core.clock import DISPLAY_ZONE

# Shanghai has kept UTC+8 all year since 1991: a local day is the UTC time shifted by a fixed offset.
OFFSET_MINUTES = int(DISPLAY_ZONE.utcoffset(datetime(2000, 1, 1)).total_seconds()) // 60
assert OFFSET_MINUTES == int(DISPLAY_ZONE.utcoffset(datetime(2000, 7, 1)).total_seconds()) // 60


class local_date(FunctionElement):  # noqa: N801 (an SQL function, named like one)
    """The Shanghai calendar day of a stored UTC time, as an SQL expression (groups in the database)."""

    type = sa.Date()
    inherit_cache = True


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps the UTC time as text ("2026-11-20 15:30:00.000000"); date() shifts it and keeps the day.
    return f"date({compiler.process(element.clauses, **kw)}, '{OFFSET_MINUTES:+d} minutes')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element, compiler, **kw) -> str:
    # The zone is written into the SQL, not bound: GROUP BY must repeat the very same expression.
    return f"CAST(timezone('{DISPLAY_ZONE.key}', {compiler.process(element.clauses, **kw)}) AS DATE)"
