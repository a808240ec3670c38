"""Writing messages: one row per recipient and channel, in the caller's transaction."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from pm_admin.core import crypto, i18n
from pm_admin.core.clock import utcnow
from pm_admin.core.db import insert_unless_taken
from pm_admin.core.masking import mask_phone
from pm_admin.notify.models import Channel, ChannelPreference, Delivery, OutboxMessage, Recipient
from pm_admin.settings import get_settings


class UnknownTemplate(ValueError):
    """A message whose text is not in the catalog would reach a person as a key: refuse it when it is written."""


@dataclasses.dataclass(frozen=True)
class Address:
    """Where one message goes. ``address`` is a phone, an e-mail address or a robot's name; none for the inbox."""

    kind: Recipient
    recipient_id: int | None
    channel: Channel
    address: str | None = None
    language: str = "zh-CN"


def _masked(channel: Channel, address: str | None) -> str:
    if not address:
        return ""
    if channel == Channel.SMS:
        return mask_phone(address)
    if channel == Channel.EMAIL:
        name, _, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return address


def switched_off(session: Session, to: Address) -> bool:
    if to.recipient_id is None:
        return False
    preference = session.exec(select(ChannelPreference).where(
        ChannelPreference.recipient_kind == to.kind, ChannelPreference.recipient_id == to.recipient_id,
        ChannelPreference.channel == to.channel)).first()
    return preference is not None and not preference.enabled


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One message of ``enqueue_many`` (the arguments of ``enqueue``)."""

    key: str
    to: Address
    template: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    community_id: int | None = None
    urgent: bool = False
    cause: str = ""


def _values(session: Session, item: Outgoing, switched: set[tuple[str, int, str]] | None = None) -> dict[str, Any]:
    """The row's columns (a plain dict: ``enqueue_many`` writes thousands of them)."""
    if not i18n.has_key(f"{item.template}.body"):
        raise UnknownTemplate(item.template)
    to = item.to
    if to.channel != Channel.INBOX and not to.address:
        raise ValueError(f"{to.channel} needs an address")
    off = (switched is not None and (str(to.kind), to.recipient_id, str(to.channel)) in switched) or \
        (switched is None and switched_off(session, to))
    now = utcnow()
    return {"key": item.key, "channel": to.channel, "recipient_kind": to.kind, "recipient_id": to.recipient_id,
            "community_id": item.community_id, "address_enc": crypto.encrypt(to.address) if to.address else None,
            "address_masked": _masked(to.channel, to.address), "template": item.template,
            "params": dict(item.params), "language": i18n.supported_language(to.language), "urgent": item.urgent,
            "cause": item.cause, "status": Delivery.SKIPPED if off and not item.urgent else Delivery.QUEUED,
            "next_attempt_at": now, "created_at": now}


def enqueue(session: Session, *, key: str, to: Address, template: str, params: dict[str, Any] | None = None,
            community_id: int | None = None, urgent: bool = False, cause: str = "") -> int | None:
    """Write one message; its id, or None when a message with this key was already written (the cause ran twice).

    ``key`` names the cause and the recipient, e.g. ``ticket:12:resolved:1:owner_account:7:sms``.
    """
    return insert_unless_taken(session, OutboxMessage(**_values(
        session, Outgoing(key, to, template, dict(params or {}), community_id, urgent, cause))))


BATCH = 500


def enqueue_many(session: Session, items: list[Outgoing]) -> None:
    """Many messages at once (a notice to a whole community): one query for the recipients' switched-off channels
    and batched inserts; a key already written is skipped as ``enqueue`` skips it."""
    recipients = {item.to.recipient_id for item in items if item.to.recipient_id is not None and not item.urgent}
    switched: set[tuple[str, int, str]] = set()
    if recipients:
        switched = {(str(p.recipient_kind), p.recipient_id, str(p.channel)) for p in session.exec(
            select(ChannelPreference).where(col(ChannelPreference.recipient_id).in_(recipients),
                                            ChannelPreference.enabled == sa.false()))}
    insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    statement = insert(OutboxMessage.__table__).on_conflict_do_nothing()
    for start in range(0, len(items), BATCH):  # executemany: the statement is compiled once
        session.execute(statement, [_values(session, item, switched) for item in items[start:start + BATCH]])


def rendered(message: OutboxMessage) -> tuple[str, str]:
    """The title and body a person reads, in the message's language. A ``path`` of the app becomes a full link
    (an SMS or an e-mail is read outside the app), on the address people use (``PM_PUBLIC_ORIGINS``' first)."""
    params = dict(message.params)
    origins = get_settings().public_origins
    if str(params.get("path", "")).startswith("/") and origins:
        params["path"] = origins[0] + params["path"]
    return (i18n.translate(f"{message.template}.title", message.language, **params),
            i18n.translate(f"{message.template}.body", message.language, **params))
