"""Picker values as the browser sends and shows them: ids travel as strings, "" or "all" mean none."""

from __future__ import annotations


def select_options(pairs: list[tuple[int, str]]) -> list[dict[str, str]]:
    """(id, label) pairs as the value/label dicts a select renders."""
    return [{"value": str(value), "label": label} for value, label in pairs]
