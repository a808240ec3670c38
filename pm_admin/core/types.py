"""Column types shared by the models."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from pm_admin.core.clock import as_utc


class UTCDateTime(TypeDecorator):
    """Stores aware UTC datetimes; SQLite returns naive ones, so re-attach UTC on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect):
        return as_utc(value)


def str_enum(enum_cls: type, length: int = 16) -> sa.Enum:
    """Store a StrEnum by its value (``"vacant"``), as a plain VARCHAR on every database."""
    return sa.Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)
