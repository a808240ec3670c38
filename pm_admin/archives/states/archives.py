"""Archive page states: the catalog, one archive (its dialogs and paged records)."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from pm_admin.archives import queries
from pm_admin.archives.files import catalog_params
from pm_admin.archives.models import DocType
from pm_admin.archives.services import access as archive_access
from pm_admin.archives.services import catalog as archive_catalog
from pm_admin.archives.services import common as archive_common
from pm_admin.archives.services import entries as archive_entries
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_text
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.guard import protected_var, requires
from pm_admin.core.ids import optional_id, route_id
from pm_admin.core.paged_state import PagedMixin, first_pages
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.places.pickers import PLACE_KEYS, PLACE_PICKERS
from pm_admin.places.queries import room_id_by_code
from pm_admin.ui.uploads import upload_refusal, upload_script

DOC_TYPES = [d.value for d in DocType]  # labels come from the catalog (doc.<type>)
UPLOAD_INPUT = "archive-scan-file"


# ---------------------------------------------------------------- the catalog


CATALOG_FILTERS = ("community", "building", "unit", "q", "owner")


def catalog_filter(f: dict[str, str]) -> queries.ArchiveFilter:
    """The catalog's URL filters (the page's and its print layout's) as the query takes them."""
    return queries.ArchiveFilter(community_id=optional_id(f.get("community")),
                                 building_id=optional_id(f.get("building")), unit_id=optional_id(f.get("unit")),
                                 search=f.get("q", ""), owner=f.get("owner", ""))


class ArchivesState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.ARCHIVES_VIEW
    _PATH: ClassVar[str] = "/archives"
    _FILTERS: ClassVar[tuple[str, ...]] = CATALOG_FILTERS
    _ID_FILTERS: ClassVar[frozenset[str]] = PLACE_KEYS
    _PICKERS: ClassVar[tuple[Picker, ...]] = PLACE_PICKERS
    can_manage: bool = False
    create_error: str = ""

    def _filters(self) -> queries.ArchiveFilter:
        return catalog_filter(self.filters)

    @protected_var(Perm.ARCHIVES_VIEW)
    def print_href(self) -> str:
        """The print layout of the catalog as filtered (every row, not the page on screen)."""
        query = urlencode({key: value for key, value in self.filters.items() if value})
        return "/print/archives" + (f"?{query}" if query else "")

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.catalog(session, self.principal, request, self._filters())

    @requires(Perm.ARCHIVES_VIEW)
    def load(self):
        self.can_manage = self.principal.has(Perm.ARCHIVES_MANAGE)
        self.create_error = ""
        self._start_filters()
        self._load()

    @requires(Perm.ARCHIVES_MANAGE)
    def create(self, form: dict[str, Any]):
        """建档 by room code."""
        with unit_of_work() as session:
            room_id = room_id_by_code(session, self.principal, str(form.get("room_code", "")))
            if room_id is None:
                self.create_error = self._tr("owners.room_unknown")
                return None
            archive = archive_catalog.ensure_archive(session, actor=self.principal, room_id=room_id)
        self.create_error = ""
        return rx.redirect(f"/archives/{archive.id}")

    @requires(Perm.ARCHIVES_VIEW)
    def export_catalog(self):
        return self._start_download("archive_catalog", catalog_params(self._filters(), self.lang))


# ---------------------------------------------------------------- one archive


class ArchiveDetailState(ProtectedState):
    found: bool = False
    header: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    grant_until: str = ""
    can_manage: bool = False
    can_request: bool = False
    _archive_id: int = 0

    def _reload(self) -> None:
        principal, archive_id = self.principal, self._archive_id
        # Emptied first: if the archive is refused (another community), nothing of the last one stays.
        self.found, self.header, self.entries, self.versions, self.grant_until = False, {}, [], [], ""
        with read_only() as session:
            header = queries.archive_header(session, principal, archive_id)
            if header is None:
                return
            self.found = True
            self.header = header.model_dump()
            self.entries = [e.model_dump() for e in queries.entries(session, principal, archive_id)]
            self.versions = [v.model_dump() for v in queries.file_versions(session, principal, archive_id)]
            grant = archive_access.active_grant(session, principal, archive_id)
        self.grant_until = local_text(grant.expires_at) if grant else ""

    def _load(self) -> None:
        self._reload()

    @requires(Perm.ARCHIVES_VIEW)
    async def load(self):
        raw = str(self.rx_router_page.params.get("archive_id", ""))
        self._archive_id = route_id(raw)
        self.can_manage = self.principal.has(Perm.ARCHIVES_MANAGE)
        self.can_request = self.principal.has(Perm.ARCHIVES_REQUEST)
        await close_dialogs(self)
        await off_loop(self._reload)
        await first_pages(self, *ARCHIVE_LISTS)

    def _entry(self, entry_id: int) -> dict[str, Any] | None:
        return next((e for e in self.entries if e["id"] == entry_id and not e["voided"]), None)


class ArchiveList(PagedMixin, mixin=True):
    """One of an archive's records, paged in SQL (empty while no archive is shown)."""

    _PAGE_PERMISSION: ClassVar[str] = Perm.ARCHIVES_VIEW

    def _page_of(self, session: Session, request: PageRequest) -> Page:
        raise NotImplementedError

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        if not self.found:
            return Page(rows=[], total=0, page=1, page_size=request.page_size)
        return self._page_of(session, request)


class ChangesList(ArchiveList, ArchiveDetailState):
    def _page_of(self, session: Session, request: PageRequest) -> Page:
        return queries.changes(session, self.principal, self._archive_id, self.lang, request)


class AccessLogList(ArchiveList, ArchiveDetailState):
    def _page_of(self, session: Session, request: PageRequest) -> Page:
        return queries.access_log(session, self.principal, self._archive_id, request)


class MyRequestsList(ArchiveList, ArchiveDetailState):
    def _page_of(self, session: Session, request: PageRequest) -> Page:
        return queries.my_requests(session, self.principal, self._archive_id, request)


ARCHIVE_LISTS = (ChangesList, AccessLogList, MyRequestsList)


class ArchiveDialog(DialogForm, mixin=True):
    """A dialog of the archive page: saved, the archive and its records show fresh."""

    def _saved(self, result: Any = None):
        self._close()
        self._reload()
        return [rx.toast.success(self._tr(self._SAVED)), *[records.refresh for records in ARCHIVE_LISTS]]

    def _scan_refused(self, upload: Any) -> bool:
        """The upload route's refusal, beside the file input."""
        refusal = upload_refusal(upload)
        if refusal is None:
            return False
        self.errors = {"file": self._tr(refusal[0], **refusal[1])}
        return True


class EntryForm(ArchiveDialog, ArchiveDetailState):
    """A catalog entry; saving uploads the scan first (our private route), whose answer comes back to
    ``save_entry`` with the upload id."""

    busy: bool = False

    @requires(Perm.ARCHIVES_MANAGE)
    def open_entry(self):
        self.busy = False
        self._open({"doc_type": DocType.CONVENTION.value, "title": "", "pages": "1", "copies": "1", "doc_date": "",
                    "handed_over_by": "", "received_by": self.principal.display_name, "remarks": ""},
                   record_id=self._archive_id)

    @requires(Perm.ARCHIVES_MANAGE)
    def submit_entry(self, form: dict[str, Any]):
        self._require_open()
        self._keep_input(form)
        self.busy = True
        return rx.call_script(upload_script(UPLOAD_INPUT, archive_common.DOCUMENT_PURPOSE), callback=EntryForm.save_entry)

    @requires(Perm.ARCHIVES_MANAGE)
    def save_entry(self, upload: dict[str, Any]):
        self.busy = False
        refusal = upload_refusal(upload)
        if refusal is not None and refusal[0] != "files.none":  # a scan is optional: none chosen is fine
            self._scan_refused(upload)
            return None
        has_file = refusal is None
        data = archive_entries.EntryInput(**{k: str(self.values.get(k, "")) for k in (
            "doc_type", "title", "pages", "copies", "doc_date", "handed_over_by", "received_by", "remarks")})
        return self._submit(self.values, lambda session: archive_entries.add_entry(
            session, actor=self.principal, archive_id=self._record_id, data=data,
            upload_id=str(upload["upload_id"]) if has_file else None))


class ReplaceForm(ArchiveDialog, ArchiveDetailState):
    """A new scan of an entry, with the reason; the entry's old scans stay."""

    busy: bool = False

    @requires(Perm.ARCHIVES_MANAGE)
    def open_replace(self, entry_id: int):
        entry = self._entry(entry_id)
        if entry is not None:
            self.busy = False
            self._open({"reason": ""}, record_id=entry["id"],
                       subject={"doc_type": entry["doc_type"], "title": entry["title"]})

    @requires(Perm.ARCHIVES_MANAGE)
    def submit_replacement(self, form: dict[str, Any]):
        self._require_open()
        self._keep_input(form)
        self.busy = True
        return rx.call_script(upload_script(UPLOAD_INPUT, archive_common.DOCUMENT_PURPOSE),
                              callback=ReplaceForm.save_replacement)

    @requires(Perm.ARCHIVES_MANAGE)
    def save_replacement(self, upload: dict[str, Any]):
        self.busy = False
        if self._scan_refused(upload):
            return None
        return self._submit(self.values, lambda session: archive_entries.attach_file(
            session, actor=self.principal, entry_id=self._record_id, upload_id=str(upload["upload_id"]),
            reason=str(self.values.get("reason", ""))))


class VoidForm(ArchiveDialog, ArchiveDetailState):
    """作废 an entry (entries are never deleted), with the reason."""

    @requires(Perm.ARCHIVES_MANAGE)
    def open_void(self, entry_id: int):
        entry = self._entry(entry_id)
        if entry is not None:
            self._open({"reason": ""}, record_id=entry["id"], version=entry["version"],
                       subject={"doc_type": entry["doc_type"], "title": entry["title"]})

    @requires(Perm.ARCHIVES_MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: archive_entries.void_entry(
            session, actor=self.principal, entry_id=self._record_id, expected_version=self._version,
            reason=str(form.get("reason", ""))))

    def _refused(self, error: ValidationFailed | ConcurrencyConflict, submitted: dict[str, Any]):
        if isinstance(error, ValidationFailed):
            return super()._refused(error, submitted)
        self._close()  # voided or changed meanwhile: the dialog closes on the fresh archive
        self._reload()
        return rx.toast.error(self._tr("error.conflict"))


class RequestForm(ArchiveDialog, ArchiveDetailState):
    """Ask to open this archive's scans, with a reason, for a manager of the community to approve."""

    _SAVED: ClassVar[str] = "archives.request_sent"

    @requires(Perm.ARCHIVES_REQUEST)
    def open_request(self):
        self._open({"reason": ""}, record_id=self._archive_id)

    @requires(Perm.ARCHIVES_REQUEST)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: archive_access.request_access(
            session, actor=self.principal, archive_id=self._record_id, reason=str(form.get("reason", ""))))


class RemarksForm(ArchiveDialog, ArchiveDetailState):
    """The archive's remarks; the text shown when the dialog opened guards a concurrent edit."""

    @requires(Perm.ARCHIVES_MANAGE)
    def open_remarks(self):
        self._open({"remarks": self.header.get("remarks", "")}, record_id=self._archive_id)

    @requires(Perm.ARCHIVES_MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: archive_catalog.set_remarks(
            session, actor=self.principal, archive_id=self._record_id, remarks=str(form.get("remarks", "")),
            expected=str(self._loaded.get("remarks", ""))))
