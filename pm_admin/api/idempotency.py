"""``Idempotency-Key`` on POST: the first answer is kept with what the request created (same transaction), so a
retried request gets that answer again and creates nothing twice; the same key with another body is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from pm_admin.api.errors import ApiRefusal
from pm_admin.api.models import IdempotentRequest
from pm_admin.core.db import unit_of_work

MAX_KEY = 128


def _hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def once(caller: str, key: str | None, body: Any, work: Callable[[Session], tuple[int, dict]]) -> tuple[int, dict]:
    """(status, answer) of ``work`` run in one transaction, or of its first run under this key."""
    if key is None:
        with unit_of_work() as session:
            return work(session)
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ApiRefusal(400, "api.idempotency_key_invalid")
    request_hash = _hash(body)
    with unit_of_work() as session:
        kept = session.get(IdempotentRequest, (caller, key))
        if kept is not None:
            return _replayed(kept, request_hash)
    try:
        with unit_of_work() as session:
            status, answer = work(session)
            session.add(IdempotentRequest(caller=caller, key=key, request_hash=request_hash, status_code=status,
                                          body=answer))
            session.flush()
        return status, answer
    except IntegrityError:  # the same key raced in from a second connection: its answer stands, this one is undone
        with unit_of_work() as session:
            kept = session.get(IdempotentRequest, (caller, key))
            if kept is None:
                raise
            return _replayed(kept, request_hash)


def _replayed(kept: IdempotentRequest, request_hash: str) -> tuple[int, dict]:
    if kept.request_hash != request_hash:
        raise ApiRefusal(422, "api.idempotency_key_reused")
    return kept.status_code, kept.body
