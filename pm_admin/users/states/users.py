"""The admin's staff accounts page: the list, the account dialog, password resets, sign-in delays cleared."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.db import in_worker_thread, off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import required_id
from pm_admin.core.paged_state import PagedMixin
from pm_admin.core.paging import Page, PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.core.url_filters import UrlFilters
from pm_admin.places.queries import community_options
from pm_admin.users import queries as account_queries
from pm_admin.users import services as accounts


class UsersState(UrlFilters, PagedMixin, ProtectedState):
    _PAGE_PERMISSION: ClassVar[str] = Perm.USERS_MANAGE
    _PATH: ClassVar[str] = "/admin/users"
    _FILTERS: ClassVar[tuple[str, ...]] = ("q",)
    role_options: list[str] = []
    community_choices: list[dict[str, str]] = []

    def _fetch(self, session: Session, request: PageRequest) -> Page:
        return account_queries.list_users(session, self.principal, request, self.filters.get("q", ""))

    def _load_choices_of_accounts(self) -> None:
        with read_only() as session:
            self.role_options = account_queries.role_codes(session)
            self.community_choices = select_options(community_options(session, self.principal))

    @requires(Perm.USERS_MANAGE)
    async def load(self):
        await off_loop(self._load_choices_of_accounts)
        self._start_filters()
        await off_loop(self._load)
        await close_dialogs(self)

    @requires(Perm.USERS_MANAGE)
    def unlock_login(self, user_id: int):
        row = self._row(user_id)
        if row is None:
            return None
        with unit_of_work() as session:
            accounts.unlock_login(session, actor=self.principal, user_id=user_id)
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
                await in_worker_thread(
                    accounts.update_user, actor=self.principal, user_id=self._record_id, expected_version=self._version,
                    display_name=str(form.get("display_name", "")), roles=roles, community_ids=community_ids,
                    all_communities=all_communities, is_active=bool(form.get("is_active")))
            else:
                await in_worker_thread(accounts.create_user, actor=self.principal, username=str(form.get("username", "")),
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
            await in_worker_thread(accounts.reset_password, actor=self.principal, user_id=self._record_id,
                           new_password=str(form.get("password", "")))
        except ValidationFailed as error:
            self._refused(error, form)
            return None
        self._close()
        return rx.toast.success(self._tr("users.password_reset_done"))
