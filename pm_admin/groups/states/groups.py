"""VIP群 list: the groups of the user's communities and the dialog creating one (a manager: community, name,
channel, 群主 among the community's staff, join link)."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.auth.queries import staff_of
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import Perm
from pm_admin.groups import queries
from pm_admin.groups.models import GroupChannel
from pm_admin.groups.services import setup
from pm_admin.places.queries import community_options

GROUP_FIELDS = ("community_id", "name", "channel", "owner_user_id", "join_link")


class GroupsState(ProtectedState):
    rows: list[dict[str, Any]] = []
    can_create: bool = False

    def _load(self) -> None:
        with read_only() as session:
            self.rows = queries.groups(session, self.principal)

    @requires(Perm.GROUPS_VIEW)
    async def load(self):
        self.can_create = self.principal.has(Perm.GROUPS_APPROVE)
        await close_dialogs(self)
        await off_loop(self._load)


class GroupForm(DialogForm, GroupsState):
    _ENTITY: ClassVar[str] = "vip_group"
    community_choices: list[dict[str, str]] = []
    owner_choices: list[dict[str, str]] = []

    def _owners(self, community_id: str) -> list[dict[str, str]]:
        if not is_id(community_id) or not self.principal.can_access_community(int(community_id)):
            return []
        with read_only() as session:
            return [{"value": str(u.id), "label": u.display_name} for u in staff_of(session, int(community_id))]

    @requires(Perm.GROUPS_APPROVE)
    def open_new(self):
        with read_only() as session:
            self.community_choices = select_options(community_options(session, self.principal, whole_scope=False))
        community = self.community_choices[0]["value"] if self.community_choices else ""
        self.owner_choices = self._owners(community)
        self._open({"community_id": community, "name": "", "channel": GroupChannel.WECOM.value,
                    "owner_user_id": "", "join_link": ""})

    @requires(Perm.GROUPS_APPROVE)
    def pick_community(self, value: str):
        """The 群主 picker follows the community chosen."""
        if self.opened and any(c["value"] == value for c in self.community_choices):
            self.owner_choices = self._owners(value)
            self.values = {**self.values, "community_id": value, "owner_user_id": ""}

    @requires(Perm.GROUPS_APPROVE)
    def save(self, form: dict[str, Any]):
        data = setup.GroupInput(**{key: str(form.get(key, ""))[:500] for key in GROUP_FIELDS})
        return self._submit(form, lambda session: setup.create_group(session, actor=self.principal, data=data).id)

    def _saved(self, result: Any = None):
        self._close()
        return [rx.toast.success(self._tr("groups.created")), rx.redirect(f"/groups/{result}")]
