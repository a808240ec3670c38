"""Who reads what a community publishes in the portal: the active accounts of its current owners.

Lower domains (meetings) cannot import the portal; ``wiring`` hands them ``owner_accounts_of_community``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_today
from pm_admin.owners.models import Ownership
from pm_admin.portal.models import AccountStatus, OwnerAccount, PersonKind


def owner_accounts_of_community(session: Session, community_id: int) -> list[tuple[int, str]]:
    """(account id, language) of active accounts of owners who own a room of the community today."""
    today = local_today()
    owners = select(Ownership.owner_id).where(
        Ownership.community_id == community_id, Ownership.started_on <= today,
        sa.or_(col(Ownership.ended_on).is_(None), Ownership.ended_on > today))
    return [(account_id, language) for account_id, language in session.exec(
        select(OwnerAccount.id, OwnerAccount.language).where(
            OwnerAccount.status == AccountStatus.ACTIVE, OwnerAccount.person_kind == PersonKind.OWNER,
            col(OwnerAccount.person_id).in_(owners)).order_by(OwnerAccount.id)).all()]
