"""Login, password change and the admin user pages' states (thin: check, call, show)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.auth import queries, services
from pm_admin.auth.redirects import safe_next
from pm_admin.core.base_state import AppState, ProtectedState
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.guard import current_client, device_cookie_name, public, request_cookies, requires
from pm_admin.core.i18n import translate
from pm_admin.core.ids import required_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import UrlFilters
from pm_admin.places.queries import community_options


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


class UsersState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.USERS_MANAGE
    _PATH: ClassVar[str] = "/admin/users"
    _FILTERS: ClassVar[tuple[str, ...]] = ("q",)
    role_options: list[str] = []
    community_choices: list[dict[str, str]] = []

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return queries.list_users(session, self.principal, request, self.filters.get("q", ""))

    @requires(Perm.USERS_MANAGE)
    async def load(self):
        with read_only() as session:
            self.role_options = queries.role_codes(session)
            self.community_choices = [
                {"value": str(cid), "label": name} for cid, name in community_options(session, self.principal)
            ]
        self._start_filters()
        self._load()
        await close_dialogs(self)

    @requires(Perm.USERS_MANAGE)
    def unlock_login(self, user_id: int):
        row = self._row(user_id)
        if row is None:
            return None
        with unit_of_work() as session:
            services.unlock_login(session, actor=self.principal, user_id=user_id)
        return rx.toast.success(self._tr("users.login_unlocked", username=row["username"]))


class UserForm(DialogForm, UsersState):
    """An account: roles and communities are ticked one by one (kept in ``values``), the rest is typed."""

    _ENTITY: ClassVar[str] = "user"

    @requires(Perm.USERS_MANAGE)
    def open_create(self):
        self._open({"username": "", "display_name": "", "roles": [], "community_ids": [], "all_communities": False,
                    "is_active": True})

    @requires(Perm.USERS_MANAGE)
    def open_edit(self, user_id: int):
        row = self._row(user_id)
        if row is not None:
            self._open({"username": row["username"], "display_name": row["display_name"], "roles": list(row["roles"]),
                        "community_ids": [str(c) for c in row["community_ids"]],
                        "all_communities": row["all_communities"], "is_active": row["is_active"]},
                       record_id=row["id"], version=row["version"])

    @requires(Perm.USERS_MANAGE)
    def toggle_role(self, role: str, checked: bool):
        roles = set(self.values.get("roles", []))
        roles.add(role) if checked else roles.discard(role)
        self.values = {**self.values, "roles": sorted(roles)}

    @requires(Perm.USERS_MANAGE)
    def toggle_community(self, community_id: str, checked: bool):
        community_id = str(required_id(community_id))
        chosen = set(self.values.get("community_ids", []))
        chosen.add(community_id) if checked else chosen.discard(community_id)
        self.values = {**self.values, "community_ids": sorted(chosen, key=int)}

    def _conflicted(self, current: dict[str, Any]) -> None:
        super()._conflicted({**current, "community_ids": [str(c) for c in current.get("community_ids", [])]})

    @requires(Perm.USERS_MANAGE)
    async def save(self, form: dict[str, Any]):
        self._require_open()
        roles, community_ids = list(self.values.get("roles", [])), [int(c) for c in self.values.get("community_ids", [])]
        all_communities = bool(form.get("all_communities"))
        try:
            if self._record_id:
                with unit_of_work() as session:
                    services.update_user(
                        session, actor=self.principal, user_id=self._record_id, expected_version=self._version,
                        display_name=str(form.get("display_name", "")), roles=roles, community_ids=community_ids,
                        all_communities=all_communities, is_active=bool(form.get("is_active")))
            else:
                await _hashing(services.create_user, actor=self.principal, username=str(form.get("username", "")),
                               display_name=str(form.get("display_name", "")), password=str(form.get("password", "")),
                               roles=roles, community_ids=community_ids, all_communities=all_communities)
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._refused(error, form)
            return None
        return self._saved()


class PasswordResetForm(DialogForm, UsersState):
    @requires(Perm.USERS_MANAGE)
    def open_reset(self, user_id: int):
        row = self._row(user_id)
        if row is not None:
            self._open({}, record_id=user_id, subject={"username": row["username"]})

    @requires(Perm.USERS_MANAGE)
    async def save(self, form: dict[str, Any]):
        self._require_open()
        try:
            await _hashing(services.reset_password, actor=self.principal, user_id=self._record_id,
                           new_password=str(form.get("password", "")))
        except ValidationFailed as error:
            self._refused(error, form)
            return None
        self._close()
        return rx.toast.success(self._tr("users.password_reset_done"))
