"""VIP群 in the portal: groups my rooms may join (申请入群 with a room), my applications with the identity and fee
check notes, the rejection reason and the join link once invited, my memberships, and my confirmed violations with
their one appeal."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm
from pm_admin.groups import queries
from pm_admin.groups.services import admission, moderation


class PortalGroupsState(PortalState):
    groups: list[dict[str, Any]] = []
    applications: list[dict[str, Any]] = []
    memberships: list[dict[str, Any]] = []
    violations: list[dict[str, Any]] = []
    form_key: int = 0

    async def _refresh(self) -> None:
        owner = self.owner
        view = await in_worker_thread(lambda session: queries.owner_groups(session, owner))
        self.groups, self.applications = view["groups"], view["applications"]
        self.memberships, self.violations = view["members"], view["violations"]

    @requires_owner(PortalPerm.HOME)
    async def load(self):
        await self._refresh()

    async def _act(self, work, success_key: str):
        owner = self.owner
        try:
            await in_worker_thread(lambda session: work(session, owner))
        except ValidationFailed as error:
            await self._refresh()
            return rx.toast.error(next(iter(self._field_messages(error).values())))
        except DomainError as error:
            await self._refresh()
            return rx.toast.error(self._tr(error.key, **error.params))
        self.form_key += 1
        await self._refresh()
        return rx.toast.success(self._tr(success_key))

    @requires_owner(PortalPerm.HOME)
    async def apply(self, form: dict[str, Any]):
        return await self._act(lambda session, owner: admission.apply_from_portal(
            session, owner=owner, group_id=str(form.get("group_id", ""))[:20],
            room_id=str(form.get("room_id", ""))[:20]), "portal.group_applied")

    @requires_owner(PortalPerm.HOME)
    async def appeal(self, form: dict[str, Any]):
        return await self._act(lambda session, owner: moderation.appeal(
            session, owner=owner, violation_id=str(form.get("violation_id", ""))[:20],
            text=str(form.get("text", ""))[:1100]), "portal.group_appealed")
