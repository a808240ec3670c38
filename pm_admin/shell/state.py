"""Shell state: who is signed in, which menu entries they get, the community switcher."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.auth.services import select_community
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.guard import current_client, requires
from pm_admin.core.ids import optional_id
from pm_admin.core.permissions import Perm
from pm_admin.core.refusals import audit_refusal
from pm_admin.places.queries import community_options
from pm_admin.shell import access
from pm_admin.shell.nav import visible_nav_keys
from pm_admin.tickets import queries as ticket_queries
from pm_admin.tickets.services import notices

ALL_COMMUNITIES = "all"
PASSWORD_PAGE = "/account/password"


class ShellState(ProtectedState):
    signed_in: bool = False
    display_name: str = ""
    username: str = ""
    roles: list[str] = []
    nav_keys: list[str] = []
    community_options: list[dict[str, str]] = []
    current_community: str = ALL_COMMUNITIES
    can_pick_all: bool = False
    must_change_password: bool = False
    # The page's permission is missing: the frame shows the 无权限 page instead of the content (shell.access).
    denied: bool = False
    denied_title_key: str = ""
    denied_permissions: list[str] = []
    # On-screen notices (an urgent ticket, a plan to approve, an owner who cannot be reached).
    watch_notices: bool = False
    notices: list[dict[str, Any]] = []
    _last_notice_id: int = 0

    @requires(before_password_change=True)
    def load(self):
        principal = self.principal
        with read_only() as session:
            options = community_options(session, principal)
        self.signed_in = True
        self.display_name = principal.display_name
        self.username = principal.username
        self.roles = sorted(principal.roles)
        self.nav_keys = visible_nav_keys(principal)
        self.community_options = select_options(options)
        self.can_pick_all = principal.all_communities or len(options) > 1
        if principal.current_community_id:
            self.current_community = str(principal.current_community_id)
        elif not self.can_pick_all and options:
            self.current_community = str(options[0][0])  # the user's only community
        else:
            self.current_community = ALL_COMMUNITIES
        self.must_change_password = principal.must_change_password
        self.watch_notices = principal.has(Perm.TICKETS_VIEW) or principal.has(Perm.TICKETS_APPROVE)
        if self.watch_notices:
            self._fresh_notices()
        if principal.must_change_password and self.router.url.path != PASSWORD_PAGE:
            return rx.redirect(PASSWORD_PAGE)
        return self._open_page(principal)

    def _open_page(self, principal):
        """The page's own load, when the user may open the page; otherwise the 无权限 page and nothing sent."""
        page = access.page_of(self.router.route_id or self.router.url.path)
        self.denied = page is not None and not page.allows(principal)
        self.denied_title_key = page.title_key if page is not None and self.denied else ""
        self.denied_permissions = list(page.permissions) if page is not None and self.denied else []
        if self.denied:  # audited as the refused load would have been, without its toast
            audit_refusal(principal, action=f"guard.page_denied:{page.route}"[:64], reason="missing_permission",
                          client=current_client())
        if page is None:
            return None
        after = () if principal.must_change_password else page.after  # the header waits for the new password
        return [*([page.load] if page.load is not None and not self.denied else []), *after]

    def _fresh_notices(self) -> list[dict[str, Any]]:
        """Reload unread notices; the ones not seen before are returned for a toast."""
        with read_only() as session:
            self.notices = ticket_queries.unread_notifications(session, self.principal)
        fresh = [n for n in self.notices if n["id"] > self._last_notice_id]
        self._last_notice_id = max([self._last_notice_id, *(n["id"] for n in self.notices)])
        return fresh

    @requires(poll=True)
    def poll_notices(self, _tick: str = ""):
        if not self.watch_notices:
            return None
        fresh = self._fresh_notices()
        return [rx.toast.warning(f"{self._tr(n['key'])} {n['code']} {n['detail']}", duration=10000) for n in fresh[:3]]

    @requires()
    def open_notice(self, notice_id: int):
        with unit_of_work() as session:
            ticket_id = notices.read_notification(session, actor=self.principal, notification_id=notice_id)
        self._fresh_notices()
        return rx.redirect(f"/tickets/{ticket_id}") if ticket_id else None

    @requires()
    def read_all_notices(self):
        with unit_of_work() as session:
            notices.read_notifications(session, actor=self.principal)
        self.notices = []

    @requires()
    def pick_community(self, value: str):
        community_id = optional_id(value)
        with unit_of_work() as session:
            select_community(session, principal=self.principal, community_id=community_id)
        self.current_community = value
        # Every page reloads its data for the new scope.
        return rx.call_script("window.location.reload()")


LOGOUT_SCRIPT = (
    "fetch('/auth/logout', {method: 'POST', credentials: 'same-origin'})"
    ".finally(() => window.location.replace('/login'))"
)
