"""Owner files: the import upload purpose and the export/template downloads."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session

from pm_admin.core.audit import record
from pm_admin.core.crypto import decrypt, encrypt
from pm_admin.core.files import Download, UploadPurpose
from pm_admin.core.i18n import DEFAULT_LANGUAGE, translate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners.queries import OwnerFilter, export_rows, masked_search, personal_search
from pm_admin.owners.spreadsheet.columns import MAX_BYTES
from pm_admin.owners.spreadsheet.export import contact_details, export_csv, export_keys, export_xlsx, template

IMPORT_PURPOSE = "owners_import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

IMPORT_UPLOAD = UploadPurpose(Perm.OWNERS_IMPORT, MAX_BYTES, (".csv", ".xlsx"))


def export_params(filters: OwnerFilter, *, fmt: str, full_pii: bool, language: str,
                  ownership_ids: list[int] | None = None, sort: str = "", descending: bool = False,
                  columns: list[str] | None = None) -> dict[str, Any]:
    """What the download ticket keeps (a database row): a phone or ID number search only encrypted.
    ``sort`` and ``columns`` are the grid's as shown (no columns: every column, a file that imports back)."""
    stored = dataclasses.asdict(filters)
    search_enc = None
    if personal_search(filters.search):
        stored["search"], search_enc = "", encrypt(filters.search)
    return {"filters": stored, "search_enc": search_enc, "fmt": fmt if fmt in ("csv", "xlsx") else "xlsx",
            "full_pii": full_pii, "language": language, "ownership_ids": ownership_ids, "sort": sort,
            "descending": descending, "columns": columns}


def _ticket_filter(params: dict[str, Any]) -> OwnerFilter:
    filters = OwnerFilter(**params["filters"])
    if params.get("search_enc"):
        filters = dataclasses.replace(filters, search=decrypt(params["search_enc"]) or "")
    return filters


def _export(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    filters = _ticket_filter(params)
    rows = list(export_rows(session, principal, filters, full_pii=bool(params["full_pii"]),
                            ownership_ids=params.get("ownership_ids"), sort=str(params.get("sort") or ""),
                            descending=bool(params.get("descending"))))
    keys = export_keys(params.get("columns"))
    details = contact_details(session, (row.owner_id for row in rows), full_pii=bool(params["full_pii"]))
    shown = {**dataclasses.asdict(filters), "search": masked_search(filters.search)}  # the audit keeps no number
    record(session, action="owner.export", actor=principal, entity_type="owner",
           details={"rows": len(rows), "full_pii": bool(params["full_pii"]), "format": params["fmt"],
                    "filters": {k: v for k, v in shown.items() if v},
                    "selected": len(params["ownership_ids"]) if params.get("ownership_ids") else None})
    stamp = "owners"
    if params["fmt"] == "csv":
        return Download(f"{stamp}.csv", CSV, export_csv(rows, details, params["language"], keys))
    return Download(f"{stamp}.xlsx", XLSX, [export_xlsx(rows, details, params["language"], keys)])


def _template(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    principal.require(Perm.OWNERS_IMPORT)
    fmt = "csv" if params.get("fmt") == "csv" else "xlsx"
    name = translate("owners.template_filename", params.get("language", DEFAULT_LANGUAGE))
    return Download(f"{name}.{fmt}", CSV if fmt == "csv" else XLSX,
                    [template(fmt, params.get("language", DEFAULT_LANGUAGE))])


DOWNLOADS = {"owners_export": _export, "owners_template": _template}
