"""``python -m pm_admin.cli kpi-report``: every dashboard figure with its numerator and denominator, as JSON.

Anyone with the database can audit the cards: the numbers come from the same function the dashboard calls
(``kpis.report``), for a period of Shanghai calendar days and one community or all of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.core.errors import DomainError
from pm_admin.core.permissions import Perm, Principal
from pm_admin.dashboards import kpis
from pm_admin.dashboards.periods import PERIOD_KEYS, period_for
from pm_admin.places.models import Community

# The reader the command acts as: every community, the permissions the dashboard's figures read with.
AUDITOR = Principal(user_id=0, username="kpi-report", display_name="kpi-report", roles=frozenset({"executive"}),
                    permissions=frozenset({Perm.DASHBOARD_VIEW, Perm.ARREARS_VIEW, Perm.SURVEYS_VIEW}),
                    all_communities=True, community_ids=frozenset(), session_id=0)


def kpi_report(session: Session, period_key: str, community: str = "all", now: datetime | None = None,
               principal: Principal = AUDITOR) -> dict:
    """``principal`` narrows the figures to its communities (an integration token's); the command reads them all."""
    if period_key not in PERIOD_KEYS:
        raise DomainError("dashboard.period_unknown", allowed=", ".join(PERIOD_KEYS))
    community_id = None
    if community != "all":
        community_id = session.exec(select(Community.id).where(Community.code == community)).first()
        if community_id is None:
            raise DomainError("dashboard.community_unknown", code=community)
        principal.require_community(community_id)
    today = now.astimezone(DISPLAY_ZONE).date() if now else None
    period = period_for(period_key, today)
    figures = kpis.report(session, principal, period, community_id, now=now)
    return {"period": {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()},
            "community": community, "kpis": figures}
