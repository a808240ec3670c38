"""What the dashboard page shows for one scope, period and language: built once, then served from memory.

Building it (the KPI queries and eleven Plotly figures) costs tens of milliseconds; many managers open the same view.
An entry is keyed by the reader's scope and permissions, the community, the period and its day and the language. It
is rebuilt when the data changed (the ``dashboard`` generation of ``core.change_watch``: a committed change in this
process) and it is older than ``FRESH_FOR`` (10 s), and in any case after ``MAX_AGE``: another worker's changes, and
figures that count "due by now", show within a minute.
Figures are kept as plain JSON without Plotly's template (the page's chart component brings its own), so a state
update carries data and layout only.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from pm_admin.auth.models import LoginSession, LoginThrottle
from pm_admin.core import change_watch
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.files import DownloadTicket, StoredUpload
from pm_admin.core.i18n import translate
from pm_admin.core.memo import Memo
from pm_admin.core.permissions import Principal
from pm_admin.core.saved_views import SavedView
from pm_admin.dashboards import charts, kpis
from pm_admin.dashboards.cards import kpi_cards
from pm_admin.dashboards.periods import period_for
from pm_admin.dashboards.tables import feedback_channel_table
from pm_admin.tickets.models import Notification

TOPIC = "dashboard"
MAX_AGE = timedelta(seconds=60)
# Younger than this, a view is served even when the data changed since: on a busy desk every minute brings moves,
# and a dashboard at most this far behind is what a reader expects of a report (the ticket pages are live).
FRESH_FOR = timedelta(seconds=10)
MAX_ENTRIES = 256


@dataclasses.dataclass(frozen=True)
class DashboardView:
    period_text: str
    cards: list[dict[str, str]]
    hot_topics: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    has_satisfaction: bool
    figures: dict[str, dict]
    matrix_height: str
    feedback_counts: dict[str, int]  # total, tickets, suggestions
    feedback_header: list[str]  # the channel × category table, as the download has it
    feedback_rows: list[list[str]]
    feedback_issues: list[dict[str, Any]]
    group_rows: list[dict[str, str]]  # VIP groups: coverage, response time, violations per 100 members


_views: Memo[tuple[int, DashboardView]] = Memo(max_age=MAX_AGE, max_entries=MAX_ENTRIES)


def install() -> None:
    """Every table but the app's own bookkeeping (audit, sign-ins, notices, uploads, saved views) feeds a figure."""
    change_watch.watch_all(TOPIC, except_models=(AuditEvent, LoginSession, LoginThrottle, Notification,
                                                 StoredUpload, DownloadTicket, SavedView))


def lean(figure) -> dict:
    """The figure as JSON, without the template Plotly puts into every layout."""
    data = json.loads(figure.to_json())
    data.get("layout", {}).pop("template", None)
    return data


def build(session: Session, principal: Principal, period_key: str, community_id: int | None,
          language: str) -> DashboardView:
    period = period_for(period_key)
    data = kpis.dashboard(session, principal, period, community_id, language)
    figures = charts.figures(data, language)
    feedback = data["feedback"]
    header, rows = feedback_channel_table(data, lambda key: translate(key, language))
    return DashboardView(
        period_text=f"{period.start.isoformat()} – {period.end.isoformat()}",
        cards=kpi_cards(data, language),
        hot_topics=list(data["hot_topics"]),
        warnings=[{key: (round(value, 1) if isinstance(value, float) else value) for key, value in w.items()}
                  for w in data["warnings"]],
        has_satisfaction=bool(data["satisfaction"]["trend"]),
        figures={name: lean(figure) for name, figure in figures.items()},
        matrix_height=f"{figures['satisfaction_matrix'].layout.height}px",
        feedback_counts={key: feedback[key] for key in ("total", "tickets", "suggestions")},
        feedback_header=header,
        feedback_rows=[[str(value) for value in row] for row in rows],
        feedback_issues=[dict(issue) for issue in feedback["top_issues"]],
        group_rows=[group_row(score) for score in data["groups"]],
    )


def group_row(score: dict[str, Any]) -> dict[str, str]:
    """A group's figures as the table shows them ("–" where there is nothing to divide by)."""
    def shown(value, suffix: str = "") -> str:
        return "–" if value is None else f"{value}{suffix}"

    return {"group": score["group"], "members": str(score["members"]), "vip_owners": str(score["vip_owners"]),
            "coverage": shown(score["coverage"], "%"), "response_hours": shown(score["response_hours"]),
            "violations_per_100": shown(score["violations_per_100"])}


def dashboard_view(session: Session, principal: Principal, period_key: str, community_id: int | None,
                   language: str, *, now: datetime | None = None) -> DashboardView:
    now = now or utcnow()
    if change_watch.changed_in(session, TOPIC):  # this transaction's own changes are not in any cached view
        return build(session, principal, period_key, community_id, language)
    key = (change_watch.database_of(session), principal.all_communities, principal.community_ids,
           principal.permissions, community_id, period_key, local_today(), language)
    generation = change_watch.generation(TOPIC)
    cached = _views.get(key, now)
    if cached is not None and (cached[0] == generation or _views.age(key, now) <= FRESH_FOR):
        return cached[1]
    return _views.put(key, (generation, build(session, principal, period_key, community_id, language)), now)[1]
