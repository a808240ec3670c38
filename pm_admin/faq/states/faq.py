"""常见问题 for staff: the ask box a cs uses on the phone, the knowledge base (filters in the URL) with its entry
dialog, and the unanswered questions, each turned into an entry in one step or dismissed."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.faq import editing, queries, services
from pm_admin.faq.models import AskChannel
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.places.queries import community_options

ASK_LENGTH = 600  # what the state passes on; the service says when a question is too long
COMPANY_WIDE = "0"  # the community choice of a company-wide entry (a select item cannot be empty)
ENTRY_FIELDS = ("community_id", "question", "phrasings", "answer", "category", "valid_until")


class FaqState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.FAQ_VIEW
    _PATH: ClassVar[str] = "/faq"
    _FILTERS: ClassVar[tuple[str, ...]] = ("community", "category", "q")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _PICKERS: ClassVar[tuple[Picker, ...]] = (
        COMMUNITY_PICKER,
        Picker("category", lambda session, principal, _parent, _lang: queries.category_options(session, principal)))
    can_manage: bool = False
    unanswered: list[dict[str, str]] = []
    # The ask box: the community asked for, and the reply shown (the answer, the proposals, or the ticket offer).
    ask_community: str = ""
    ask_error: str = ""
    ask_key: int = 0
    reply_band: str = ""
    reply_answer: dict[str, str] = {}
    reply_proposals: list[dict[str, str]] = []
    reply_ticket: dict[str, str] = {}
    _reply_query: int = 0

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        f = self.filters
        return queries.entries(session, self.principal, request, queries.EntryFilter(
            community_id=optional_id(f.get("community")), category=f.get("category", ""), search=f.get("q", "")))

    def _load_unanswered(self) -> None:
        with read_only() as session:
            rows = queries.unanswered(session, self.principal, optional_id(self.filters.get("community")))
        self.unanswered = [{key: str(value) for key, value in row.items()} for row in rows]

    def _filters_changed(self) -> None:
        self._load_unanswered()

    def _load_all(self) -> None:
        self._load()
        self._load_unanswered()

    def _show_reply(self, reply: services.Reply | None) -> None:
        view = queries.reply_view(reply) if reply is not None else {}
        self._reply_query = int(view.get("query_id", 0))
        self.reply_band = view.get("band", "")
        self.reply_answer = {k: str(v) for k, v in view.get("answer", {}).items()}
        self.reply_proposals = [{k: str(v) for k, v in p.items()} for p in view.get("proposals", [])]
        self.reply_ticket = dict(view.get("ticket", {}))

    @requires(Perm.FAQ_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.FAQ_MANAGE)
        await close_dialogs(self)
        self._start_filters()
        communities = self.choices.get("community", [])
        self.ask_community = self.filters.get("community") or (communities[0]["value"] if communities else "")
        self.ask_error = ""
        self._show_reply(None)
        await off_loop(self._load_all)

    @requires(Perm.FAQ_VIEW)
    def pick_ask_community(self, value: str):
        """The community the caller lives in (one the page offers)."""
        if value in {c["value"] for c in self.choices.get("community", [])}:
            self.ask_community = value

    @requires(Perm.FAQ_VIEW)
    def ask(self, form: dict[str, Any]):
        """A cs on the phone asks for the caller: the answer, the top three, or a ticket to open."""
        community = str(form.get("community_id", "") or self.ask_community)
        text = str(form.get("text", ""))[:ASK_LENGTH]
        try:
            with unit_of_work() as session:
                reply = services.ask(session, asker=self.principal, community_id=community, text=text,
                                     channel=AskChannel.STAFF)
        except ValidationFailed as error:
            self.ask_error = self._field_messages(error).get("text", "")
            return
        self.ask_community, self.ask_error = community, ""
        self._show_reply(reply)
        self._load_unanswered()

    @requires(Perm.FAQ_VIEW)
    def choose(self, entry_id: str):
        """The caller meant one of the proposals: its answer, and the log notes which."""
        if not self._reply_query or entry_id not in {p["entry_id"] for p in self.reply_proposals}:
            return
        with unit_of_work() as session:
            services.choose(session, asker=self.principal, query_id=self._reply_query, entry_id=entry_id)
        self.reply_answer = next(p for p in self.reply_proposals if p["entry_id"] == entry_id)
        self.reply_proposals = []

    @requires(Perm.FAQ_VIEW)
    def clear_reply(self):
        self._show_reply(None)
        self.ask_error = ""
        self.ask_key += 1

    @requires(Perm.FAQ_MANAGE)
    def dismiss(self, query_id: str):
        """Not worth an entry: off the list (only a question the page shows)."""
        if query_id not in {row["id"] for row in self.unanswered}:
            return
        with unit_of_work() as session:
            editing.dismiss_query(session, actor=self.principal, query_id=query_id)
        self._load_unanswered()


class EntryForm(DialogForm, FaqState):
    """A new entry, an entry edited, or an unanswered question turned into one (the dialog prefilled)."""

    _ENTITY: ClassVar[str] = "faq_entry"
    community_choices: list[dict[str, str]] = []
    from_query: str = ""  # the question as asked, when the entry is made from one
    _query_id: int = 0

    def _load_communities(self) -> None:
        with read_only() as session:
            choices = select_options(community_options(session, self.principal))
        if self.principal.all_communities:
            choices = [{"value": COMPANY_WIDE, "label": self._tr("faq.company_wide")}, *choices]
        self.community_choices = choices

    def _start(self, values: dict[str, Any], **kwargs: Any) -> None:
        self._open({key: str(values.get(key, "")) for key in ENTRY_FIELDS}, **kwargs)

    @requires(Perm.FAQ_MANAGE)
    def open_new(self):
        self._load_communities()
        self._query_id, self.from_query = 0, ""
        community = self.filters.get("community") or (
            self.community_choices[0]["value"] if self.community_choices else "")
        self._start({"community_id": community})

    @requires(Perm.FAQ_MANAGE)
    def open_edit(self, entry_id: str):
        if entry_id not in {str(row["id"]) for row in self.rows}:
            return
        self._load_communities()
        self._query_id, self.from_query = 0, ""
        with read_only() as session:
            entry, values = queries.entry_for_edit(session, self.principal, int(entry_id))
        self._start({**values, "community_id": values["community_id"] or COMPANY_WIDE}, record_id=entry.id,
                    version=entry.version)

    @requires(Perm.FAQ_MANAGE)
    def open_from_query(self, query_id: str):
        """One step: the dialog opens with the question as asked, for its community; staff add the answer."""
        if query_id not in {row["id"] for row in self.unanswered}:
            return
        self._load_communities()
        with read_only() as session:
            query = queries.query_for_entry(session, self.principal, int(query_id))
        self._query_id, self.from_query = query.id, query.asked
        self._start({"community_id": str(query.community_id), "question": query.asked[:services.QUESTION_LENGTH]})

    @requires(Perm.FAQ_MANAGE)
    def save(self, form: dict[str, Any]):
        self._require_open()
        typed = {key: str(form.get(key, ""))[:services.ANSWER_LENGTH + 100] for key in ENTRY_FIELDS}
        community = "" if typed["community_id"] == COMPANY_WIDE else typed["community_id"]
        data = editing.EntryInput(community_id=community, question=typed["question"], answer=typed["answer"],
                                   category=typed["category"], valid_until=typed["valid_until"],
                                   phrasings=typed["phrasings"])
        actor, record_id, version, query_id = self.principal, self._record_id, self._version, self._query_id
        if self.editing:
            def write(session):
                return editing.update_entry(session, actor=actor, entry_id=record_id, expected_version=version,
                                             data=data).id
        elif query_id:
            def write(session):
                return editing.entry_from_query(session, actor=actor, query_id=query_id, data=data).id
        else:
            def write(session):
                return editing.create_entry(session, actor=actor, data=data).id
        return self._submit(typed, write)

    def _after_save(self) -> None:
        self._query_id, self.from_query = 0, ""
        self._load_all()
