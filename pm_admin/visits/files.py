"""The households not reached this year as an XLSX workbook (every row of the filtered list, text kept inert)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.clock import local_today
from pm_admin.core.files import Download
from pm_admin.core.i18n import translate
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.tables import TextSheet, export_workbook, workbook_bytes
from pm_admin.places.models import Room
from pm_admin.visits.coverage import NotReachedFilter, not_reached_statement, scope_ids

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMN_KEYS = ("visits.col.room", "places.community", "visits.col.building", "visits.col.owner", "visits.col.steward",
               "visits.col.last_visit")


def not_reached_xlsx(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    principal.require(Perm.VISITS_REPORT)
    language, today = params.get("language", "zh-CN"), local_today()
    filters = NotReachedFilter(community_id=optional_id(params.get("community_id")),
                               building_id=optional_id(params.get("building_id")))
    statement = not_reached_statement(scope_ids(session, principal, filters.community_id), filters, today)
    workbook = export_workbook()
    sheet = TextSheet(workbook, translate("visits.not_reached_title", language))
    sheet.append([translate(key, language) for key in COLUMN_KEYS])
    rows = 0
    for _, code, community, building, owner, steward, last in session.execute(
            statement.order_by(Room.sort_key, Room.id)).all():
        sheet.append([code, community, building, owner or "", steward or "", last.isoformat() if last else ""])
        rows += 1
    record(session, action="visit.not_reached_export", actor=principal, entity_type="community",
           entity_id=filters.community_id or "", community_id=filters.community_id, details={"year": today.year, "rows": rows})
    return Download(f"本年未走访-{today.isoformat()}.xlsx", XLSX, [workbook_bytes(workbook)])


DOWNLOADS = {"visits_not_reached": not_reached_xlsx}
