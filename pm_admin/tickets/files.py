"""The day's review 日清日审 as an XLSX workbook: the day's figures, then late and near-late tickets by department."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.files import Download
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal
from pm_admin.core.tables import TextSheet, export_workbook, workbook_bytes
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
    workbook = export_workbook()
    sheet = TextSheet(workbook, translate("tickets.review_title", language))
    sheet.append([translate("tickets.review_title", language), review["day"]])
    for key in ("new", "closed", "overdue", "due_soon", "on_hold"):
        sheet.append([translate(f"tickets.review.{key}", language), review["figures"][key]])
    sheet.append([])
    sheet.append([translate(key, language) for key in COLUMN_KEYS])
    for group in review["groups"]:
        for row in group["tickets"]:
            sheet.append([group["department"], row["code"], row["title"],
                          translate(f"tickets.tier.{row['tier']}", language),
                          translate(f"tickets.status.{row['status']}", language), row["room"], row["assignee"],
                          row["resolve_due"], translate(f"tickets.sla.{row['sla_state']}", language) + " " +
                          row["sla_text"], translate(f"tickets.missed.{row['missed']}", language) if row["missed"]
                          else "", row["hold_until"], progress_text(row, language)])
    record(session, action="ticket.review_export", actor=principal, entity_type="ticket",
           details={"day": review["day"], "rows": sum(len(g["tickets"]) for g in review["groups"])})
    return Download(f"日清日审-{review['day']}.xlsx", XLSX, [workbook_bytes(workbook)])


DOWNLOADS = {"ticket_review": review_xlsx}
