"""What a monthly report is made of: sections, each computing its figures once (stored in the snapshot) and showing
them as a table in the reader's language (the XLSX sheet and the PDF table are the same table).

A section's ``compute`` returns plain JSON. A snapshot keeps the sections that existed when it was generated; a
section added later appears in the months generated after it, never in a stored month.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from pm_admin.core.permissions import SYSTEM
from pm_admin.dashboards import kpis
from pm_admin.dashboards.periods import Period


@dataclasses.dataclass
class Context:
    """One community and period being reported. The dashboard's figures are computed once for all sections, as the
    system: a report is the community's document, the same whoever asked for it (the reader's scope is checked
    before anything is computed)."""

    session: Session
    community_id: int
    period: Period
    now: datetime
    _dashboard: dict | None = None

    @property
    def scope(self) -> frozenset[int]:
        return frozenset({self.community_id})

    @property
    def dashboard(self) -> dict:
        if self._dashboard is None:
            self._dashboard = kpis.dashboard(self.session, SYSTEM, self.period, self.community_id, now=self.now)
        return self._dashboard

    @property
    def kpis(self) -> dict[str, dict]:
        """``kpis.report``: every dashboard figure with its numerator and denominator."""
        return self.dashboard["report"]


@dataclasses.dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Any]]
    widths: list[int]  # in characters, per column (XLSX column widths; the PDF shares the page by them)


@dataclasses.dataclass(frozen=True)
class Section:
    key: str  # its title is the catalog's reports.section.<key>
    compute: Callable[[Context], Any]
    table: Callable[[Any, str], Table]
    chart: Callable[[Any, str], Any] | None = None  # a reportlab Drawing for the PDF
