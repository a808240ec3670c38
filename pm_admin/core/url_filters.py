"""Filters that live in the URL: a list or board page's pickers, switches and search box.

``class RoomsState(UrlFilters, PagedMixin, ProtectedState)`` declares its keys and pickers::

    _PATH = "/places/rooms"
    _PAGE_PERMISSION = Perm.PLACES_VIEW
    _FILTERS = ("community", "building", "unit", "occupancy", "q")
    _ID_FILTERS = frozenset({"community", "building", "unit"})
    _CHOICES = {"occupancy": ("owner_occupied", "rented", "vacant")}
    _PICKERS = PLACE_PICKERS          # community → building → unit, from the places domain

and its ``load`` calls ``self._start_filters()`` then ``self._load()``. The kit gives the handlers
(``set_filter``, ``toggle_filter``, ``submit_filters``, ``clear_filters``, under the page's permission),
the cascade (a community picked anew clears the building and unit and reloads their choices), ids parsed
by ``core.ids`` (a crafted id is refused with "编号无效"), the address bar kept in step (no navigation), and
a reset that clears every input, the search box included (``filter_key`` remounts it).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from pm_admin.core.db import read_only
from pm_admin.core.guard import PAGE, requires
from pm_admin.core.ids import id_text, optional_id, page_number
from pm_admin.core.paged_state import PAGE_SIZES, PagedMixin
from pm_admin.core.paging import paging_params
from pm_admin.core.permissions import Principal

SEARCH = "q"
MAX_FILTER_TEXT = 64


@dataclasses.dataclass(frozen=True)
class Picker:
    """A filter chosen among options the server loads: ``options(session, principal, parent_id, language)``.

    ``parent`` narrows it (a building among the chosen community's): picking the parent anew clears it and
    reloads its options; with ``needs_parent`` it offers nothing until the parent is chosen."""

    key: str
    options: Callable[[Session, Principal, int | None, str], list[dict[str, str]]]
    parent: str = ""
    needs_parent: bool = False


class UrlFilters(rx.State, mixin=True):
    filters: dict[str, str] = {}
    choices: dict[str, list[dict[str, str]]] = {}  # picker key → its options
    filter_key: int = 0  # remounts the bar's typed inputs (the search box) when the filters change under them

    _PATH: ClassVar[str] = ""
    _FILTERS: ClassVar[tuple[str, ...]] = ()
    _ID_FILTERS: ClassVar[frozenset[str]] = frozenset()
    _FLAGS: ClassVar[frozenset[str]] = frozenset()  # switches: "1" on, "" off
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {}  # keys limited to fixed values
    _PICKERS: ClassVar[tuple[Picker, ...]] = ()

    # ------------------------------------------------------------ hooks

    def _filter_defaults(self) -> dict[str, str]:
        """Values when the address says nothing (and after a reset); may depend on the user."""
        return {}

    def _clean_filter(self, key: str, value: str) -> str:
        """A value as the browser sent it, made one the filter can take (ids refused when crafted)."""
        if key in self._ID_FILTERS:
            picked = optional_id(value)
            return "" if picked is None else str(picked)
        if key in self._FLAGS:
            return "1" if value in ("1", "true", True) else ""
        if key in self._CHOICES:
            return value if value in self._CHOICES[key] else ""
        return str(value).strip()[:MAX_FILTER_TEXT]

    def _extra_params(self) -> dict[str, str]:
        """What else the address keeps (a board's tier)."""
        return {}

    def _read_extra(self, params: dict[str, str]) -> None:
        return None

    def _filters_changed(self) -> None:
        """Called after any change of the filters, before reloading."""
        return None

    # ------------------------------------------------------------ the URL

    def _defaults(self) -> dict[str, str]:
        return {key: "" for key in self._FILTERS} | self._filter_defaults()

    def _read_url(self, params: dict[str, Any]) -> None:
        defaults = self._defaults()
        filters = {}
        for key in self._FILTERS:
            raw = params.get(key)
            if raw is None:
                filters[key] = defaults[key]
            elif raw == "all" or (key in self._FLAGS and raw == "0"):
                filters[key] = ""
            elif key in self._ID_FILTERS:
                filters[key] = id_text(raw)  # an odd link shows no filter
            else:
                filters[key] = self._clean_filter(key, str(raw))
        self.filters = filters
        if isinstance(self, PagedMixin):
            self.page = page_number(params.get("page"))
            self.page_size = int(params["size"]) if params.get("size") in PAGE_SIZES else 20
            sort = str(params.get("sort", ""))[:MAX_FILTER_TEXT]
            self.sort, self.descending = sort.lstrip("-"), sort.startswith("-")
        self._read_extra(params)

    def _url_params(self) -> dict[str, str]:
        defaults, params = self._defaults(), {}
        for key in self._FILTERS:
            value = self.filters.get(key, "")
            if value != defaults[key]:
                params[key] = value or ("0" if key in self._FLAGS else "all")
        if isinstance(self, PagedMixin):
            params |= paging_params(self.page, self.page_size, self.sort, self.descending)
        return params | self._extra_params()

    def _url_query(self) -> str:
        return urlencode(self._url_params())

    def _sync_url(self):
        """Put the view into the address bar (no navigation)."""
        query = self._url_query()
        url = f"{self._PATH}?{query}" if query else self._PATH
        return rx.call_script(f"window.history.replaceState(null, '', {json.dumps(url)})")

    def _after_page_change(self):
        return self._sync_url()

    # ------------------------------------------------------------ choices and changes

    def _load_choices(self, only: set[str] | None = None) -> None:
        """Each picker's options (``only`` those keys), a narrowed one under its parent's choice."""
        choices = dict(self.choices)
        with read_only() as session:
            for picker in self._PICKERS:
                if only is not None and picker.key not in only:
                    continue
                parent = optional_id(self.filters.get(picker.parent)) if picker.parent else None
                choices[picker.key] = [] if picker.needs_parent and parent is None else \
                    picker.options(session, self.principal, parent, self.lang)
        self.choices = choices

    def _children(self, key: str) -> set[str]:
        """The pickers narrowed by ``key``, directly or through another."""
        found = {p.key for p in self._PICKERS if p.parent == key}
        for child in list(found):
            found |= self._children(child)
        return found

    def _start_filters(self) -> None:
        """On the page's load: the filters the address holds, and the pickers' options."""
        self._read_url(dict(self.router.url.query_parameters))
        self.filter_key += 1
        self._load_choices()

    def _set_filter(self, key: str, value: Any) -> bool:
        if key not in self._FILTERS:
            return False
        text = "" if value in (None, "all") else value if isinstance(value, (bool, int)) else str(value)
        cleaned = self._clean_filter(key, text) if text != "" else ""
        children = self._children(key)
        self.filters = {**self.filters, key: cleaned, **{child: "" for child in children}}
        if children:
            self._load_choices(children)
        if isinstance(self, PagedMixin):
            self.page = 1
        self._filters_changed()
        return True

    def _refresh(self):
        self._load()
        return self._sync_url()

    # ------------------------------------------------------------ handlers

    @requires(PAGE)
    def set_filter(self, key: str, value: str):
        if not self._set_filter(key, value):
            return None
        return self._refresh()

    @requires(PAGE)
    def toggle_filter(self, key: str, on: bool):
        return self.set_filter(key, "1" if on is True else "")

    @requires(PAGE)
    def submit_filters(self, form: dict[str, Any]):
        """The typed inputs of the bar (the search box's ``q``, an audit page's dates) all at once."""
        changed = [self._set_filter(key, value) for key, value in form.items() if key in self._FILTERS]
        return self._refresh() if any(changed) else None

    @requires(PAGE)
    def clear_filters(self):
        self.filters = self._defaults()
        self.filter_key += 1
        if isinstance(self, PagedMixin):
            self.page = 1
        self._load_choices()
        self._filters_changed()
        return self._refresh()
