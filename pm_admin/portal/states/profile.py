"""The owner's profile: who they are, their rooms, a contact change request (staff decide), channel preferences."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm
from pm_admin.portal import profile
from pm_admin.portal.services import profile as profile_services
from pm_admin.portal.services.profile import ContactChange

CHANGE_FIELDS = ("phone", "phone2", "address")


class PortalProfileState(PortalState):
    me: dict[str, Any] = {}
    errors: dict[str, str] = {}
    form_key: int = 0  # remounts the request form (emptied) once it is sent

    async def _reload(self):
        owner = self.owner
        self.me = await in_worker_thread(lambda session: profile.profile(session, owner))

    @requires_owner(PortalPerm.PROFILE)
    async def load(self):
        self.errors = {}
        await self._reload()

    @requires_owner(PortalPerm.PROFILE)
    async def request_change(self, form: dict[str, Any]):
        """Typed phones go straight to the service (stored encrypted there), never into the state."""
        owner = self.owner
        data = ContactChange(**{name: str(form.get(name, ""))[:200] for name in CHANGE_FIELDS},
                             drop_phone2=form.get("drop_phone2") in (True, "on", "true"))
        try:
            await in_worker_thread(lambda session: profile_services.request_change(session, owner=owner, data=data))
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        except DomainError as error:
            self.errors = {"form": self._tr(error.key, **error.params)}
            return None
        self.errors = {}
        self.form_key += 1
        await self._reload()
        return rx.toast.success(self._tr("portal.request_sent"))

    @requires_owner(PortalPerm.PROFILE)
    async def withdraw(self):
        owner, request_id = self.owner, (self.me.get("waiting") or {}).get("id")
        if not request_id:
            return None
        try:
            await in_worker_thread(lambda session: profile_services.withdraw(session, owner=owner,
                                                                              request_id=request_id))
        except DomainError as error:
            self.errors = {"form": self._tr(error.key, **error.params)}
        await self._reload()
        return None

    @requires_owner(PortalPerm.PROFILE)
    async def set_channel(self, channel: str, enabled: bool):
        owner = self.owner
        await in_worker_thread(lambda session: profile_services.set_channel(
            session, owner=owner, channel=str(channel), enabled=enabled is True))
        await self._reload()
        return rx.toast.success(self._tr("common.saved"))
