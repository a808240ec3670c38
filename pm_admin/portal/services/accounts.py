"""Staff looking after owner accounts: the list of a community's accounts, disabling and enabling one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import FieldErrors, NotFound
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.portal.models import AccountStatus, OwnerAccount
from pm_admin.portal.services import sessions


def disable(session: Session, *, actor: Principal, account_id: int, reason: str, now: datetime | None = None) -> None:
    """The account can no longer sign in and its sessions end at once (audited)."""
    actor.require(Perm.OWNER_ACCOUNTS_MANAGE)
    account = load_scoped(session, OwnerAccount, account_id, actor)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, max_length=200, required=True)
    errors.raise_if_any()
    if account.status == AccountStatus.DISABLED:
        return
    before = str(account.status)
    account.status, account.disabled_at, account.disabled_reason = AccountStatus.DISABLED, now or utcnow(), reason
    session.add(account)
    sessions.end_all(session, account.id, "disabled")
    record(session, action="portal.account_disabled", actor=actor, entity_type="owner_account", entity_id=account.id,
           community_id=account.community_id, before={"status": before}, after={"status": "disabled"},
           details={"reason": reason})


def enable(session: Session, *, actor: Principal, account_id: int) -> None:
    """Back to active if it had a password, else to invited (a new invitation is needed)."""
    actor.require(Perm.OWNER_ACCOUNTS_MANAGE)
    account = load_scoped(session, OwnerAccount, account_id, actor)
    if account.status != AccountStatus.DISABLED:
        raise NotFound("owner_account")
    account.status = AccountStatus.ACTIVE if account.password_hash else AccountStatus.INVITED
    account.disabled_at, account.disabled_reason = None, ""
    session.add(account)
    record(session, action="portal.account_enabled", actor=actor, entity_type="owner_account", entity_id=account.id,
           community_id=account.community_id, before={"status": "disabled"}, after={"status": str(account.status)})
