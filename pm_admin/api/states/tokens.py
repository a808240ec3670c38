"""Admin page of the REST API's integration tokens: list, create (the token shown once), revoke."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.api import tokens
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm
from pm_admin.places.queries import community_options

MANAGE = Perm.API_TOKENS_MANAGE


class ApiTokensState(ProtectedState):
    rows: list[dict[str, Any]] = []
    communities: list[dict[str, str]] = []

    def _load(self) -> None:
        with read_only() as session:
            self.rows = tokens.listing(session, self.principal)
            self.communities = select_options(community_options(session, self.principal))

    @requires(MANAGE)
    async def load(self):
        await close_dialogs(self)
        await off_loop(self._load)


class TokenForm(DialogForm, ApiTokensState):
    """A new token; after saving, the dialog stays open on the token, shown this once."""

    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"all_communities", *[f"scope:{s}" for s in tokens.SCOPES]})

    @requires(MANAGE)
    def open_create(self):
        self._open({"name": "", "per_minute": "120", "all_communities": False,
                    **{f"scope:{s}": False for s in tokens.SCOPES}}, subject={"token": ""})

    @requires(MANAGE)
    def save(self, form: dict[str, Any]):
        scopes = [s for s in tokens.SCOPES if form.get(f"scope:{s}") in (True, "on", "true")]
        chosen = [optional_id(form.get(f"community:{c['value']}") and c["value"]) for c in self.communities]
        per_minute = str(form.get("per_minute", "")).strip()
        return self._submit(form, lambda session: tokens.create(
            session, actor=self.principal, name=str(form.get("name", "")), scopes=scopes,
            community_ids=[c for c in chosen if c], all_communities=form.get("all_communities") in (True, "on"),
            per_minute=int(per_minute) if per_minute.isdigit() and len(per_minute) < 6 else 0).token)

    def _saved(self, result: Any = None):
        self.subject = {"token": str(result)}
        self._load()
        return rx.toast.success(self._tr("api.token_issued"))


class RevokeForm(DialogForm, ApiTokensState):
    @requires(MANAGE)
    def open_revoke(self, token_id: int):
        row = next((r for r in self.rows if r["id"] == token_id and not r["revoked"]), None)
        if row is not None:
            self._open({}, record_id=token_id, subject={"name": row["name"], "prefix": row["prefix"]})

    @requires(MANAGE)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: tokens.revoke(session, actor=self.principal,
                                                                token_id=self._record_id))
