"""What staff and recipients do to messages: send a failed or dead one again, read an inbox message; and a
recipient's channel preferences."""

from __future__ import annotations

from sqlmodel import Session, select

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.notify.models import Channel, ChannelPreference, Delivery, OutboxMessage, Recipient
from pm_admin.notify.queries import RETRYABLE

ENTITY = "outbox_message"


def retry(session: Session, actor: Principal, message_id: int) -> OutboxMessage:
    """A dead or failed message queued again, due now, with a fresh set of attempts (audited)."""
    actor.require(Perm.NOTIFY_MANAGE)
    message = load_scoped(session, OutboxMessage, message_id, actor, entity=ENTITY)
    if message.status not in RETRYABLE:
        raise DomainError("notify.cannot_retry")
    before = {"status": message.status.value, "attempts": message.attempts, "last_error": message.last_error}
    message.status = Delivery.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_until = None
    message.claimed_by = ""
    session.add(message)
    record(session, action="notify.retry", actor=actor, entity_type="outbox_message", entity_id=message.id,
           community_id=message.community_id, before=before,
           after={"status": message.status.value, "attempts": 0, "last_error": message.last_error})
    session.flush()
    return message


def mark_read(session: Session, recipient_kind: Recipient | str, recipient_id: int, message_id: int) -> OutboxMessage:
    """The recipient opened an inbox message: ``read`` with the time of the first reading. Another recipient's
    message, or one that is not in an inbox, is "not found" — the same answer as a missing id."""
    message = session.get(OutboxMessage, int(message_id)) if is_id(message_id) else None
    if (message is None or message.channel != Channel.INBOX or message.recipient_kind != Recipient(recipient_kind)
            or message.recipient_id != recipient_id or message.status == Delivery.SKIPPED):
        raise NotFound(ENTITY)
    if message.read_at is None:
        message.read_at = utcnow()
        message.status = Delivery.READ
        session.add(message)
        session.flush()
    return message


def preferences(session: Session, recipient_kind: Recipient | str, recipient_id: int) -> dict[str, bool]:
    """Whether each channel is on for a recipient (no row: on)."""
    stored = dict(session.exec(select(ChannelPreference.channel, ChannelPreference.enabled).where(
        ChannelPreference.recipient_kind == Recipient(recipient_kind),
        ChannelPreference.recipient_id == recipient_id)).all())
    return {channel.value: stored.get(channel, True) for channel in Channel}


def set_preference(session: Session, recipient_kind: Recipient | str, recipient_id: int, channel: Channel | str,
                   enabled: bool) -> bool:
    """Switch a channel on or off for a recipient; whether anything changed. Emergencies are sent regardless
    (``outbox.enqueue``), and the inbox cannot be switched off (it is where everything can be read)."""
    channel = Channel(channel)
    if channel == Channel.INBOX:
        raise DomainError("notify.inbox_always_on")
    row = session.exec(select(ChannelPreference).where(
        ChannelPreference.recipient_kind == Recipient(recipient_kind), ChannelPreference.recipient_id == recipient_id,
        ChannelPreference.channel == channel)).first()
    if (row.enabled if row is not None else True) == enabled:
        return False
    if row is None:
        row = ChannelPreference(recipient_kind=Recipient(recipient_kind), recipient_id=recipient_id, channel=channel)
    row.enabled = enabled
    session.add(row)
    session.flush()
    return True
