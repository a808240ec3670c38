"""Who may open which staff page: each route's load event and the guard it runs under, registered by ``pages``.

The shell's load checks the guard before anything of the page runs: a user without the page's permission gets the
无权限 page (its name, the permission missing, a link home) and the page's own load is never sent, so no refusal
toast and no empty page. A page's permission is the one its state declares in ``_PAGE_PERMISSION``, else the one its
load handler is declared with (``@requires(...)``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pm_admin.core.guard import PAGE, Guard, guard_of, page_guard
from pm_admin.core.permissions import Principal


@dataclasses.dataclass(frozen=True)
class PageAccess:
    route: str
    title_key: str
    load: Any  # the page's own load event handler (None: the page has no data of its own)
    guard: Guard | None
    after: tuple[Any, ...] = ()  # events of the header that follow the page's load (the reminders bell)

    @property
    def permissions(self) -> tuple[str, ...]:
        needed = self.guard.permission if self.guard is not None else None
        return (needed,) if isinstance(needed, str) else tuple(needed or ())

    def allows(self, principal: Principal) -> bool:
        return self.guard is None or self.guard.allows(principal)


_PAGES: dict[str, PageAccess] = {}


def _route_key(route: str) -> str:
    route = "/" + route.strip("/")
    return "/" if route in ("/", "/index") else route


def register(route: str, title_key: str, load: Any, *, after: tuple[Any, ...] = ()) -> PageAccess:
    """Record a protected page (``pages.register_pages``)."""
    guard = None
    if load is not None:
        state_cls = getattr(load, "state", None)
        guard = page_guard(guard_of(load), state_cls)
        declared = getattr(state_cls, "_PAGE_PERMISSION", None)
        if declared and (guard is None or guard.permission in (None, PAGE)):
            guard = Guard(permission=declared)
    access = PageAccess(_route_key(route), title_key, load, guard, after)
    _PAGES[access.route] = access
    return access


def page_of(route: str) -> PageAccess | None:
    return _PAGES.get(_route_key(route))
