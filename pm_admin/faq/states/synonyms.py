"""The synonyms of the FAQ page (管理费 → 物业费): listed for the community the page shows, added and deleted by
staff who may edit the knowledge base."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm
from pm_admin.faq import editing, queries
from pm_admin.faq.states.faq import COMPANY_WIDE, FaqState


class SynonymsState(FaqState):
    synonyms: list[dict[str, str]] = []
    synonym_errors: dict[str, str] = {}
    synonym_key: int = 0
    synonym_scopes: list[dict[str, str]] = []  # where a new synonym applies: a community, or company-wide
    synonym_scope: str = ""  # the one the form starts with: the page's community, else the first offered

    def _load_synonyms(self) -> None:
        with read_only() as session:
            self.synonyms = queries.synonyms(session, self.principal, optional_id(self.filters.get("community")))

    @requires(Perm.FAQ_VIEW)
    def open_tab(self):
        communities = [dict(c) for c in self.choices.get("community", [])]
        company = [{"value": COMPANY_WIDE, "label": self._tr("faq.company_wide")}] \
            if self.principal.all_communities else []
        self.synonym_scopes = company + communities
        self.synonym_scope = self.filters.get("community") or (communities or company or [{"value": ""}])[0]["value"]
        self.synonym_key += 1  # the form remounts with its choices and starting scope
        self._load_synonyms()

    @requires(Perm.FAQ_MANAGE)
    def add(self, form: dict[str, Any]):
        community = str(form.get("community_id", ""))
        try:
            with unit_of_work() as session:
                editing.save_synonym(session, actor=self.principal,
                                      community_id="" if community == COMPANY_WIDE else community,
                                      word=str(form.get("word", ""))[:40], canonical=str(form.get("canonical", ""))[:40])
        except ValidationFailed as error:
            self.synonym_errors = self._field_messages(error)
            return None
        self.synonym_errors, self.synonym_key = {}, self.synonym_key + 1
        self._load_synonyms()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.FAQ_MANAGE)
    def remove(self, synonym_id: str):
        if synonym_id not in {s["id"] for s in self.synonyms if s["deletable"]}:
            return None  # only rows the page shows as deletable
        try:
            with unit_of_work() as session:
                editing.delete_synonym(session, actor=self.principal, synonym_id=synonym_id)
        except DomainError as error:
            return rx.toast.error(self._tr(error.key, **error.params))
        self._load_synonyms()
        return rx.toast.success(self._tr("common.deleted"))
