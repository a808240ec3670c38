"""An uploaded owner sheet: the dry run, and the import that checks it again in its own transaction."""

from __future__ import annotations

from sqlmodel import Session

from pm_admin.core.files import StoredUpload, discard_upload, read_upload
from pm_admin.core.permissions import Principal
from pm_admin.owners.files import IMPORT_PURPOSE
from pm_admin.owners.spreadsheet.columns import Progress
from pm_admin.owners.spreadsheet.commit import ImportResult, commit_import
from pm_admin.owners.spreadsheet.plan import ImportPlan, plan_import


def _planned(session: Session, principal: Principal, upload_id: str,
             progress: Progress) -> tuple[StoredUpload, ImportPlan]:
    upload, data = read_upload(session, principal=principal, upload_id=upload_id, purpose_name=IMPORT_PURPOSE)
    return upload, plan_import(session, principal, upload.filename, data, progress)


def check_upload(session: Session, principal: Principal, upload_id: str, progress: Progress) -> ImportPlan:
    """The dry run: what the sheet would do and each row's errors; nothing is written."""
    return _planned(session, principal, upload_id, progress)[1]


def import_upload(session: Session, principal: Principal, upload_id: str, *, check_progress: Progress,
                  write_progress: Progress) -> tuple[ImportPlan, ImportResult | None]:
    """Checked again inside the writing transaction (the database may have moved since the dry run); all or
    nothing: with any row error nothing is written and the result is None."""
    upload, plan = _planned(session, principal, upload_id, check_progress)
    if plan.errors:
        return plan, None
    result = commit_import(session, principal, plan, source=f"{upload.filename} {upload.sha256[:12]}",
                           progress=write_progress)
    discard_upload(session, upload.id)
    return plan, result
