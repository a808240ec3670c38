"""常见问题 in the portal: an owner asks for one of their communities; a sure match answers at once, a near one offers
three to choose from (the choice is logged), and a repair, a complaint or nothing close offers to report it."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlencode

import reflex as rx

from pm_admin.core.base_state import PortalState
from pm_admin.core.db import in_worker_thread
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires_owner
from pm_admin.core.permissions import PortalPerm
from pm_admin.faq import queries as faq_queries
from pm_admin.faq import services
from pm_admin.faq.models import AskChannel
from pm_admin.portal import queries


class PortalFaqState(PortalState):
    _ASK_LENGTH: ClassVar[int] = 600
    communities: list[dict[str, str]] = []
    community: str = ""
    asked: str = ""
    error: str = ""
    band: str = ""
    answer: dict[str, str] = {}
    proposals: list[dict[str, str]] = []
    ticket: dict[str, str] = {}
    _query: int = 0

    def _show(self, view: dict[str, Any]) -> None:
        self._query = int(view.get("query_id", 0))
        self.band = view.get("band", "")
        self.answer = {k: str(v) for k, v in view.get("answer", {}).items()}
        self.proposals = [{k: str(v) for k, v in p.items()} for p in view.get("proposals", [])]
        self.ticket = dict(view.get("ticket", {}))

    @requires_owner(PortalPerm.HOME)
    async def load(self):
        owner = self.owner
        self.communities = await in_worker_thread(lambda session: queries.community_choices(session, owner))
        self.community = self.communities[0]["value"] if self.communities else ""
        self.asked, self.error = "", ""
        self._show({})

    @requires_owner(PortalPerm.HOME)
    async def ask(self, form: dict[str, Any]):
        owner = self.owner
        community = str(form.get("community_id", "") or self.community)
        text = str(form.get("text", ""))[:self._ASK_LENGTH]
        try:
            view = await in_worker_thread(lambda session: faq_queries.reply_view(services.ask(
                session, asker=owner, community_id=community, text=text, channel=AskChannel.PORTAL)))
        except ValidationFailed as error:
            self.error = self._field_messages(error).get("text", "")
            return
        self.community, self.asked, self.error = community, text.strip(), ""
        self._show(view)

    @requires_owner(PortalPerm.HOME)
    async def report(self):
        """The owner takes the offer: the log notes it, and the report opens with the question written in."""
        if not self._query or not self.ticket:
            return None
        owner, query_id = self.owner, self._query
        asked = await in_worker_thread(lambda session: services.ticket_opened(session, asker=owner,
                                                                              query_id=query_id))
        return rx.redirect("/portal/report?" + urlencode({"text": asked[:500]}))

    @requires_owner(PortalPerm.HOME)
    async def choose(self, entry_id: str):
        """The owner picked one of the three: its answer, and the log notes which."""
        if not self._query or entry_id not in {p["entry_id"] for p in self.proposals}:
            return
        owner, query_id = self.owner, self._query
        await in_worker_thread(lambda session: services.choose(session, asker=owner, query_id=query_id,
                                                               entry_id=entry_id))
        self.answer = next(p for p in self.proposals if p["entry_id"] == entry_id)
        self.proposals = []
