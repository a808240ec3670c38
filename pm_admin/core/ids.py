"""Ids as the browser sends them: the one parser every handler and route uses.

A record id is a positive integer that fits the tables' ``integer`` primary keys (32-bit on PostgreSQL). Anything
else a client sends where an id belongs (letters, a 40-digit number, a negative, 10^12) is refused with a clear
message rather than reaching the database, where it would raise (PostgreSQL's "integer out of range", SQLite's
OverflowError).
"""

from __future__ import annotations

from typing import Any

from pm_admin.core.errors import DomainError

MAX_ID = 2**31 - 1  # PostgreSQL integer: every primary key of the migrations
NO_CHOICE = (None, "", "all")


class InvalidId(DomainError):
    def __init__(self) -> None:
        super().__init__("error.invalid_id")


def is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 < value <= MAX_ID
    text = str(value).strip() if isinstance(value, str) else ""
    return text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) <= MAX_ID


def optional_id(value: Any) -> int | None:
    """A picked id, None for no choice ("", "all"); anything else raises InvalidId."""
    if value in NO_CHOICE:
        return None
    if not is_id(value):
        raise InvalidId()
    return int(value)


def required_id(value: Any) -> int:
    picked = optional_id(value)
    if picked is None:
        raise InvalidId()
    return picked


def route_id(value: Any) -> int:
    """The id in a page's address, or 0 when it is not one (the page then says it found nothing)."""
    return int(value) if is_id(value) else 0


def id_text(value: Any) -> str:
    """An id from an address's query string, as text; "" when it is not one (an odd link shows no filter)."""
    return str(int(value)) if is_id(value) else ""


def page_number(value: Any) -> int:
    """A page number from an address; 1 when it is not one."""
    return int(value) if is_id(value) else 1
