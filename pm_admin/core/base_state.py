"""The two base states: a public one (language) and the protected one all data states extend."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event.context import EventContext

from pm_admin.core.db import unit_of_work
from pm_admin.core.errors import PermissionDenied, ValidationFailed
from pm_admin.core.files import issue_download
from pm_admin.core.guard import current_owner, current_principal, public
from pm_admin.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog, translate
from pm_admin.core.permissions import OwnerPrincipal, Principal


def _in_event() -> bool:
    try:
        EventContext.get()
    except LookupError:
        return False
    return True


class AppState(rx.State):
    """Public: the interface language, persisted in the browser."""

    lang: str = rx.LocalStorage(DEFAULT_LANGUAGE, name="pm_lang", sync=True)
    # The login session (and the owner's portal session) this state tree was last used with (web.guard_middleware).
    _bound_session_id: int | None = None
    _bound_portal_session_id: int | None = None

    @rx.var
    def t(self) -> dict[str, str]:
        """The catalog of the reader's language. Empty when the app is compiled, so the page bundle carries no
        catalog: the browser receives only its own language's, with its first state."""
        return catalog(self.lang) if _in_event() else {}

    @public
    def set_language(self, lang: str | list[str]):
        if isinstance(lang, str) and lang in LANGUAGES:
            self.lang = lang

    def _tr(self, key: str, **params: Any) -> str:
        return translate(key, self.lang, **params)

    def _field_messages(self, error: ValidationFailed) -> dict[str, str]:
        return {field: self._tr(key, **params) for field, (key, params) in error.fields.items()}


class ProtectedState(AppState):
    """Base of every state that reads or changes data. Handlers must use ``@requires``."""

    @property
    def principal(self) -> Principal:
        principal = current_principal()
        if principal is None:
            raise PermissionDenied("error.not_signed_in")
        return principal

    def _start_download(self, kind: str, params: dict[str, Any]):
        """Issue a one-use download ticket for this user and have the browser fetch it. Through a download link, not
        by setting window.location: a navigation fires beforeunload, Reflex drops the socket, and the reconnect on the
        user's next event reloads the page with the address as it was (a filter just picked snapped back)."""
        with unit_of_work() as session:
            ticket = issue_download(session, principal=self.principal, kind=kind, params=params)
        return rx.download(url=f"/files/download/{ticket}")


class PortalState(AppState):
    """Base of every owner-portal state that reads or changes data. Handlers must use ``@requires_owner``."""

    @property
    def owner(self) -> OwnerPrincipal:
        owner = current_owner()
        if owner is None:
            raise PermissionDenied("error.not_signed_in")
        return owner


def _descendants(cls: type) -> list[type]:
    found = []
    for sub in cls.get_substates():
        found.append(sub)
        found.extend(_descendants(sub))
    return found


async def reset_protected_states(root: rx.State) -> None:
    """Reset every protected state of this client, loading each so Redis copies reset too."""
    for state_cls in [ProtectedState, *_descendants(ProtectedState)]:
        (await root.get_state(state_cls)).reset()


async def reset_portal_states(root: rx.State) -> None:
    """The same for the owner portal's states when the owner session behind the tab changes."""
    for state_cls in [PortalState, *_descendants(PortalState)]:
        (await root.get_state(state_cls)).reset()
