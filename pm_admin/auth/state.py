"""Login, password change and the admin user pages' states (thin: check, call, show)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar

import reflex as rx

from pm_admin.auth import services
from pm_admin.auth.redirects import safe_next
from pm_admin.core.base_state import AppState, ProtectedState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.form_state import FormMixin
from pm_admin.core.guard import current_client, device_cookie_name, public, request_cookies, requires
from pm_admin.core.i18n import translate
from pm_admin.core.ids import required_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.permissions import Perm
from pm_admin.places.queries import community_options
from pm_admin.users import queries as account_queries
from pm_admin.users import services as accounts


def session_script(ticket: str, next_path: str) -> str:
    """Trade the one-time ticket for the HttpOnly cookie, then load the app with it."""
    return (
        "fetch('/auth/session', {method: 'POST', credentials: 'same-origin', "
        "headers: {'Content-Type': 'application/json'}, "
        f"body: JSON.stringify({{ticket: {json.dumps(ticket)}}})}})"
        f".then(r => {{ if (r.ok) window.location.replace({json.dumps(next_path)}); "
        "else window.location.reload(); })"
    )


async def _hashing(service, **kwargs):
    """A service that runs bcrypt (a few hundred ms), in its own transaction in a worker thread, so other
    users' events keep flowing meanwhile."""
    def run():
        with unit_of_work() as session:
            return service(session, **kwargs)
    return await asyncio.to_thread(run)


class LoginState(AppState):
    error: str = ""
    busy: bool = False

    @public
    def prepare(self):
        """A fresh form every time the login page opens (also after logout)."""
        self.error, self.busy = "", False

    @public
    async def login(self, form: dict[str, Any]):
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        if not username or not password:
            self.error = translate("auth.fill_both", self.lang)
            return None
        result = await _hashing(services.authenticate, username=username, password=password, client=current_client(),
                                device_token=request_cookies(self.router_data).get(device_cookie_name(username)))
        if not result.ok:
            self.error = translate(result.message_key, self.lang, seconds=result.wait_seconds)
            return None
        self.error = ""
        self.busy = True
        next_path = safe_next(self.router.url.query_parameters.get("next"))
        return rx.call_script(session_script(result.ticket, next_path))


class PasswordState(ProtectedState):
    errors: dict[str, str] = {}
    done: bool = False

    @requires(before_password_change=True)
    async def change(self, form: dict[str, Any]):
        self.done = False
        if form.get("new_password") != form.get("confirm_password"):
            self.errors = {"confirm_password": self._tr("auth.password_mismatch")}
            return None
        refusal = await _hashing(services.change_password, principal=self.principal,
                                 current_password=str(form.get("current_password", "")),
                                 new_password=str(form.get("new_password", "")))
        if refusal is not None:
            self.errors = self._field_messages(refusal)
            return None
        self.errors = {}
        self.done = True
        return [rx.toast.success(self._tr("auth.password_changed")), rx.redirect("/")]


EMPTY_USER_FORM: dict[str, Any] = {
    "id": 0, "username": "", "display_name": "", "roles": [], "community_ids": [], "all_communities": False,
    "is_active": True, "version": 0,
}


class UsersState(FormMixin, PagedMixin, ProtectedState):
    _ENTITY: ClassVar[str] = "user"
    search: str = ""
    role_options: list[str] = []
    community_choices: list[dict[str, str]] = []
    form_roles: list[str] = []
    form_communities: list[str] = []
    reset_open: bool = False
    reset_user_id: int = 0
    reset_username: str = ""

    def _load(self) -> None:
        with read_only() as session:
            self._show(account_queries.list_users(session, self.principal, self._page_request(), self.search))

    @requires(Perm.USERS_MANAGE)
    def load(self):
        with read_only() as session:
            self.role_options = account_queries.role_codes(session)
            self.community_choices = [
                {"value": str(cid), "label": name} for cid, name in community_options(session, self.principal)
            ]
        self._load()

    @requires(Perm.USERS_MANAGE)
    def apply_search(self, form: dict[str, Any]):
        self.search = str(form.get("search", ""))[:64]
        self.page = 1
        self._load()

    @requires(Perm.USERS_MANAGE)
    def open_create(self):
        self.form_roles, self.form_communities = [], []
        self._open_form(dict(EMPTY_USER_FORM))

    @requires(Perm.USERS_MANAGE)
    def open_edit(self, user_id: int):
        row = self._row(user_id)
        if row is None:
            return None
        self.form_roles = list(row["roles"])
        self.form_communities = [str(c) for c in row["community_ids"]]
        self._open_form({key: row[key] for key in EMPTY_USER_FORM})
        return None

    @requires(Perm.USERS_MANAGE)
    def toggle_role(self, role: str, checked: bool):
        roles = set(self.form_roles)
        roles.add(role) if checked else roles.discard(role)
        self.form_roles = sorted(roles)

    @requires(Perm.USERS_MANAGE)
    def toggle_community(self, community_id: str, checked: bool):
        community_id = str(required_id(community_id))
        chosen = set(self.form_communities)
        chosen.add(community_id) if checked else chosen.discard(community_id)
        self.form_communities = sorted(chosen, key=int)

    @requires(Perm.USERS_MANAGE)
    async def save(self, form: dict[str, Any]):
        community_ids = [int(c) for c in self.form_communities]
        all_communities = bool(form.get("all_communities"))
        try:
            if self._loaded.get("id"):
                with unit_of_work() as session:
                    accounts.update_user(
                        session, actor=self.principal, user_id=int(self._loaded["id"]),
                        expected_version=int(self._loaded["version"]), display_name=str(form.get("display_name", "")),
                        roles=self.form_roles, community_ids=community_ids, all_communities=all_communities,
                        is_active=bool(form.get("is_active")),
                    )
            else:
                await _hashing(accounts.create_user, actor=self.principal, username=str(form.get("username", "")),
                               display_name=str(form.get("display_name", "")), password=str(form.get("password", "")),
                               roles=self.form_roles, community_ids=community_ids, all_communities=all_communities)
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._save_failed(error, form)
            return None
        return self._saved()

    @requires(Perm.USERS_MANAGE)
    def open_reset(self, user_id: int):
        row = self._row(user_id)
        if row is not None:
            self.reset_user_id, self.reset_username = user_id, row["username"]
            self.errors, self.reset_open = {}, True

    @requires(Perm.USERS_MANAGE)
    def close_reset(self, _open: bool = False):
        self.reset_open = False

    @requires(Perm.USERS_MANAGE)
    def unlock_login(self, user_id: int):
        row = self._row(user_id)
        if row is None:
            return None
        with unit_of_work() as session:
            accounts.unlock_login(session, actor=self.principal, user_id=user_id)
        return rx.toast.success(self._tr("users.login_unlocked", username=row["username"]))

    @requires(Perm.USERS_MANAGE)
    async def reset_password(self, form: dict[str, Any]):
        try:
            await _hashing(accounts.reset_password, actor=self.principal, user_id=self.reset_user_id,
                           new_password=str(form.get("password", "")))
        except ValidationFailed as error:
            self.errors = self._field_messages(error)
            return None
        self.reset_open = False
        return rx.toast.success(self._tr("users.password_reset_done"))
