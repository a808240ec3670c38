"""One VIP群: admission (checks, approve, reject, a manager's override, 确认入群), members with 登记违规 (and its
screenshot), violations (confirm or dismiss: the ladder decides; the removal's second approver; the appeal), the group
owner's WeCom tasks, group posts (answered, → 工单, → 建议), the moderation log, the rules, this quarter's checklist
and this week's digest. The services decide; this state carries ids and versions on the server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm
from pm_admin.groups import queries
from pm_admin.groups.services import admission, daily, moderation, setup
from pm_admin.tickets.queries import category_options
from pm_admin.ui.uploads import upload_refusal, upload_script

EVIDENCE_INPUT = "group-evidence"
APPLICATION_MODES = ("approve", "reject", "override")
VIOLATION_MODES = ("confirm", "dismiss", "second", "appeal")
POST_MODES = ("ticket", "suggestion")


class GroupState(ProtectedState):
    group: dict[str, Any] = {}
    rules: dict[str, Any] = {}
    members: list[dict[str, Any]] = []
    applications: list[dict[str, Any]] = []
    violations: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    posts: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    check: dict[str, bool] = {}
    check_note: str = ""
    checked: bool = False
    digest: dict[str, int] = {}
    week: str = ""
    missing: bool = False
    can_manage: bool = False
    can_approve: bool = False
    form_key: int = 0
    form_error: str = ""

    def _group_id(self) -> int:
        return int(self.group.get("id") or 0)

    def _reload(self, group_id: int) -> None:
        monday = local_today() - timedelta(days=local_today().weekday())
        try:
            with read_only() as session:
                detail = queries.group_detail(session, self.principal, group_id)
                self.digest = queries.weekly_digest(session, self.principal, group_id, monday)
        except DomainError:
            self.group, self.missing = {}, True
            return
        self.missing, self.week = False, f"{monday.isoformat()} ~ {(monday + timedelta(days=6)).isoformat()}"
        self.group, self.rules, self.members = detail["group"], detail["rules"], detail["members"]
        self.applications, self.violations, self.tasks = detail["applications"], detail["violations"], detail["tasks"]
        self.posts, self.log = detail["posts"], queries.log_in_words(detail["log"], self.lang)
        self.check, self.check_note, self.checked = detail["check"], detail["check_note"], detail["checked"]

    def _load(self) -> None:
        self._reload(self._group_id())

    def _row(self, rows: list[dict[str, Any]], row_id: int) -> dict[str, Any] | None:
        return next((row for row in rows if row["id"] == row_id), None)

    @requires(Perm.GROUPS_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.GROUPS_MANAGE)
        self.can_approve = self.principal.has(Perm.GROUPS_APPROVE)
        self.form_error = ""
        await close_dialogs(self)
        await off_loop(self._reload, route_id(str(self.rx_router_page.params.get("group_id", ""))))

    def _run(self, work, success_key: str = "groups.saved"):
        try:
            with unit_of_work() as session:
                work(session)
        except ValidationFailed as error:
            self.form_error = next(iter(self._field_messages(error).values()))
            return None
        except DomainError as error:
            self._load()
            return rx.toast.error(self._tr(error.key, **error.params))
        self.form_error = ""
        self.form_key += 1
        self._load()
        return rx.toast.success(self._tr(success_key))

    @requires(Perm.GROUPS_MANAGE)
    def confirm_joined(self, application_id: int):
        return self._run(lambda s: admission.confirm_joined(s, actor=self.principal, application_id=application_id),
                         "groups.joined_toast")

    @requires(Perm.GROUPS_MANAGE)
    def confirm_task(self, task_id: int):
        return self._run(lambda s: moderation.confirm_task(s, actor=self.principal, task_id=task_id),
                         "groups.task_done_toast")

    @requires(Perm.GROUPS_MANAGE)
    def mark_answered(self, post_id: int):
        return self._run(lambda s: daily.mark_answered(s, actor=self.principal, post_id=post_id))

    @requires(Perm.GROUPS_MANAGE)
    def log_post(self, form: dict[str, Any]):
        return self._run(lambda s: daily.log_post(
            s, actor=self.principal, group_id=self._group_id(), text=str(form.get("text", ""))[:2100],
            member_id=str(form.get("member_id", ""))[:20],
            is_question=form.get("is_question") in (True, "on", "true")), "groups.post_logged_toast")

    @requires(Perm.GROUPS_MANAGE)
    def record_check(self, form: dict[str, Any]):
        answers = {item: form.get(item) in (True, "on", "true") for item in daily.CHECKLIST}
        return self._run(lambda s: daily.record_check(s, actor=self.principal, group_id=self._group_id(),
                                                      answers=answers, note=str(form.get("note", ""))[:1100]))

    @requires(Perm.GROUPS_VIEW)
    def evidence(self, violation_id: int):
        row = self._row(self.violations, violation_id)
        if row is None or not row.get("has_evidence"):
            return None
        return self._start_download("group_evidence", {"violation_id": violation_id})


class _GroupDialog(DialogForm, mixin=True):
    """A dialog about one row of the page's group (combined with ``GroupState``)."""

    mode: str = ""

    def _open_row(self, mode: str, row: dict[str, Any], values: dict[str, Any], subject: dict[str, Any]) -> None:
        self.mode = mode
        self._open(values, record_id=int(row["id"]), version=int(row.get("version") or 0), subject=subject)

    def _refused_domain(self, field: str, error: DomainError):
        self._fail(field, error.key, **error.params)


class ApplicationForm(_GroupDialog, GroupState):
    """Approve, reject with a reason, or (a manager, only the fee check failed) admit with a reason."""

    @requires(Perm.GROUPS_MANAGE)
    def open_decision(self, application_id: int, mode: str):
        row = self._row(self.applications, application_id)
        if row is None or mode not in APPLICATION_MODES or (mode == "override" and not self.can_approve):
            return
        self._open_row(mode, row, {"reason": ""}, {
            "name": row["name"], "room": row["room"], "identity_note": row["identity_note"],
            "fee_note": row["fee_note"], "identity_ok": row["identity_ok"], "fee_ok": row["fee_ok"]})

    @requires(Perm.GROUPS_MANAGE)
    def save(self, form: dict[str, Any]):
        mode, application_id, version = self.mode, self._record_id, self._version
        reason = str(form.get("reason", ""))[:600]

        def write(session):
            if mode == "reject":
                return admission.reject(session, actor=self.principal, application_id=application_id,
                                        expected_version=version, reason=reason)
            return admission.approve(session, actor=self.principal, application_id=application_id,
                                     expected_version=version, override_reason=reason if mode == "override" else "")
        try:
            return self._submit(form, write)
        except DomainError as error:
            return self._refused_domain("reason", error)

    def _saved(self, result: Any = None):
        self._close()
        self._load()
        return rx.toast.success(self._tr("groups.rejected_toast" if self.mode == "reject" else "groups.invited_toast"))


class AdminForm(_GroupDialog, GroupState):
    """选为管理员: a member elected for a term (a manager records the election)."""

    @requires(Perm.GROUPS_APPROVE)
    def open_admin(self, member_id: int):
        row = self._row(self.members, member_id)
        if row is None or row["status"] == "removed":
            return
        today = local_today()
        self._open_row("admin", row, {"term_start": today.isoformat(),
                                      "term_end": today.replace(year=today.year + 2).isoformat(),
                                      "elected_on": today.isoformat()}, {"name": row["name"], "room": row["room"]})

    @requires(Perm.GROUPS_APPROVE)
    def save(self, form: dict[str, Any]):
        member_id = self._record_id
        values = {key: str(form.get(key, ""))[:10] for key in ("term_start", "term_end", "elected_on")}
        try:
            return self._submit(form, lambda session: setup.elect_admin(
                session, actor=self.principal, member_id=member_id, **values))
        except DomainError as error:
            return self._refused_domain("term_start", error)


class ReportForm(_GroupDialog, GroupState):
    """登记违规 for a member: category, what was said, who saw it, an optional screenshot."""

    _pending: dict[str, str] = {}

    @requires(Perm.GROUPS_MANAGE)
    def open_report(self, member_id: int):
        row = self._row(self.members, member_id)
        if row is None or row["status"] == "removed":
            return
        self._open_row("report", row, {"category": "", "description": "", "reported_by": ""},
                       {"name": row["name"], "room": row["room"]})

    @requires(Perm.GROUPS_MANAGE)
    def save(self, form: dict[str, Any]):
        """First the screenshot (when one is chosen) to the private upload route, then ``store`` with its id."""
        self._require_open()
        self._pending = {key: str(form.get(key, ""))[:1100] for key in ("category", "description", "reported_by")}
        return rx.call_script(upload_script(EVIDENCE_INPUT, moderation.EVIDENCE_PURPOSE), callback=ReportForm.store)

    @requires(Perm.GROUPS_MANAGE)
    def store(self, answer: dict[str, Any]):
        form, self._pending = self._pending, {}
        if not form:
            return None  # a crafted store without a save
        refusal = upload_refusal(answer)
        if refusal is not None and refusal[0] != "files.none":  # no screenshot is fine
            self._keep_input(form)
            self._fail("evidence", refusal[0], **refusal[1])
            return None
        upload_id = "" if refusal is not None else str(answer.get("upload_id", ""))
        data = moderation.ReportInput(member_id=self._record_id, **form)
        try:
            return self._submit(form, lambda session: moderation.report(
                session, actor=self.principal, data=data, evidence_upload_id=upload_id))
        except DomainError as error:
            return self._refused_domain("description", error)

    def _saved(self, result: Any = None):
        self._close()
        self._load()
        return rx.toast.success(self._tr("groups.reported_toast"))


class ViolationForm(_GroupDialog, GroupState):
    """Confirm (the ladder decides the sanction) or dismiss a report; the removal's second approver; the appeal."""

    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"upheld"})

    @requires(Perm.GROUPS_MANAGE)
    def open_violation(self, violation_id: int, mode: str):
        row = self._row(self.violations, violation_id)
        if row is None or mode not in VIOLATION_MODES or (mode in ("second", "appeal") and not self.can_approve):
            return
        self._open_row(mode, row, {"note": "", "upheld": False}, {
            "member": row["member"], "category": row["category"], "description": row["description"],
            "sanction": row["sanction"], "reviewed_by": row["reviewed_by"], "appeal": row["appeal"]})

    @requires(Perm.GROUPS_MANAGE)
    def save(self, form: dict[str, Any]):
        mode, violation_id, version = self.mode, self._record_id, self._version
        note = str(form.get("note", ""))[:600]
        upheld = form.get("upheld") in (True, "on", "true")

        def write(session):
            if mode == "second":
                return moderation.approve_removal(session, actor=self.principal, violation_id=violation_id,
                                                  expected_version=version)
            if mode == "appeal":
                return moderation.decide_appeal(session, actor=self.principal, violation_id=violation_id,
                                                expected_version=version, upheld=upheld, decision=note)
            return moderation.review(session, actor=self.principal, violation_id=violation_id,
                                     expected_version=version, confirm=mode == "confirm", note=note)
        try:
            return self._submit(form, lambda session: str(write(session).sanction or ""))
        except DomainError as error:
            return self._refused_domain("note", error)

    def _saved(self, result: Any = None):
        self._close()
        self._load()
        if self.mode == "confirm":
            row = self._row(self.violations, self._record_id) or {}
            key = "groups.removal_waits" if row.get("status") == "awaiting_second" else "groups.sanctioned_toast"
            return rx.toast.success(self._tr(key, sanction=self._tr(f"groups.sanction.{result}")))
        if self.mode == "second":
            return rx.toast.success(self._tr("groups.removed_toast"))
        return rx.toast.success(self._tr("groups.saved"))


class PostForm(_GroupDialog, GroupState):
    """A logged group post → a ticket or a suggestion (channel 微信群), with its category."""

    ticket_categories: list[dict[str, str]] = []

    @requires(Perm.GROUPS_MANAGE)
    def open_post(self, post_id: int, mode: str):
        row = self._row(self.posts, post_id)
        if row is None or mode not in POST_MODES or row["ticket_id"] or row["suggestion_id"]:
            return
        if mode == "suggestion" and not self.principal.has(Perm.SUGGESTIONS_MANAGE):
            return
        with read_only() as session:
            self.ticket_categories = [{"value": c["value"], "label": c["label"]}
                                      for c in category_options(session, self.lang)]
        self._open_row(mode, row, {"category_id": "", "kind": "request", "tier": "normal"}, {"text": row["text"]})

    @requires(Perm.GROUPS_MANAGE)
    def save(self, form: dict[str, Any]):
        mode, post_id = self.mode, self._record_id
        category_id = str(form.get("category_id", ""))[:20]

        def write(session):
            if mode == "suggestion":
                return daily.post_to_suggestion(session, actor=self.principal, post_id=post_id,
                                                category_id=category_id)
            return daily.post_to_ticket(session, actor=self.principal, post_id=post_id, category_id=category_id,
                                        kind=str(form.get("kind", ""))[:20], tier=str(form.get("tier", ""))[:20])
        try:
            return self._submit(form, lambda session: write(session).id)
        except DomainError as error:
            return self._refused_domain("category_id", error)


class RulesForm(_GroupDialog, GroupState):
    """群规: a new version (the old ones stay, numbered)."""

    @requires(Perm.GROUPS_APPROVE)
    def open_rules(self):
        self.mode = "rules"
        self._open({"text": self.rules.get("text", "")}, record_id=self._group_id())

    @requires(Perm.GROUPS_APPROVE)
    def save(self, form: dict[str, Any]):
        group_id, text = self._record_id, str(form.get("text", ""))[:4100]
        try:
            return self._submit(form, lambda session: setup.publish_rules(session, actor=self.principal,
                                                                         group_id=group_id, text=text))
        except DomainError as error:
            return self._refused_domain("text", error)


