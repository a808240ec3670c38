"""Time in one place: always timezone-aware UTC."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Where the company works; stored times stay UTC, people read local time.
DISPLAY_ZONE = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    """Today where the company works (a day's figures, due dates and "in the future" checks read this)."""
    return utcnow().astimezone(DISPLAY_ZONE).date()


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every datetime we store is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_text(value: datetime | None, *, seconds: bool = False) -> str:
    """``2026-11-25 18:24`` in the company's time zone, or "" for no value."""
    if value is None:
        return ""
    return as_utc(value).astimezone(DISPLAY_ZONE).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
