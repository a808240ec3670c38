"""Activities in the portal: open activities of the owner's communities with 报名, my sign-ups (cancel), and the
evaluations waiting for a household that came."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.activities import queries
from pm_admin.activities.services import evaluations, signups
from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm


class PortalActivitiesState(PortalState):
    open_activities: list[dict[str, Any]] = []
    signups: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []

    async def _refresh(self) -> None:
        owner = self.owner
        view = await in_worker_thread(lambda session: queries.owner_activities(session, owner))
        self.open_activities, self.signups, self.tasks = view["open"], view["signups"], view["tasks"]

    @requires_owner(PortalPerm.HOME)
    async def load(self):
        await self._refresh()

    async def _act(self, work, success_key: str | None):
        owner = self.owner
        try:
            result = await in_worker_thread(lambda session: work(session, owner))
        except ValidationFailed as error:
            await self._refresh()
            return rx.toast.error(next(iter(self._field_messages(error).values())))
        except DomainError as error:
            await self._refresh()
            return rx.toast.error(self._tr(error.key, **error.params))
        await self._refresh()
        key = success_key or ("activities.waiting_toast" if getattr(result, "status", "") == "waiting"
                              else "activities.signed_up_toast")
        return rx.toast.success(self._tr(key))

    @requires_owner(PortalPerm.HOME)
    async def sign_up(self, form: dict[str, Any]):
        return await self._act(lambda session, owner: signups.sign_up_owner(
            session, owner=owner, activity_id=str(form.get("activity_id", ""))[:20],
            room_id=str(form.get("room_id", ""))[:20], people=str(form.get("people", "1"))[:3]), None)

    @requires_owner(PortalPerm.HOME)
    async def cancel(self, signup_id: int):
        return await self._act(lambda session, owner: signups.cancel_owner(session, owner=owner, signup_id=signup_id),
                               "activities.saved")

    @requires_owner(PortalPerm.HOME)
    async def evaluate(self, form: dict[str, Any]):
        return await self._act(lambda session, owner: evaluations.evaluate(
            session, owner=owner, activity_id=str(form.get("activity_id", ""))[:20],
            room_id=str(form.get("room_id", ""))[:20], score=str(form.get("score", ""))[:2],
            comment=str(form.get("comment", ""))[:500]), "portal.evaluated")
