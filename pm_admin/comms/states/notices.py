"""Staff notices: the list with the drafting dialog (template, places, preview), submit, approve, send at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.comms import incidents, notices, queries
from pm_admin.comms.models import Group, NoticeKind
from pm_admin.comms.notices import NoticeInput
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import FieldErrors
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.places.queries import building_options, community_options


def local_time(text: str, field: str, errors: FieldErrors) -> datetime | None:
    """A ``datetime-local`` input (Shanghai time) as an aware datetime; blank is none."""
    text = str(text or "").strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=DISPLAY_ZONE)
    except ValueError:
        errors.add(field, "error.date_invalid")
        return None


class NoticesState(PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.NOTICES_VIEW
    can_draft: bool = False
    can_approve: bool = False

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.notice_list(session, self.principal, request)

    @requires(Perm.NOTICES_VIEW)
    async def load(self):
        self.can_draft = self.principal.has(Perm.NOTICES_DRAFT)
        self.can_approve = self.principal.has(Perm.NOTICES_APPROVE)
        await close_dialogs(self)
        await off_loop(self._load)
        from_ticket = optional_id(self.router.url.query_parameters.get("from_ticket"))
        if from_ticket is not None and self.can_draft:  # 发起紧急通知 from an urgent ticket
            form = await self.get_state(NoticeForm)
            await off_loop(form._open_from_ticket, from_ticket)

    def _act(self, notice_id: int, work) -> Any:
        row = self._row(notice_id)
        if row is None:
            return None
        with unit_of_work() as session:
            work(session, row)
        self._load()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.NOTICES_DRAFT)
    def submit(self, notice_id: int):
        return self._act(notice_id, lambda session, row: notices.submit(session, actor=self.principal,
                                                                        notice_id=row["id"]))

    @requires(Perm.NOTICES_APPROVE)
    def approve(self, notice_id: int):
        return self._act(notice_id, lambda session, row: notices.approve(
            session, actor=self.principal, notice_id=row["id"], expected_version=row["version"]))

    @requires(Perm.NOTICES_APPROVE)
    def send_now(self, notice_id: int):
        return self._act(notice_id, lambda session, row: notices.send_emergency_now(
            session, actor=self.principal, notice_id=row["id"], expected_version=row["version"]))


FIELDS = ("kind", "category", "title", "body", "community_id", "group", "send_at", "valid_until",
          "escalate_after_minutes")


class NoticeForm(DialogForm, NoticesState):
    """A new notice: a template fills kind, title and body; the community's buildings are picked; the preview
    counts the households, people and channels before it is submitted."""

    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"sms", "requires_ack", "pinned"})
    communities: list[dict[str, str]] = []
    buildings: list[dict[str, str]] = []
    templates: list[dict[str, Any]] = []

    def _buildings(self, community_id: int | None) -> list[dict[str, str]]:
        if community_id is None or not self.principal.can_access_community(community_id):
            return []
        with read_only() as session:
            rows = building_options(session, self.principal, community_id)
        return [{"value": str(i), "label": n} for i, n in rows]

    @requires(Perm.NOTICES_DRAFT)
    def open_create(self):
        with read_only() as session:
            self.communities = select_options(community_options(session, self.principal, whole_scope=False))
            self.templates = queries.templates(session)
        first = self.communities[0]["value"] if self.communities else ""
        self.buildings = self._buildings(optional_id(first))
        self._open({"kind": NoticeKind.ANNOUNCEMENT.value, "category": "", "title": "", "body": "",
                    "community_id": first, "group": Group.ALL.value, "send_at": "", "valid_until": "",
                    "escalate_after_minutes": "60", "sms": False, "requires_ack": False, "pinned": False,
                    "source": ""}, subject={"buildings": []})

    def _open_from_ticket(self, ticket_id: int) -> None:
        """The incident as an emergency notice: the ticket's title, its category's template, its building."""
        with read_only() as session:
            found = incidents.from_ticket(session, self.principal, ticket_id)
            self.communities = select_options(community_options(session, self.principal, whole_scope=False))
            self.templates = queries.templates(session)
        if found is None:
            return
        self.buildings = self._buildings(found["community_id"])
        self._open({**found["values"], "community_id": str(found["community_id"]), "sms": True,
                    "requires_ack": True, "pinned": True, "escalate_after_minutes": "30", "send_at": ""},
                   subject={"buildings": found["building_ids"]})

    @requires(Perm.NOTICES_DRAFT)
    def use_template(self, code: str):
        template = next((t for t in self.templates if t["code"] == code), None)
        if template is not None:
            self.values = {**self.values, "category": code, "kind": template["kind"], "title": template["title"],
                           "body": template["body"]}
            self.form_key += 1  # the inputs show the template

    @requires(Perm.NOTICES_DRAFT)
    def pick_community(self, value: str):
        self.buildings = self._buildings(optional_id(value))
        self.values = {**self.values, "community_id": value}

    def _input(self, form: dict[str, Any], errors: FieldErrors) -> NoticeInput:
        community = optional_id(form.get("community_id")) or 0
        buildings = [int(b["value"]) for b in self.buildings if form.get(f"building:{b['value']}") in (True, "on")]
        minutes = str(form.get("escalate_after_minutes", "60")).strip()
        return NoticeInput(
            kind=str(form.get("kind", "")), title=str(form.get("title", "")), body=str(form.get("body", "")),
            community_id=community, building_ids=buildings, group=str(form.get("group", Group.ALL.value)),
            channels=["inbox", "sms"] if form.get("sms") in (True, "on") else ["inbox"],
            send_at=local_time(form.get("send_at", ""), "send_at", errors),
            valid_until=local_time(form.get("valid_until", ""), "valid_until", errors),
            pinned=form.get("pinned") in (True, "on"), requires_ack=form.get("requires_ack") in (True, "on"),
            escalate_after_minutes=int(minutes) if minutes.isdigit() and len(minutes) < 6 else 0,
            category=str(form.get("category", "")), source=str(form.get("source", ""))[:40])

    @requires(Perm.NOTICES_DRAFT)
    def save(self, form: dict[str, Any]):
        def write(session):
            errors = FieldErrors()
            data = self._input(form, errors)
            errors.raise_if_any()
            return notices.draft_notice(session, actor=self.principal, data=data).id
        return self._submit(form, write)

    def _saved(self, result: Any = None):
        """To the new draft: its page shows whom it will reach before it is submitted."""
        self._close()
        return [rx.toast.success(self._tr("comms.draft_saved")), rx.redirect(f"/notices/{result}")]


