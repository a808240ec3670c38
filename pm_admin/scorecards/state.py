"""The scorecards page's state: which cards the reader may see, the period and community in the URL, and the
tickets behind a figure. Every number comes from ``scorecards.queries``."""

from __future__ import annotations

from typing import ClassVar

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import read_only
from pm_admin.core.dialog_form import DialogForm
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import Picker, UrlFilters
from pm_admin.dashboards.periods import PERIOD_KEYS
from pm_admin.places.pickers import COMMUNITY_PICKER
from pm_admin.scorecards import behind, queries, view

READERS = (Perm.SCORECARDS_OWN, Perm.SCORECARDS_TEAM, Perm.SCORECARDS_DEPARTMENTS)
VIEW_PERMISSIONS: dict[str, str] = {"mine": Perm.SCORECARDS_OWN, "team": Perm.SCORECARDS_TEAM,
                                    "departments": Perm.SCORECARDS_DEPARTMENTS}


class ScorecardsState(UrlFilters, ProtectedState):
    _PAGE_PERMISSION: ClassVar[tuple[str, ...]] = READERS
    _PATH: ClassVar[str] = "/scorecards"
    _FILTERS: ClassVar[tuple[str, ...]] = ("view", "period", "community")
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset({"community"})
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"period": PERIOD_KEYS, "view": tuple(VIEW_PERMISSIONS)}
    _PICKERS: ClassVar[tuple[Picker, ...]] = (COMMUNITY_PICKER,)
    views: list[str] = []
    columns: list[str] = []
    rows: list[dict[str, str]] = []
    sections: list[dict] = []
    can_open_tickets: bool = False
    own_id: str = ""

    def _view(self) -> str:
        chosen = self.filters.get("view", "")
        return chosen if chosen in self.views else (self.views[0] if self.views else "")

    def _filter_defaults(self) -> dict[str, str]:
        return {"period": PERIOD_KEYS[0], "view": self.views[0] if self.views else ""}

    def _load(self) -> None:
        period, community = self.filters.get("period") or PERIOD_KEYS[0], optional_id(self.filters.get("community"))
        chosen = self._view()
        self.rows, self.sections, self.columns = [], [], []
        with read_only() as session:
            if chosen == "mine":
                self.sections = view.card_sections(queries.own_card(session, self.principal, period, community))
            elif chosen == "team":
                self.columns = list(queries.ALL_FIGURES)
                cards = queries.team_cards(session, self.principal, period, community)
                self.rows = [view.card_row(card, queries.ALL_FIGURES) for card in cards]
            elif chosen == "departments":
                self.columns = list(queries.DEPARTMENT_FIGURES)
                cards = queries.department_cards(session, self.principal, period, community, language=self.lang)
                self.rows = [view.card_row(card, queries.DEPARTMENT_FIGURES) for card in cards]

    def _set_filter(self, key: str, value) -> bool:
        changed = super()._set_filter(key, value)
        if key == "view":  # a view the reader may not use falls back to one they may
            self.filters = {**self.filters, "view": self._view()}
        return changed

    @requires(READERS)
    def load(self):
        self.views = [name for name, permission in VIEW_PERMISSIONS.items() if self.principal.has(permission)]
        self.can_open_tickets = self.principal.has(Perm.TICKETS_VIEW)
        self.own_id = str(self.principal.user_id)
        self._start_filters()
        self.filters = {**self.filters, "view": self._view()}  # a view the reader may not use falls back
        self._load()


class TicketsBehind(DialogForm, ScorecardsState):
    """The tickets a figure of a card counts (the server checks the reader may open that card)."""

    behind: list[dict[str, str]] = []

    @requires(READERS)
    def open_behind(self, subject: str, subject_id: str, figure: str):
        period, community = self.filters.get("period") or PERIOD_KEYS[0], optional_id(self.filters.get("community"))
        with read_only() as session:
            self.behind = behind.tickets_behind(session, self.principal, subject=subject, subject_id=subject_id,
                                                figure=figure, period_key=period, community_id=community,
                                                language=self.lang)
        name = next((row["name"] for row in self.rows
                     if row["subject"] == subject and row["subject_id"] == str(subject_id)), self.principal.display_name)
        self._open({}, subject={"name": name, "figure": figure})
