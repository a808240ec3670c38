"""Picker values as the browser sends and shows them: ids travel as strings, "" or "all" mean none."""

from __future__ import annotations

from typing import Any


def select_options(pairs: list[tuple[int, str]]) -> list[dict[str, str]]:
    """(id, label) pairs as the value/label dicts a select renders."""
    return [{"value": str(value), "label": label} for value, label in pairs]


def int_or_none(value: Any) -> int | None:
    """A picked id, or None for no choice (or anything that is not a number: the browser is not trusted)."""
    try:
        return int(value) if value not in (None, "", "all") else None
    except (TypeError, ValueError):
        return None
