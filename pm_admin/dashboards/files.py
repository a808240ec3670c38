"""Chart data downloads (XLSX or CSV) through the one-time download tickets of ``core.files``."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.errors import NotFound
from pm_admin.core.files import Download
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.tables import TextSheet, csv_bytes, export_workbook, workbook_bytes
from pm_admin.dashboards import kpis
from pm_admin.dashboards.periods import period_for
from pm_admin.dashboards.tables import CHARTS, chart_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "csv")


def chart_file(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    principal.require(Perm.DASHBOARD_VIEW)
    chart, file_format = params.get("chart"), params.get("format")
    if chart not in CHARTS or file_format not in FORMATS:
        raise NotFound("chart")
    language = params.get("language", "zh-CN")
    period = period_for(params.get("period", ""))
    community_id = params.get("community_id") or None
    data = kpis.dashboard(session, principal, period, community_id, language)
    header, rows = chart_table(chart, data, language)
    title = translate(f"dashboard.chart.{chart}", language)
    name = f"{title}-{period.start.isoformat()}_{period.end.isoformat()}.{file_format}"
    record(session, action="dashboard.export", actor=principal, entity_type="dashboard", community_id=community_id,
           details={"chart": chart, "format": file_format, "period": period.key, "rows": len(rows)})
    if file_format == "csv":
        return Download(name, "text/csv; charset=utf-8", [csv_bytes([header, *rows])])
    workbook = export_workbook()
    sheet = TextSheet(workbook, title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    return Download(name, XLSX, [workbook_bytes(workbook)])


DOWNLOADS = {"dashboard_chart": chart_file}
