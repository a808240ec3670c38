"""What the suggestion services share: loading one in scope, the status check, the audit entry, the reply due date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.errors import DomainError
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.settings import get_settings
from pm_admin.suggestions.models import Suggestion, SuggestionStatus


def reply_due(received_on: date) -> date:
    return received_on + timedelta(days=get_settings().suggestion_reply_days)


def load_suggestion(session: Session, actor: Principal, suggestion_id: Any,
                    permission: str = Perm.SUGGESTIONS_MANAGE) -> Suggestion:
    actor.require(permission)
    return load_scoped(session, Suggestion, suggestion_id, actor, entity="suggestion")


def require_status(suggestion: Suggestion, *statuses: SuggestionStatus) -> None:
    if suggestion.status not in statuses:
        raise DomainError("suggestions.wrong_status", status=str(suggestion.status))


def audit(session: Session, actor: Principal, action: str, suggestion: Suggestion, **details: Any) -> None:
    record(session, action=action, actor=actor, entity_type="suggestion", entity_id=suggestion.id,
           community_id=suggestion.community_id, details=details)
