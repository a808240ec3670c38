"""Archive page states: the catalog, one archive, and the access-request queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.archives import queries, services
from pm_admin.archives.files import catalog_params
from pm_admin.archives.models import DocType
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.clock import local_text
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import is_id, route_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.places.queries import building_options, community_options, room_id_by_code, unit_options
from pm_admin.ui.uploads import upload_refusal, upload_script

DOC_TYPES = [d.value for d in DocType]  # labels come from the catalog (doc.<type>)
UPLOAD_INPUT = "archive-scan-file"


LIST_SIZE = 20  # rows per page of the records and request lists


def _fill(state: Any, name: str, fetch: Callable[[PageRequest], Page]) -> None:
    """One page of a list into ``<name>``, ``<name>_total``, ``<name>_page`` and ``<name>_pages`` (several
    server-paged lists on one page); a page emptied meanwhile falls back to the last one."""
    result = fetch(PageRequest(page=max(1, int(getattr(state, f"{name}_page") or 1)), page_size=LIST_SIZE))
    if not result.rows and result.page > 1 and result.total:
        result = fetch(PageRequest(page=result.pages, page_size=LIST_SIZE))
    setattr(state, name, [row if isinstance(row, dict) else row.model_dump() for row in result.rows])
    setattr(state, f"{name}_total", result.total)
    setattr(state, f"{name}_page", result.page)
    setattr(state, f"{name}_pages", result.pages)


def _id(value: str) -> int | None:
    return int(value) if is_id(value) else None



class ArchivesState(PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.ARCHIVES_VIEW
    community_filter: str = ""
    building_filter: str = ""
    unit_filter: str = ""
    search: str = ""
    owner_search: str = ""
    community_choices: list[dict[str, str]] = []
    building_choices: list[dict[str, str]] = []
    unit_choices: list[dict[str, str]] = []
    can_manage: bool = False
    create_error: str = ""

    def _filters(self) -> queries.ArchiveFilter:
        return queries.ArchiveFilter(community_id=_id(self.community_filter), building_id=_id(self.building_filter),
                                     unit_id=_id(self.unit_filter), search=self.search, owner=self.owner_search)

    def _load(self) -> None:
        with read_only() as session:
            self._show(queries.catalog(session, self.principal, self._page_request(), self._filters()))

    def _load_choices(self) -> None:
        """Buildings of the chosen community, units of the chosen building."""
        community, building = _id(self.community_filter), _id(self.building_filter)
        with read_only() as session:
            self.community_choices = select_options(community_options(session, self.principal, whole_scope=False))
            self.building_choices = select_options(building_options(session, self.principal, community)) if community else []
            self.unit_choices = select_options(unit_options(session, self.principal, building)) if building else []

    @requires(Perm.ARCHIVES_VIEW)
    def load(self):
        self.can_manage = self.principal.has(Perm.ARCHIVES_MANAGE)
        self._load_choices()
        self.create_error = ""
        self._load()

    @requires(Perm.ARCHIVES_VIEW)
    def filter_community(self, value: str):
        self.community_filter, self.building_filter, self.unit_filter = ("" if value == "all" else value), "", ""
        self.page = 1
        self._load_choices()
        self._load()

    @requires(Perm.ARCHIVES_VIEW)
    def filter_building(self, value: str):
        self.building_filter, self.unit_filter, self.page = ("" if value == "all" else value), "", 1
        self._load_choices()
        self._load()

    @requires(Perm.ARCHIVES_VIEW)
    def filter_unit(self, value: str):
        self.unit_filter, self.page = ("" if value == "all" else value), 1
        self._load()

    @requires(Perm.ARCHIVES_VIEW)
    def apply_search(self, form: dict[str, Any]):
        self.search, self.page = str(form.get("search", ""))[:64], 1
        self._load()

    @requires(Perm.ARCHIVES_VIEW)
    def apply_owner_search(self, form: dict[str, Any]):
        self.owner_search, self.page = str(form.get("owner", ""))[:64], 1
        self._load()

    @requires(Perm.ARCHIVES_MANAGE)
    def create(self, form: dict[str, Any]):
        """建档 by room code."""
        with unit_of_work() as session:
            room_id = room_id_by_code(session, self.principal, str(form.get("room_code", "")))
            if room_id is None:
                self.create_error = self._tr("owners.room_unknown")
                return None
            archive = services.ensure_archive(session, actor=self.principal, room_id=room_id)
        self.create_error = ""
        return rx.redirect(f"/archives/{archive.id}")

    @requires(Perm.ARCHIVES_VIEW)
    def export_catalog(self):
        return self._start_download("archive_catalog", catalog_params(self._filters(), self.lang))


class ArchiveDetailState(ProtectedState):
    found: bool = False
    header: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    # The records, paged in SQL: <list>, <list>_total, <list>_page, <list>_pages.
    changes: list[dict[str, Any]] = []
    changes_total: int = 0
    changes_page: int = 1
    changes_pages: int = 1
    access_log: list[dict[str, Any]] = []
    access_log_total: int = 0
    access_log_page: int = 1
    access_log_pages: int = 1
    my_requests: list[dict[str, Any]] = []
    my_requests_total: int = 0
    my_requests_page: int = 1
    my_requests_pages: int = 1
    grant_until: str = ""
    can_manage: bool = False
    can_request: bool = False
    # dialogs: "entry" | "replace" | "void" | "request" | "remarks"
    dialog: str = ""
    dialog_key: int = 0
    target_entry: dict[str, Any] = {}
    errors: dict[str, str] = {}
    form: dict[str, Any] = {}
    busy: bool = False
    _archive_id: int = 0

    def _lists(self, session: Session) -> dict[str, Callable[[PageRequest], Page]]:
        principal, archive_id = self.principal, self._archive_id
        return {"changes": lambda page: queries.changes(session, principal, archive_id, self.lang, page),
                "access_log": lambda page: queries.access_log(session, principal, archive_id, page),
                "my_requests": lambda page: queries.my_requests(session, principal, archive_id, page)}

    def _reload(self) -> None:
        principal, archive_id = self.principal, self._archive_id
        # Emptied first: if the archive is refused (another community), nothing of the last one stays.
        self.found, self.header, self.entries, self.versions, self.changes, self.access_log = False, {}, [], [], [], []
        self.my_requests, self.grant_until = [], ""
        with read_only() as session:
            header = queries.archive_header(session, principal, archive_id)
            if header is None:
                return
            self.found = True
            self.header = header.model_dump()
            self.entries = [e.model_dump() for e in queries.entries(session, principal, archive_id)]
            self.versions = [v.model_dump() for v in queries.file_versions(session, principal, archive_id)]
            for name, fetch in self._lists(session).items():
                _fill(self, name, fetch)
            grant = services.active_grant(session, principal, archive_id)
        self.grant_until = local_text(grant.expires_at) if grant else ""

    @requires(Perm.ARCHIVES_VIEW)
    def turn_page(self, name: str, page: int):
        """Another page of one record list (change record, access log, my requests)."""
        if name not in ("changes", "access_log", "my_requests") or not self.found:
            return
        setattr(self, f"{name}_page", max(1, min(int(page), getattr(self, f"{name}_pages"))))
        with read_only() as session:
            _fill(self, name, self._lists(session)[name])

    @requires(Perm.ARCHIVES_VIEW)
    def load(self):
        raw = str(self.rx_router_page.params.get("archive_id", ""))
        self._archive_id = route_id(raw)
        self.can_manage = self.principal.has(Perm.ARCHIVES_MANAGE)
        self.can_request = self.principal.has(Perm.ARCHIVES_REQUEST)
        self.dialog, self.busy = "", False
        self.changes_page = self.access_log_page = self.my_requests_page = 1
        self._reload()

    def _open(self, dialog: str, form: dict[str, Any], entry: dict[str, Any] | None = None) -> None:
        self.dialog, self.form, self.errors, self.target_entry = dialog, form, {}, entry or {}
        self.dialog_key += 1

    @requires()
    def close_dialog(self, _open: bool = False):
        self.dialog, self.busy = "", False

    @requires(Perm.ARCHIVES_MANAGE)
    def open_entry(self):
        self._open("entry", {"doc_type": DocType.CONVENTION.value, "title": "", "pages": "1", "copies": "1",
                             "doc_date": "", "handed_over_by": "", "received_by": self.principal.display_name,
                             "remarks": ""})

    @requires(Perm.ARCHIVES_MANAGE)
    def open_replace(self, entry_id: int):
        entry = next((e for e in self.entries if e["id"] == entry_id and not e["voided"]), None)
        if entry is not None:
            self._open("replace", {"reason": ""}, entry)

    @requires(Perm.ARCHIVES_MANAGE)
    def open_void(self, entry_id: int):
        entry = next((e for e in self.entries if e["id"] == entry_id and not e["voided"]), None)
        if entry is not None:
            self._open("void", {"reason": ""}, entry)

    @requires(Perm.ARCHIVES_REQUEST)
    def open_request(self):
        self._open("request", {"reason": ""})

    @requires(Perm.ARCHIVES_MANAGE)
    def open_remarks(self):
        self._open("remarks", {"remarks": self.header.get("remarks", "")})

    @requires(Perm.ARCHIVES_MANAGE)
    def save_remarks(self, form: dict[str, Any]):
        # The text shown when the dialog opened guards a concurrent edit.
        return self._save_in_dialog(lambda session: services.set_remarks(
            session, actor=self.principal, archive_id=self._archive_id, remarks=str(form.get("remarks", "")),
            expected=str(self.form.get("remarks", ""))))

    def _save_in_dialog(self, save: Callable[[Session], object]):
        """Run a dialog's save: field errors stay in the dialog; a conflict closes it on the fresh archive."""
        try:
            with unit_of_work() as session:
                save(session)
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        except ConcurrencyConflict:
            self.dialog = ""
            self._reload()
            return rx.toast.error(self._tr("error.conflict"))
        self.dialog = ""
        self._reload()
        return rx.toast.success(self._tr("common.saved"))

    # Saving an entry or a replacement uploads the scan first (our private route), then the
    # route's answer comes back to ``save_entry``/``save_replacement`` with the upload id.

    @requires(Perm.ARCHIVES_MANAGE)
    def submit_entry(self, form: dict[str, Any]):
        self.form, self.busy = {**self.form, **form}, True
        return rx.call_script(upload_script(UPLOAD_INPUT, services.DOCUMENT_PURPOSE),
                              callback=ArchiveDetailState.save_entry)

    @requires(Perm.ARCHIVES_MANAGE)
    def save_entry(self, upload: dict[str, Any]):
        self.busy = False
        refusal = upload_refusal(upload)
        has_file = refusal is None
        if refusal is not None and refusal[0] != "files.none":  # a scan is optional: none chosen is fine
            self.errors = {"file": self._tr(refusal[0], **refusal[1])}
            return None
        data = services.EntryInput(**{k: str(self.form.get(k, "")) for k in (
            "doc_type", "title", "pages", "copies", "doc_date", "handed_over_by", "received_by", "remarks")})
        try:
            with unit_of_work() as session:
                services.add_entry(session, actor=self.principal, archive_id=self._archive_id, data=data,
                                   upload_id=str(upload["upload_id"]) if has_file else None)
        except ValidationFailed as error:
            self.errors, self.dialog_key = self._field_messages(error), self.dialog_key + 1
            return None
        self.dialog = ""
        self._reload()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.ARCHIVES_MANAGE)
    def submit_replacement(self, form: dict[str, Any]):
        self.form, self.busy = {**self.form, **form}, True
        return rx.call_script(upload_script(UPLOAD_INPUT, services.DOCUMENT_PURPOSE),
                              callback=ArchiveDetailState.save_replacement)

    @requires(Perm.ARCHIVES_MANAGE)
    def save_replacement(self, upload: dict[str, Any]):
        self.busy = False
        if (refusal := upload_refusal(upload)) is not None:
            self.errors = {"file": self._tr(refusal[0], **refusal[1])}
            return None
        if self.dialog != "replace" or "id" not in self.target_entry:  # no dialog open: nothing to replace
            return None
        try:
            with unit_of_work() as session:
                services.attach_file(session, actor=self.principal, entry_id=int(self.target_entry["id"]),
                                     upload_id=str(upload["upload_id"]), reason=str(self.form.get("reason", "")))
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        self.dialog = ""
        self._reload()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.ARCHIVES_MANAGE)
    def void(self, form: dict[str, Any]):
        if self.dialog != "void" or "id" not in self.target_entry:  # no dialog open: nothing to void
            return None
        return self._save_in_dialog(lambda session: services.void_entry(
            session, actor=self.principal, entry_id=int(self.target_entry["id"]),
            expected_version=int(self.target_entry["version"]), reason=str(form.get("reason", ""))))

    @requires(Perm.ARCHIVES_REQUEST)
    def request_access(self, form: dict[str, Any]):
        try:
            with unit_of_work() as session:
                services.request_access(session, actor=self.principal, archive_id=self._archive_id,
                                        reason=str(form.get("reason", "")))
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        self.dialog = ""
        self._reload()
        return rx.toast.success(self._tr("archives.request_sent"))


class AccessRequestsState(ProtectedState):
    # Three lists paged in SQL: <list>, <list>_total, <list>_page, <list>_pages.
    pending: list[dict[str, Any]] = []
    pending_total: int = 0
    pending_page: int = 1
    pending_pages: int = 1
    active: list[dict[str, Any]] = []
    active_total: int = 0
    active_page: int = 1
    active_pages: int = 1
    mine: list[dict[str, Any]] = []
    mine_total: int = 0
    mine_page: int = 1
    mine_pages: int = 1
    can_approve: bool = False
    decision: dict[str, Any] = {}  # {"id":…, "approve": bool, "revoke": bool}
    # Kept apart from ``decision`` so the closing dialog keeps its title while it fades out.
    decision_open: bool = False
    decision_error: str = ""

    def _lists(self, session: Session) -> dict[str, Callable[[PageRequest], Page]]:
        principal = self.principal
        lists = {"mine": lambda page: queries.my_requests(session, principal, None, page)}
        if self.can_approve:
            lists["pending"] = lambda page: queries.pending_requests(session, principal, page)
            lists["active"] = lambda page: queries.active_grants(session, principal, page)
        return lists

    def _reload(self) -> None:
        with read_only() as session:
            for name, fetch in self._lists(session).items():
                _fill(self, name, fetch)

    @requires(Perm.ARCHIVES_REQUEST)
    def load(self):
        self.can_approve = self.principal.has(Perm.ARCHIVES_APPROVE)
        self.decision, self.decision_open, self.decision_error = {}, False, ""
        self.pending_page = self.active_page = self.mine_page = 1
        self._reload()

    @requires(Perm.ARCHIVES_REQUEST)
    def turn_page(self, name: str, page: int):
        with read_only() as session:
            lists = self._lists(session)
            if name not in lists:
                return
            setattr(self, f"{name}_page", max(1, min(int(page), getattr(self, f"{name}_pages"))))
            _fill(self, name, lists[name])

    @requires(Perm.ARCHIVES_APPROVE)
    def open_decision(self, request_id: int, approve: bool, revoke: bool = False):
        self.decision, self.decision_error = {"id": request_id, "approve": approve, "revoke": revoke}, ""
        self.decision_open = True

    @requires()
    def close_decision(self, _open: bool = False):
        self.decision_open = False

    @requires(Perm.ARCHIVES_APPROVE)
    def decide(self, form: dict[str, Any]):
        if not self.decision_open or "id" not in self.decision:  # no dialog open: nothing to decide
            return None
        note = str(form.get("note", ""))
        try:
            with unit_of_work() as session:
                if self.decision.get("revoke"):
                    services.revoke_grant(session, actor=self.principal, request_id=int(self.decision["id"]), note=note)
                else:
                    services.decide_request(session, actor=self.principal, request_id=int(self.decision["id"]),
                                            approve=bool(self.decision["approve"]), note=note)
        except ValidationFailed as error:
            self.decision_error = next(iter(self._field_messages(error).values()))
            return None
        self.decision_open = False
        self._reload()
        return rx.toast.success(self._tr("common.saved"))
