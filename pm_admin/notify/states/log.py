"""The delivery log page: every message of the staff member's communities, its state, and retrying a dead one.
In development it is also the "sent messages" page: what the development outbox took instead of a person."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, unit_of_work
from pm_admin.core.guard import requires
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import UrlFilters
from pm_admin.notify import queries, services
from pm_admin.notify.models import Channel, Delivery
from pm_admin.settings import get_settings


class DeliveryLogState(UrlFilters, PagedMixin, ProtectedState):
    _PATH: ClassVar[str] = "/messages"
    _PAGE_PERMISSION: ClassVar[str] = Perm.NOTIFY_VIEW
    _FILTERS: ClassVar[tuple[str, ...]] = ("status", "channel", "q", "development")
    _FLAGS: ClassVar[frozenset[str]] = frozenset({"development"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"status": tuple(d.value for d in Delivery),
                                                      "channel": tuple(c.value for c in Channel)}
    can_retry: bool = False
    in_development: bool = False

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return queries.delivery_log(session, self.principal, queries.DeliveryFilter(
            status=f.get("status", ""), channel=f.get("channel", ""), cause=f.get("q", ""),
            development=f.get("development") == "1"), request, self.lang)

    @requires(Perm.NOTIFY_VIEW)
    async def load(self):
        self.can_retry = self.principal.has(Perm.NOTIFY_MANAGE)
        self.in_development = not get_settings().is_production
        self._start_filters()
        await off_loop(self._load)

    @requires(Perm.NOTIFY_MANAGE)
    def retry(self, message_id: int):
        if self._row(message_id) is None:
            return None
        with unit_of_work() as session:
            services.retry(session, self.principal, message_id)
        self._load()
        return rx.toast.success(self._tr("notify.retried"))
