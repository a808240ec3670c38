"""Ticket workbooks: the ledger 工单台账 of the list's view, and the day's review 日清日审 (the day's figures, then late
and near-late tickets by department). Columns fit their content, the header stays in view, long text wraps."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.clock import local_today
from pm_admin.core.files import Download
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal
from pm_admin.core.tables import export_workbook, table_sheet, workbook_bytes
from pm_admin.tickets.ledger import COLUMNS, MAX_ROWS, LedgerView, ledger
from pm_admin.tickets.services.review import daily_review

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMN_KEYS = ("tickets.col.department", "tickets.col.code", "tickets.col.title", "tickets.col.tier",
               "tickets.col.status", "tickets.col.room", "tickets.col.assignee", "tickets.col.resolve_due",
               "tickets.col.sla", "tickets.col.missed", "tickets.hold_until", "tickets.col.progress")


def progress_text(row: dict[str, Any], language: str) -> str:
    """"11-22 13:03 赵师傅 处理中：已到场" from the latest timeline event."""
    if not row["progress_at"]:
        return ""
    what = translate(f"tickets.event.{row['progress_kind']}", language)
    if row["progress_to"]:
        what += " → " + translate(f"tickets.status.{row['progress_to']}", language)
    return f"{row['progress_at']} {row['progress_by']} {what}" + (f"：{row['progress']}" if row["progress"] else "")


def review_xlsx(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    language = params.get("language", "zh-CN")
    review = daily_review(session, principal, date.fromisoformat(params["day"]), language=language)
    rows = [[group["department"], row["code"], row["title"], translate(f"tickets.tier.{row['tier']}", language),
             translate(f"tickets.status.{row['status']}", language), row["room"], row["assignee"], row["resolve_due"],
             translate(f"tickets.sla.{row['sla_state']}", language) + " " + row["sla_text"],
             translate(f"tickets.missed.{row['missed']}", language) if row["missed"] else "", row["hold_until"],
             progress_text(row, language)]
            for group in review["groups"] for row in group["tickets"]]
    figures = [cell for key in ("new", "closed", "overdue", "due_soon", "on_hold")
               for cell in (translate(f"tickets.review.{key}", language), review["figures"][key])]
    workbook = export_workbook()
    table_sheet(workbook, translate("tickets.review_title", language), [translate(k, language) for k in COLUMN_KEYS],
                rows, above=[[translate("tickets.review_title", language), review["day"]], figures])
    record(session, action="ticket.review_export", actor=principal, entity_type="ticket",
           details={"day": review["day"], "rows": len(rows)})
    return Download(f"日清日审-{review['day']}.xlsx", XLSX, [workbook_bytes(workbook)])


def ledger_xlsx(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    language, view = params.get("language", "zh-CN"), LedgerView.of(params)
    found = ledger(session, principal, view, language=language)
    title = translate("tickets.ledger_title", language)
    rows = [[row[key] for key, _ in COLUMNS] for row in found.rows]
    # A view cut at MAX_ROWS says so in the file itself, under its last row.
    cut = [[translate("tickets.ledger_cut", language, shown=MAX_ROWS, total=found.total)]] \
        if found.total > len(rows) else []
    workbook = export_workbook()
    table_sheet(workbook, title, [translate(label, language) for _, label in COLUMNS], rows, below=cut)
    record(session, action="ticket.ledger_export", actor=principal, entity_type="ticket",
           details={"rows": len(found.rows), "total": found.total, "status": view.status,
                    "filters": {k: v for k, v in params["filters"].items() if v}})
    return Download(f"{title}-{local_today().isoformat()}.xlsx", XLSX, [workbook_bytes(workbook)])


DOWNLOADS = {"ticket_review": review_xlsx, "ticket_ledger": ledger_xlsx}
