"""One meeting: details and agenda, invitees and sign-in with the quorum, attachments, minutes and their review,
publication, action items (and the ticket one opens)."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm
from pm_admin.meetings import queries
from pm_admin.meetings.models import DocType
from pm_admin.meetings.services import actions, minutes
from pm_admin.meetings.services import meetings as services
from pm_admin.meetings.states.meetings import MEETING_FIELDS
from pm_admin.tickets.queries import category_options
from pm_admin.ui.uploads import upload_refusal, upload_script

ATTACHMENT_INPUT = "meeting-attachment-file"


class MeetingState(ProtectedState):
    meeting: dict[str, Any] = {}
    missing: bool = False
    agenda: list[dict[str, Any]] = []
    quorum: dict[str, Any] = {}
    invitees: list[dict[str, Any]] = []
    attachments: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    minutes: list[dict[str, Any]] = []
    staff: list[dict[str, str]] = []
    can_manage: bool = False
    can_approve: bool = False
    can_ticket: bool = False
    doc_type: str = DocType.MANAGEMENT_REPORT.value
    owner_key: int = 0
    owner_error: str = ""
    upload_message: str = ""

    def _meeting_id(self) -> int:
        return int(self.meeting.get("id") or 0)

    def _reload(self, meeting_id: int) -> None:
        try:
            with read_only() as session:
                detail = queries.meeting_detail(session, self.principal, meeting_id, self.lang)
                self.staff = queries.staff_options(session, self.principal, meeting_id)
        except DomainError:
            self.meeting, self.missing = {}, True
            return
        self.missing = False
        self.meeting, self.agenda, self.quorum = detail["meeting"], detail["agenda"], detail["quorum"]
        self.invitees, self.attachments = detail["invitees"], detail["attachments"]
        self.actions, self.minutes = detail["actions"], detail["minutes"]

    def _load(self) -> None:
        self._reload(self._meeting_id())

    @requires(Perm.MEETINGS_VIEW)
    async def load(self):
        principal = self.principal
        self.can_manage, self.can_approve = principal.has(Perm.MEETINGS_MANAGE), principal.has(Perm.MEETINGS_APPROVE)
        self.can_ticket = self.can_manage and principal.has(Perm.TICKETS_CREATE)
        self.owner_error, self.upload_message = "", ""
        await close_dialogs(self)
        await off_loop(self._reload, route_id(str(self.rx_router_page.params.get("meeting_id", ""))))

    def _run(self, work, success_key: str, **params: Any):
        """A service in one transaction; a refusal is a toast, success reloads the meeting."""
        try:
            with unit_of_work() as session:
                work(session)
        except ValidationFailed as error:
            return rx.toast.error(next(iter(self._field_messages(error).values())))
        except DomainError as error:
            return rx.toast.error(self._tr(error.key, **error.params))
        self._load()
        return rx.toast.success(self._tr(success_key, **params))

    # ------------------------------------------------------------ invitees and sign-in

    @requires(Perm.MEETINGS_MANAGE)
    def invite_committee(self):
        return self._run(lambda s: services.invite_committee(s, actor=self.principal, meeting_id=self._meeting_id()),
                         "meetings.invited")

    @requires(Perm.MEETINGS_MANAGE)
    def invite_owner(self, form: dict[str, Any]):
        try:
            with unit_of_work() as session:
                services.invite_owner(session, actor=self.principal, meeting_id=self._meeting_id(),
                                      room_code=str(form.get("room_code", "")))
        except ValidationFailed as error:
            self.owner_error = next(iter(self._field_messages(error).values()))
            return None
        except DomainError as error:
            return rx.toast.error(self._tr(error.key, **error.params))
        self.owner_error = ""
        self.owner_key += 1
        self._load()
        return rx.toast.success(self._tr("meetings.invited"))

    @requires(Perm.MEETINGS_MANAGE)
    def invite_staff(self, user_id: str):
        return self._run(lambda s: services.invite_staff(s, actor=self.principal, meeting_id=self._meeting_id(),
                                                         user_id=user_id), "meetings.invited")

    @requires(Perm.MEETINGS_MANAGE)
    def remove_invitee(self, invitee_id: int):
        return self._run(lambda s: services.remove_invitee(s, actor=self.principal, meeting_id=self._meeting_id(),
                                                           invitee_id=invitee_id), "common.saved")

    @requires(Perm.MEETINGS_MANAGE)
    def set_attended(self, invitee_id: int, attended: bool):
        return self._run(lambda s: services.sign_in(s, actor=self.principal, meeting_id=self._meeting_id(),
                                                    invitee_id=invitee_id, attended=attended is True),
                         "meetings.signed")

    # ------------------------------------------------------------ attachments

    @requires(Perm.MEETINGS_MANAGE)
    def set_doc_type(self, value: str):
        self.doc_type = value if value in tuple(DocType) else DocType.OTHER.value

    @requires(Perm.MEETINGS_MANAGE)
    def start_upload(self):
        self.upload_message = ""
        return rx.call_script(upload_script(ATTACHMENT_INPUT, services.ATTACHMENT_PURPOSE),
                              callback=MeetingState.attach)

    @requires(Perm.MEETINGS_MANAGE)
    def attach(self, upload: dict[str, Any]):
        if (refusal := upload_refusal(upload)) is not None:
            self.upload_message = self._tr(refusal[0], **refusal[1])
            return None
        try:
            with unit_of_work() as session:
                services.attach_document(session, actor=self.principal, meeting_id=self._meeting_id(),
                                         upload_id=str(upload["upload_id"]), doc_type=self.doc_type)
        except ValidationFailed as error:
            self.upload_message = next(iter(self._field_messages(error).values()))
            return None
        except DomainError as error:
            self.upload_message = self._tr(error.key, **error.params)
            return None
        self._load()
        return rx.toast.success(self._tr("meetings.attached"))

    @requires(Perm.MEETINGS_VIEW)
    def download(self, attachment_id: int):
        if not any(a["id"] == attachment_id for a in self.attachments):
            return None
        return self._start_download("meeting_attachment", {"attachment_id": attachment_id})

    # ------------------------------------------------------------ review and publication

    @requires(Perm.MEETINGS_MANAGE)
    def submit_minutes(self):
        return self._run(lambda s: minutes.submit_minutes(s, actor=self.principal, meeting_id=self._meeting_id()),
                         "meetings.submitted")

    @requires(Perm.MEETINGS_APPROVE)
    def approve(self):
        return self._run(lambda s: minutes.approve_minutes(s, actor=self.principal, meeting_id=self._meeting_id()),
                         "meetings.approved")

    @requires(Perm.MEETINGS_MANAGE)
    def publish(self):
        return self._run(lambda s: minutes.publish(s, actor=self.principal, meeting_id=self._meeting_id()),
                         "meetings.published")

    # ------------------------------------------------------------ action items

    @requires(Perm.MEETINGS_MANAGE)
    def set_action_done(self, action_id: int, done: bool):
        row = next((a for a in self.actions if a["id"] == action_id), None)
        if row is None:
            return None
        return self._run(lambda s: actions.set_status(s, actor=self.principal, action_id=action_id,
                                                      expected_version=row["version"], done=done is True),
                         "common.saved")


class MeetingForm(DialogForm, MeetingState):
    """The meeting's details and agenda, while it is a draft."""

    _ENTITY: ClassVar[str] = "meeting"

    @requires(Perm.MEETINGS_MANAGE)
    def open_edit(self):
        m = self.meeting
        self._open({key: m.get(f"form_{key}", "") for key in MEETING_FIELDS if key != "community_id"},
                   record_id=m["id"], version=m["version"])

    @requires(Perm.MEETINGS_MANAGE)
    def save(self, form: dict[str, Any]):
        data = services.MeetingInput(**{key: str(form.get(key, "")) for key in MEETING_FIELDS if key != "community_id"})
        return self._submit(form, lambda session: services.update_meeting(
            session, actor=self.principal, meeting_id=self._record_id, expected_version=self._version, data=data))


class MinutesForm(DialogForm, MeetingState):
    """讨论 and 决议 of the minutes; the other sections come from the meeting."""

    _ENTITY: ClassVar[str] = "meeting"

    @requires(Perm.MEETINGS_MANAGE)
    def open_minutes(self):
        m = self.meeting
        self._open({"discussion": m["discussion"], "resolutions": m["resolutions"]}, record_id=m["id"],
                   version=m["version"])

    @requires(Perm.MEETINGS_MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: minutes.save_minutes(
            session, actor=self.principal, meeting_id=self._record_id, expected_version=self._version,
            discussion=str(form.get("discussion", "")), resolutions=str(form.get("resolutions", ""))))


class ReturnForm(DialogForm, MeetingState):
    """Minutes sent back to be rewritten, with the reason."""

    _SAVED: ClassVar[str] = "meetings.returned"

    @requires(Perm.MEETINGS_APPROVE)
    def open_return(self):
        self._open({"note": ""}, record_id=self._meeting_id())

    @requires(Perm.MEETINGS_APPROVE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: minutes.return_minutes(
            session, actor=self.principal, meeting_id=self._record_id, note=str(form.get("note", ""))))


class ActionForm(DialogForm, MeetingState):
    """A decision's action item: what, who (a staff member or a name), by when."""

    _SAVED: ClassVar[str] = "meetings.action_added"

    @requires(Perm.MEETINGS_MANAGE)
    def open_new(self):
        self._open({"description": "", "responsible_user_id": "", "responsible_name": "", "due_on": ""},
                   record_id=self._meeting_id())

    @requires(Perm.MEETINGS_MANAGE)
    def save(self, form: dict[str, Any]):
        data = actions.ActionInput(**{key: str(form.get(key, "")) for key in (
            "description", "responsible_user_id", "responsible_name", "due_on")})
        return self._submit(form, lambda session: actions.add_action(
            session, actor=self.principal, meeting_id=self._record_id, data=data))


class TicketForm(DialogForm, MeetingState):
    """Open a ticket (channel 座谈会) from an action item: category, kind and tier."""

    categories: list[dict[str, str]] = []
    _SAVED: ClassVar[str] = "meetings.ticket_opened"

    @requires(Perm.MEETINGS_MANAGE)
    def open_ticket(self, action_id: int):
        row = next((a for a in self.actions if a["id"] == action_id), None)
        if row is None:
            return
        with read_only() as session:
            self.categories = [c for c in category_options(session, self.lang) if not c["top"]]
        self._open({"category_id": self.categories[0]["value"] if self.categories else "", "kind": "request",
                    "tier": "normal"}, record_id=row["id"], version=row["version"],
                   subject={"description": row["description"]})

    @requires(Perm.MEETINGS_MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: actions.open_ticket(
            session, actor=self.principal, action_id=self._record_id, expected_version=self._version,
            category_id=str(form.get("category_id", "")), kind=str(form.get("kind", "request")),
            tier=str(form.get("tier", "normal"))))
