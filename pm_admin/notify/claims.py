"""Taking messages for sending so that two dispatchers never take the same one, and giving them back.

A claim sets ``status = sending``, ``claimed_until`` (the lease) and ``claimed_by`` (a token of this batch). Due
are queued and failed messages whose ``next_attempt_at`` has come, and ``sending`` ones whose lease ran out (their
dispatcher died). Every later write names the token: a dispatcher whose lease ran out and was overtaken writes
nothing.

* PostgreSQL: one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id`` — rows another
  dispatcher is claiming are skipped, not waited for.
* SQLite (one writer at a time): the due rows are read, then each is taken by an ``UPDATE … WHERE id = ? AND
  status = <as read> AND claimed_by = <as read>``; a row another dispatcher took meanwhile matches nothing
  (rowcount 0) and is left to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.notify.models import Delivery, OutboxMessage

TABLE = OutboxMessage.__table__
WAITING = (Delivery.QUEUED, Delivery.FAILED)


def due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(col(OutboxMessage.status).in_(WAITING), OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == Delivery.SENDING, OutboxMessage.claimed_until < now),
    )


def _order() -> tuple:
    return col(OutboxMessage.urgent).desc(), col(OutboxMessage.next_attempt_at), col(OutboxMessage.id)


def claim(session: Session, *, now: datetime, lease_until: datetime, token: str, limit: int) -> list[int]:
    """Take up to ``limit`` due messages for ``token`` and commit; their ids."""
    taken = {"status": Delivery.SENDING, "claimed_until": lease_until, "claimed_by": token}
    if session.get_bind().dialect.name == "postgresql":
        chosen = (sa.select(OutboxMessage.id).where(due(now)).order_by(*_order()).limit(limit)
                  .with_for_update(skip_locked=True))
        ids = list(session.execute(sa.update(TABLE).where(TABLE.c.id.in_(chosen.scalar_subquery()))
                                   .values(**taken).returning(TABLE.c.id)).scalars())
    else:
        ids = take(session, candidates(session, now=now, limit=limit), lease_until=lease_until, token=token)
    session.commit()
    return ids


def candidates(session: Session, *, now: datetime, limit: int) -> list[sa.Row]:
    """SQLite, first step: the due rows as read now (id, status, claimed_by)."""
    return list(session.execute(sa.select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.claimed_by)
                                .where(due(now)).order_by(*_order()).limit(limit)).all())


def take(session: Session, rows: Sequence[sa.Row], *, lease_until: datetime, token: str) -> list[int]:
    """SQLite, second step: each row taken only if it is still as read; the ids taken (the caller commits)."""
    taken = []
    for message_id, status, claimed_by in rows:
        result = session.execute(sa.update(TABLE).where(
            TABLE.c.id == message_id, TABLE.c.status == status, TABLE.c.claimed_by == claimed_by).values(
            status=Delivery.SENDING, claimed_until=lease_until, claimed_by=token))
        if result.rowcount == 1:
            taken.append(message_id)
    return taken


def load(session: Session, ids: Sequence[int], token: str) -> list[OutboxMessage]:
    """The claimed rows, most urgent and oldest first, detached from the session."""
    if not ids:
        return []
    rows = list(session.execute(sa.select(OutboxMessage).where(
        col(OutboxMessage.id).in_(list(ids)), OutboxMessage.claimed_by == token).order_by(*_order())).scalars())
    session.expunge_all()
    return rows


def _mine(message_id: int, token: str) -> sa.ColumnElement[bool]:
    return sa.and_(TABLE.c.id == message_id, TABLE.c.claimed_by == token, TABLE.c.status == Delivery.SENDING)


def renew(session: Session, message_id: int, token: str, lease_until: datetime) -> bool:
    """Extend the lease of a message about to be sent; False (send nothing) when it is not ours any more."""
    result = session.execute(sa.update(TABLE).where(_mine(message_id, token)).values(claimed_until=lease_until))
    session.commit()
    return result.rowcount == 1


def settle(session: Session, message_id: int, token: str, **values) -> bool:
    """Write a message's outcome and commit at once; False when the claim was lost (nothing written)."""
    result = session.execute(sa.update(TABLE).where(_mine(message_id, token))
                             .values(claimed_until=None, claimed_by="", **values))
    session.commit()
    return result.rowcount == 1


def _waiting_again() -> sa.Case:
    """Back to what it was before the claim: failed if it has failed before, else queued."""
    return sa.case((TABLE.c.attempts > 0, Delivery.FAILED.value), else_=Delivery.QUEUED.value)


def defer(session: Session, message_id: int, token: str, until: datetime) -> bool:
    """Give a message back untried until ``until`` (a throttle is full); its attempts do not change."""
    result = session.execute(sa.update(TABLE).where(_mine(message_id, token)).values(
        status=_waiting_again(), next_attempt_at=until, claimed_until=None, claimed_by=""))
    session.commit()
    return result.rowcount == 1


def release(session: Session, ids: Sequence[int], token: str) -> int:
    """Give back claimed messages not yet tried (the dispatcher is stopping): due again at once for others."""
    if not ids:
        return 0
    result = session.execute(sa.update(TABLE).where(
        TABLE.c.id.in_(list(ids)), TABLE.c.claimed_by == token, TABLE.c.status == Delivery.SENDING).values(
        status=_waiting_again(), claimed_until=None, claimed_by=""))
    session.commit()
    return result.rowcount
