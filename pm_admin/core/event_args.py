"""What a client may send as a handler's arguments, checked before the handler runs.

The browser is not trusted: a crafted event can name arguments a handler does not take, send a
40-digit number where an id belongs (SQLite raises OverflowError), or megabytes of text. Each of
those is refused with a clear message at the boundary instead of a traceback in the handler.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any

from pm_admin.core.ids import MAX_ID

MAX_TEXT = 20_000  # characters in one argument or form field (the longest form field takes 2,000)
MAX_ITEMS = 1_000  # fields of a form, entries of a list
MAX_DEPTH = 3
SCALARS = (str, int, float, bool, type(None))


@functools.cache
def _parameters(fn: Callable) -> dict[str, Any]:
    """Argument name → annotation of a handler (``self`` left out)."""
    target = inspect.unwrap(fn)
    hints = typing.get_type_hints(target)
    names = [name for name in inspect.signature(target).parameters if name != "self"]
    return {name: hints.get(name, Any) for name in names}


def _fits_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -MAX_ID <= value <= MAX_ID
    if isinstance(value, str):
        text = value.strip().removeprefix("-")
        return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_ID
    return False


def _structure_problem(value: Any, depth: int = 0) -> str | None:
    """Forms and drag-and-drop payloads: a few levels of mappings and lists of plain values."""
    if isinstance(value, Mapping):
        if depth > MAX_DEPTH or len(value) > MAX_ITEMS:
            return "bad_form"
        for key, item in value.items():
            if not isinstance(key, str) or _structure_problem(item, depth + 1):
                return "bad_form"
        return None
    if isinstance(value, list):
        if depth > MAX_DEPTH or len(value) > MAX_ITEMS:
            return "bad_list"
        return next((p for item in value if (p := _structure_problem(item, depth + 1))), None)
    if not isinstance(value, SCALARS):
        return "bad_value"
    return "text_too_long" if isinstance(value, str) and len(value) > MAX_TEXT else None


def _value_problem(annotation: Any, value: Any) -> str | None:
    if annotation is int:
        return None if _fits_int(value) else "bad_number"
    return _structure_problem(value)


def payload_problem(fn: Callable, payload: Any) -> str | None:
    """Why ``payload`` cannot be the arguments of handler ``fn``, or None when it can."""
    if not isinstance(payload, Mapping):
        return "bad_payload"
    parameters = _parameters(fn)
    for name, value in payload.items():
        if name not in parameters:
            return "unknown_argument"
        if problem := _value_problem(parameters[name], value):
            return problem
    return None
