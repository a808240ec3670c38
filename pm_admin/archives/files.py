"""The 业主档案目录表 export (seed 4.3.4): 房号, 档案编号, 业主姓名, 入住时间, 档案页数, 备注."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from pm_admin.archives.queries import ArchiveFilter, catalog_export_rows
from pm_admin.core.audit import record
from pm_admin.core.files import Download
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal
from pm_admin.core.tables import export_workbook, table_sheet, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMN_KEYS = ("archives.col.room", "archives.col.archive_no", "archives.col.owners", "archives.col.moved_in",
               "archives.col.pages", "archives.col.remarks")


def remarks_cell(remarks: str, voided: int, language: str) -> str:
    """备注: the archivist's remarks, then how many documents were voided."""
    voided_text = translate("archives.voided_count", language, count=voided) if voided else ""
    if remarks and voided_text:
        return translate("archives.remarks_and_voided", language, remarks=remarks, voided=voided_text)
    return remarks or voided_text


def catalog_params(filters: ArchiveFilter, language: str) -> dict[str, Any]:
    return {"filters": filters.__dict__, "language": language}


def catalog_xlsx(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    language = params.get("language", "zh-CN")
    rows, _total = catalog_export_rows(session, principal, ArchiveFilter(**params["filters"]))
    workbook = export_workbook()
    table_sheet(workbook, translate("archives.catalog_title", language), [translate(key, language) for key in COLUMN_KEYS],
                [[row.room_code, row.archive_no, row.owner_names, row.moved_in, row.pages,
                  remarks_cell(row.remarks, row.voided, language)] for row in rows])
    record(session, action="archive.catalog_export", actor=principal, entity_type="archive",
           details={"rows": len(rows), "filters": {k: v for k, v in params["filters"].items() if v}})
    return Download(f"{translate('archives.catalog_title', language)}.xlsx", XLSX, [workbook_bytes(workbook)])


DOWNLOADS = {"archive_catalog": catalog_xlsx}
