"""Key rotation for the outbox: addresses of messages are personal data under the same keys as the registry."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.core.crypto import reencrypt
from pm_admin.notify.models import OutboxMessage

BATCH = 1000


def rotate_addresses(session: Session) -> int:
    """Re-encrypt every stored address with the first key of ``PM_FIELD_KEYS``; how many."""
    rotated, last_id = 0, 0
    while True:
        found = session.execute(sa.select(OutboxMessage.id, OutboxMessage.address_enc).where(
            OutboxMessage.id > last_id, col(OutboxMessage.address_enc).is_not(None))
            .order_by(OutboxMessage.id).limit(BATCH)).all()
        if not found:
            return rotated
        for message_id, token in found:
            session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                            .values(address_enc=reencrypt(token)))
        rotated += len(found)
        last_id = found[-1][0]
