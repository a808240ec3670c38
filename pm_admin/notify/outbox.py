"""Writing messages: one row per recipient and channel, in the caller's transaction."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session, select

from pm_admin.core import crypto, i18n
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


def enqueue(session: Session, *, key: str, to: Address, template: str, params: dict[str, Any] | None = None,
            community_id: int | None = None, urgent: bool = False, cause: str = "") -> int | None:
    """Write one message; its id, or None when a message with this key was already written (the cause ran twice).

    ``key`` names the cause and the recipient, e.g. ``ticket:12:resolved:1:owner_account:7:sms``.
    """
    if not i18n.has_key(f"{template}.body"):
        raise UnknownTemplate(template)
    if to.channel != Channel.INBOX and not to.address:
        raise ValueError(f"{to.channel} needs an address")
    status = Delivery.SKIPPED if not urgent and switched_off(session, to) else Delivery.QUEUED
    message = OutboxMessage(
        key=key, channel=to.channel, recipient_kind=to.kind, recipient_id=to.recipient_id,
        community_id=community_id, address_enc=crypto.encrypt(to.address) if to.address else None,
        address_masked=_masked(to.channel, to.address), template=template, params=dict(params or {}),
        language=i18n.supported_language(to.language), urgent=urgent, cause=cause, status=status)
    return insert_unless_taken(session, message)


def rendered(message: OutboxMessage) -> tuple[str, str]:
    """The title and body a person reads, in the message's language. A ``path`` of the app becomes a full link
    (an SMS or an e-mail is read outside the app), on the address people use (``PM_PUBLIC_ORIGINS``' first)."""
    params = dict(message.params)
    origins = get_settings().public_origins
    if str(params.get("path", "")).startswith("/") and origins:
        params["path"] = origins[0] + params["path"]
    return (i18n.translate(f"{message.template}.title", message.language, **params),
            i18n.translate(f"{message.template}.body", message.language, **params))
