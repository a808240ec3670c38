"""What staff see of the outbox: the delivery log, filtered, scoped and paged in SQL."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col

from pm_admin.core.clock import local_text
from pm_admin.core.i18n import DEFAULT_LANGUAGE, has_key, translate
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.notify.models import DEV_PROVIDER_ID, Channel, Delivery, OutboxMessage


class DeliveryRow(BaseModel):
    id: int
    created_at: str
    channel: str
    channel_label: str
    recipient_kind: str
    recipient_id: int | None
    address: str  # masked
    template: str
    title: str  # in the reader's language
    cause: str
    community_id: int | None
    urgent: bool
    status: str
    status_label: str
    attempts: int
    next_attempt_at: str
    last_error: str
    development: bool  # delivered to the development outbox, not to a person
    sent_at: str
    delivered_at: str
    read_at: str
    can_retry: bool


@dataclasses.dataclass(frozen=True)
class DeliveryFilter:
    status: str = ""  # a Delivery value
    channel: str = ""  # a Channel value
    cause: str = ""  # e.g. ticket:12 ("what was sent about this")
    community_id: int | None = None
    development: bool = False  # only what the development outbox took (the "sent messages" page in development)


SORTABLE = {"created_at": col(OutboxMessage.created_at), "status": col(OutboxMessage.status),
            "channel": col(OutboxMessage.channel), "attempts": col(OutboxMessage.attempts)}
RETRYABLE = (Delivery.FAILED, Delivery.DEAD)


def _title(message: OutboxMessage, language: str) -> str:
    key = f"{message.template}.title"
    return translate(key, language, **(message.params or {})) if has_key(key) else message.template


def _valid(enum_cls, value: str) -> bool:
    return value in {member.value for member in enum_cls}


def delivery_log(session: Session, principal: Principal, filters: DeliveryFilter, page: PageRequest,
                 language: str = DEFAULT_LANGUAGE) -> Page[DeliveryRow]:
    """One page of messages, newest first, of the principal's communities (the header's choice); messages of no
    community (to staff about the company) only for company-wide users with no community picked."""
    principal.require(Perm.NOTIFY_VIEW)
    page = page.clamp()
    statement = sa.select(OutboxMessage).where(principal.scope_clause(col(OutboxMessage.community_id)))
    if filters.status:
        statement = statement.where(OutboxMessage.status == filters.status if _valid(Delivery, filters.status)
                                    else sa.false())
    if filters.channel:
        statement = statement.where(OutboxMessage.channel == filters.channel if _valid(Channel, filters.channel)
                                    else sa.false())
    if filters.cause:
        statement = statement.where(OutboxMessage.cause == filters.cause.strip())
    if filters.community_id is not None:
        statement = statement.where(OutboxMessage.community_id == filters.community_id)
    if filters.development:
        statement = statement.where(OutboxMessage.provider_message_id == DEV_PROVIDER_ID,
                                    OutboxMessage.status.in_((Delivery.DELIVERED, Delivery.READ)))
    total = count(session, statement)
    statement = order_by(statement, page, SORTABLE, (col(OutboxMessage.created_at).desc(),
                                                     col(OutboxMessage.id).desc()))
    rows = [_row(message, language) for message in session.execute(paginate(statement, page)).scalars()]
    return Page(rows=rows, total=total, page=page.page, page_size=page.page_size)


def _row(message: OutboxMessage, language: str) -> DeliveryRow:
    waiting = message.status in (Delivery.QUEUED, Delivery.FAILED)
    return DeliveryRow(
        id=message.id, created_at=local_text(message.created_at, seconds=True), channel=message.channel.value,
        channel_label=translate(f"notify.channel.{message.channel.value}", language),
        recipient_kind=message.recipient_kind.value, recipient_id=message.recipient_id,
        address=message.address_masked, template=message.template, title=_title(message, language),
        cause=message.cause, community_id=message.community_id, urgent=message.urgent,
        status=message.status.value, status_label=translate(f"notify.status.{message.status.value}", language),
        attempts=message.attempts, next_attempt_at=local_text(message.next_attempt_at, seconds=True) if waiting else "",
        last_error=message.last_error, development=message.provider_message_id == DEV_PROVIDER_ID,
        sent_at=local_text(message.sent_at, seconds=True), delivered_at=local_text(message.delivered_at, seconds=True),
        read_at=local_text(message.read_at, seconds=True), can_retry=message.status in RETRYABLE)
