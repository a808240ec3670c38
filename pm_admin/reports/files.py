"""The report downloads, through the one-time download tickets of ``core.files``: the monthly report as XLSX or
PDF, and the weekly repair-callback batch list as XLSX or PDF. Each checks its permission and the community's scope
in its service; each download is audited."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.errors import NotFound
from pm_admin.core.files import Download
from pm_admin.core.permissions import Principal
from pm_admin.reports import monthly_render, weekly_render
from pm_admin.reports.monthly import monthly_report
from pm_admin.reports.weekly import callback_batch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
FORMATS = {"xlsx": XLSX, "pdf": PDF}


def _format(params: dict[str, Any]) -> str:
    chosen = params.get("format")
    if chosen not in FORMATS:
        raise NotFound("format")
    return chosen


def monthly_file(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    chosen, language = _format(params), params.get("language", "zh-CN")
    report = monthly_report(session, principal, params.get("community_id"), params.get("month"))
    render = monthly_render.monthly_xlsx if chosen == "xlsx" else monthly_render.monthly_pdf
    record(session, action="report.export", actor=principal, entity_type="monthly_report",
           entity_id=f"{report.community_code}:{report.figures['month']}", community_id=report.community_id,
           details={"format": chosen, "provisional": report.provisional})
    return Download(monthly_render.file_name(report, chosen), FORMATS[chosen], [render(report, language)])


def batch_file(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    chosen, language = _format(params), params.get("language", "zh-CN")
    batch = callback_batch(session, principal, params.get("community_id"), params.get("week"), language)
    render = weekly_render.batch_xlsx if chosen == "xlsx" else weekly_render.batch_pdf
    record(session, action="report.batch_export", actor=principal, entity_type="community",
           entity_id=batch["community"]["id"], community_id=batch["community"]["id"],
           details={"format": chosen, "week": batch["week"], "rows": len(batch["rows"])})
    return Download(weekly_render.file_name(batch, chosen), FORMATS[chosen], [render(batch, language)])


DOWNLOADS = {"monthly_report": monthly_file, "callback_batch": batch_file}
