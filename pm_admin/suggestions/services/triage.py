"""Working a suggestion: triage (accepted / turned into a ticket / declined / duplicate), the reply the owner reads,
closing; an accepted suggestion's improvement action 整改措施, published as a 整改公示 notice."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session

from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.errors import DomainError, FieldErrors
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_reason, clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.notify.models import Channel as NotifyChannel
from pm_admin.notify.models import Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.suggestions import publication
from pm_admin.suggestions.models import Outcome, Suggestion, SuggestionChannel, SuggestionStatus
from pm_admin.suggestions.services.common import audit, load_suggestion, require_status
from pm_admin.tickets.models import Channel, Kind, Ticket, Tier
from pm_admin.tickets.services.registration import TicketInput, create_ticket

TICKET_CHANNEL = {SuggestionChannel.PORTAL: Channel.ONLINE, SuggestionChannel.BOX: Channel.SUGGESTION_BOX,
                  SuggestionChannel.VISIT: Channel.VISIT, SuggestionChannel.MEETING: Channel.MEETING,
                  SuggestionChannel.GROUP: Channel.WECHAT_GROUP, SuggestionChannel.FRONT_DESK: Channel.FRONT_DESK}
TICKET_KINDS = (Kind.REQUEST, Kind.REPAIR, Kind.COMPLAINT, Kind.SUGGESTION)


def _load(session: Session, actor: Principal, suggestion_id: Any, expected_version: int | None) -> Suggestion:
    suggestion = load_suggestion(session, actor, suggestion_id)
    expect_version(suggestion, expected_version, lambda: {"status": str(suggestion.status)})
    return suggestion


def _triaged(session: Session, actor: Principal, suggestion: Suggestion, outcome: Outcome, note: str,
             **details: Any) -> Suggestion:
    require_status(suggestion, SuggestionStatus.NEW)
    suggestion.status, suggestion.outcome, suggestion.triage_note = SuggestionStatus.TRIAGED, outcome, note
    suggestion.triaged_by, suggestion.triaged_at = actor.username, utcnow()
    session.add(suggestion)
    session.flush()
    audit(session, actor, f"suggestion.{outcome}", suggestion, note=note, **details)
    return suggestion


def accept(session: Session, *, actor: Principal, suggestion_id: Any, expected_version: int | None,
           note: str = "") -> Suggestion:
    suggestion = _load(session, actor, suggestion_id, expected_version)
    errors = FieldErrors()
    text = clean_text(errors, "note", note, max_length=500)
    errors.raise_if_any()
    return _triaged(session, actor, suggestion, Outcome.ACCEPTED, text)


def decline(session: Session, *, actor: Principal, suggestion_id: Any, expected_version: int | None,
            reason: str) -> Suggestion:
    """不采纳, with the reason the owner is told in the reply."""
    suggestion = _load(session, actor, suggestion_id, expected_version)
    errors = FieldErrors()
    text = clean_reason(errors, "note", reason, max_length=500)
    errors.raise_if_any()
    return _triaged(session, actor, suggestion, Outcome.DECLINED, text)


def mark_duplicate(session: Session, *, actor: Principal, suggestion_id: Any, expected_version: int | None,
                   original_id: Any) -> Suggestion:
    """重复 of an earlier suggestion of the same community (not itself, not one that is a duplicate)."""
    suggestion = _load(session, actor, suggestion_id, expected_version)
    original = session.get(Suggestion, int(original_id)) if is_id(original_id) else None
    errors = FieldErrors()
    if (original is None or original.id == suggestion.id or original.community_id != suggestion.community_id
            or original.outcome == Outcome.DUPLICATE):
        errors.add("original_id", "suggestions.original_unknown")
    errors.raise_if_any()
    suggestion.duplicate_of_id = original.id
    return _triaged(session, actor, suggestion, Outcome.DUPLICATE, f"#{original.id}", original=original.id)


def open_ticket(session: Session, *, actor: Principal, suggestion_id: Any, expected_version: int | None,
                kind: str = Kind.REQUEST.value, tier: str = Tier.NORMAL.value) -> Ticket:
    """转工单: a ticket of the suggestion's community, room and category, on the channel it came by."""
    suggestion = _load(session, actor, suggestion_id, expected_version)
    require_status(suggestion, SuggestionStatus.NEW)
    if kind not in TICKET_KINDS:
        raise DomainError("tickets.kind_invalid")
    first_line = suggestion.content.strip().splitlines()[0]
    ticket = create_ticket(session, actor=actor, data=TicketInput(
        kind=kind, category_id=suggestion.category_id, tier=tier, channel=TICKET_CHANNEL[suggestion.channel].value,
        title=first_line[:30] + ("…" if len(first_line) > 30 else ""),
        description=f"{suggestion.content}\n\n(意见箱 #{suggestion.id})", room_id=suggestion.room_id,
        community_id=suggestion.community_id))
    suggestion.ticket_id = ticket.id
    _triaged(session, actor, suggestion, Outcome.TICKET, ticket.code, ticket=ticket.code)
    return ticket


def reply(session: Session, *, actor: Principal, suggestion_id: Any, expected_version: int | None,
          text: str) -> Suggestion:
    """The answer, after triage. A portal suggestion's reply reaches its writer's inbox through the outbox; for a
    slip or a visit the reply is recorded and given by the steward."""
    suggestion = _load(session, actor, suggestion_id, expected_version)
    require_status(suggestion, SuggestionStatus.TRIAGED)
    errors = FieldErrors()
    answer = clean_reason(errors, "reply", text, max_length=2000)
    errors.raise_if_any()
    suggestion.status, suggestion.reply = SuggestionStatus.REPLIED, answer
    suggestion.replied_by, suggestion.replied_at = actor.username, utcnow()
    session.add(suggestion)
    session.flush()
    if suggestion.account_id is not None:
        enqueue(session, key=f"suggestion:{suggestion.id}:reply",
                to=Address(Recipient.OWNER_ACCOUNT, suggestion.account_id, NotifyChannel.INBOX, None,
                           suggestion.language),
                template="notify.suggestion_replied",
                params={"received": local_text(suggestion.received_at), "reply": answer, "path": "/portal/suggestions"},
                community_id=suggestion.community_id, cause=f"suggestion:{suggestion.id}")
    audit(session, actor, "suggestion.reply", suggestion, told=suggestion.account_id is not None)
    return suggestion


def close(session: Session, *, actor: Principal, suggestion_id: Any, expected_version: int | None) -> Suggestion:
    suggestion = _load(session, actor, suggestion_id, expected_version)
    require_status(suggestion, SuggestionStatus.REPLIED)
    suggestion.status, suggestion.closed_at = SuggestionStatus.CLOSED, utcnow()
    session.add(suggestion)
    session.flush()
    audit(session, actor, "suggestion.close", suggestion)
    return suggestion


@dataclasses.dataclass
class ImprovementInput:
    measure: str = ""  # 整改措施
    publish: bool = False  # publish it now as 整改公示 (needs the notices permission)


def set_improvement(session: Session, *, actor: Principal, suggestion_id: Any, expected_version: int | None,
                    data: ImprovementInput) -> Suggestion:
    """The improvement action of an accepted suggestion; published, it becomes a 整改公示 to every owner of the
    community (submitted for a manager's approval like any notice) and can no longer change."""
    suggestion = _load(session, actor, suggestion_id, expected_version)
    if suggestion.outcome != Outcome.ACCEPTED:
        raise DomainError("suggestions.not_accepted")
    if suggestion.improvement_notice_ref:
        raise DomainError("suggestions.improvement_published")
    errors = FieldErrors()
    measure = clean_reason(errors, "measure", data.measure, max_length=2000)
    errors.raise_if_any()
    suggestion.improvement = measure
    if data.publish:
        actor.require(Perm.NOTICES_DRAFT)
        suggestion.improvement_notice_ref = publication.publish_improvement(session, actor=actor,
                                                                            suggestion=suggestion)
    session.add(suggestion)
    session.flush()
    audit(session, actor, "suggestion.improvement", suggestion, published=bool(data.publish))
    return suggestion

