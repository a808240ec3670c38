"""The dashboard page's state: filters, KPI cards, figures; every number comes from ``dashboards.kpis``."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only
from pm_admin.core.guard import requires
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import Perm
from pm_admin.dashboards import charts, kpis
from pm_admin.dashboards.cards import kpi_cards
from pm_admin.dashboards.files import FORMATS
from pm_admin.dashboards.periods import PERIOD_KEYS, period_for
from pm_admin.dashboards.tables import CHARTS
from pm_admin.places.queries import community_options

ALL = "all"


class DashboardState(ProtectedState):
    period: str = PERIOD_KEYS[0]
    community: str = ALL
    period_text: str = ""
    community_choices: list[dict[str, str]] = []
    cards: list[dict[str, str]] = []
    hot_topics: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    has_satisfaction: bool = False
    can_open_tickets: bool = False  # executives see the figures, not the tickets behind them
    fig_volume: go.Figure = go.Figure()
    fig_sla: go.Figure = go.Figure()
    fig_resolve_time: go.Figure = go.Figure()
    fig_callbacks: go.Figure = go.Figure()
    fig_valid_complaints: go.Figure = go.Figure()
    fig_complaints: go.Figure = go.Figure()
    fig_repeats: go.Figure = go.Figure()
    fig_arrears: go.Figure = go.Figure()
    fig_satisfaction_trend: go.Figure = go.Figure()
    fig_satisfaction_indicators: go.Figure = go.Figure()
    fig_satisfaction_matrix: go.Figure = go.Figure()

    def _community_id(self) -> int | None:
        return int(self.community) if is_id(self.community) else None

    def _load(self) -> None:
        period = period_for(self.period)
        with read_only() as session:
            data = kpis.dashboard(session, self.principal, period, self._community_id(), self.lang)
        self.period_text = f"{period.start.isoformat()} – {period.end.isoformat()}"
        self.cards = kpi_cards(data, self.lang)
        scope = {"community": str(self._community_id())} if self._community_id() else {}
        self.hot_topics = [{**h, "href": "/tickets?" + urlencode({"q": h["word"], "status": "all", **scope})}
                           for h in data["hot_topics"]]
        self.warnings = [{key: (round(value, 1) if isinstance(value, float) else value) for key, value in w.items()}
                         for w in data["warnings"]]
        self.has_satisfaction = bool(data["satisfaction"]["trend"])
        for name, figure in charts.figures(data, self.lang).items():
            setattr(self, f"fig_{name}", figure)

    @requires(Perm.DASHBOARD_VIEW)
    def load(self):
        params = dict(self.router.url.query_parameters)
        self.period = params.get("period") if params.get("period") in PERIOD_KEYS else PERIOD_KEYS[0]
        self.can_open_tickets = self.principal.has(Perm.TICKETS_VIEW)
        with read_only() as session:
            choices = community_options(session, self.principal)
        self.community_choices = [{"value": str(i), "label": name} for i, name in choices]
        wanted = str(params.get("community", ""))
        self.community = wanted if any(c["value"] == wanted for c in self.community_choices) else ALL
        self._load()

    @requires(Perm.DASHBOARD_VIEW)
    def set_period(self, value: str):
        if value in PERIOD_KEYS:
            self.period = value
            self._load()
        return self._url()

    @requires(Perm.DASHBOARD_VIEW)
    def set_community(self, value: str):
        self.community = value if any(c["value"] == value for c in self.community_choices) else ALL
        self._load()
        return self._url()

    def _url(self):
        params = {"period": self.period, **({"community": self.community} if self.community != ALL else {})}
        return rx.call_script(f"window.history.replaceState(null, '', {json.dumps('/dashboard?' + urlencode(params))})")

    @requires(Perm.DASHBOARD_VIEW)
    def download(self, chart: str, file_format: str):
        if chart not in CHARTS or file_format not in FORMATS:
            return None
        return self._start_download("dashboard_chart", {
            "chart": chart, "format": file_format, "period": self.period, "community_id": self._community_id(),
            "language": self.lang})
