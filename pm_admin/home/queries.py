"""Figures for the role home pages."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlmodel import Session

from pm_admin.audit.queries import count_recent
from pm_admin.auth.queries import UserTotals, user_totals
from pm_admin.core.clock import utcnow
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.queries import PlaceTotals, place_totals


@dataclasses.dataclass(frozen=True)
class HomeFigures:
    places: PlaceTotals
    users: UserTotals | None  # only for those who manage or oversee staff
    failed_logins_24h: int | None  # only for those who read the audit log


def home_figures(session: Session, principal: Principal) -> HomeFigures:
    sees_staff = principal.has(Perm.USERS_MANAGE) or principal.has(Perm.AUDIT_VIEW) or "executive" in principal.roles
    return HomeFigures(
        places=place_totals(session, principal),
        users=user_totals(session, principal) if sees_staff else None,
        failed_logins_24h=(
            count_recent(session, principal, action="auth.login_failed", since=utcnow() - timedelta(hours=24))
            if principal.has(Perm.AUDIT_VIEW) else None
        ),
    )
