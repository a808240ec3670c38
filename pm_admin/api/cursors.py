"""Cursor pagination: an opaque token naming the last item seen (newest-first lists continue below it)."""

from __future__ import annotations

import base64
import binascii

from pm_admin.api.errors import ApiRefusal

MAX_LIMIT = 100


def decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise ApiRefusal(400, "api.cursor_invalid") from error
    if not text.startswith("id:") or not text[3:].isdigit() or len(text) > 24:
        raise ApiRefusal(400, "api.cursor_invalid")
    return int(text[3:])


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def next_cursor(items: list[dict], limit: int) -> str | None:
    return encode(items[-1]["id"]) if len(items) == limit else None


def language_of(accept_language: str | None) -> str:
    return "en" if (accept_language or "").lower().startswith("en") else "zh-CN"
