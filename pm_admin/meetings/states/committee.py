"""The owners' committee roster 业委会成员: members with position and term; add and edit."""

from __future__ import annotations

from typing import Any, ClassVar

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.meetings import queries
from pm_admin.meetings.services import roster
from pm_admin.places.queries import community_options

TERM_FIELDS = ("position", "term_from", "term_to")


class CommitteeState(ProtectedState):
    rows: list[dict[str, Any]] = []
    can_manage: bool = False

    def _load(self) -> None:
        with read_only() as session:
            self.rows = queries.roster(session, self.principal, self.principal.current_community_id, local_today())

    @requires(Perm.MEETINGS_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.MEETINGS_MANAGE)
        await close_dialogs(self)
        await off_loop(self._load)


class MemberForm(DialogForm, CommitteeState):
    """A member: the community, the room through which they own (its current owner), position and term."""

    _ENTITY: ClassVar[str] = "committee_member"
    community_choices: list[dict[str, str]] = []

    @requires(Perm.MEETINGS_MANAGE)
    def open_new(self):
        with read_only() as session:
            self.community_choices = select_options(community_options(session, self.principal))
        today = local_today()
        self._open({"community_id": self.community_choices[0]["value"] if self.community_choices else "",
                    "room_code": "", "position": "member", "term_from": today.isoformat(),
                    "term_to": today.replace(year=today.year + 5).isoformat()})

    @requires(Perm.MEETINGS_MANAGE)
    def open_edit(self, member_id: int):
        row = next((r for r in self.rows if r["id"] == member_id), None)
        if row is not None:
            self._open({key: row[key] for key in TERM_FIELDS}, record_id=row["id"], version=row["version"],
                       subject={"name": row["name"], "room": row["room"]})

    @requires(Perm.MEETINGS_MANAGE)
    def save(self, form: dict[str, Any]):
        data = roster.MemberInput(**{key: str(form.get(key, "")) for key in ("room_code", *TERM_FIELDS)})
        if self._record_id:
            return self._submit(form, lambda session: roster.update_member(
                session, actor=self.principal, member_id=self._record_id, expected_version=self._version, data=data))
        return self._submit(form, lambda session: roster.add_member(
            session, actor=self.principal, community_id=str(form.get("community_id", "")), data=data))
