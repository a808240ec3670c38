"""Translated text in components: a lookup into the language catalog held by AppState.

A literal key the catalogs lack is caught when the page is built: a test building every page fails, development
shows a marker (``core.i18n.missing``). Keys made at run time (``t_prefixed``) show the marker in development.
"""

from __future__ import annotations

import reflex as rx

from pm_admin.core.base_state import AppState
from pm_admin.core.i18n import has_key, missing
from pm_admin.settings import get_settings


def t(key: str | rx.Var) -> rx.Var:
    """The text for a catalog key in the user's language (a key chosen at run time is looked up as it is)."""
    if isinstance(key, str) and not has_key(key):
        return rx.Var.create(missing(key))
    return AppState.t[key]


def t_prefixed(prefix: str, value: rx.Var) -> rx.Var:
    """The text for ``prefix + value``, e.g. an enum label like ``occupancy.vacant``."""
    key = rx.Var.create(prefix) + value.to(str)
    text = AppState.t[key]
    if get_settings().env != "development":
        return text
    # Once the catalog has arrived, a key it lacks shows as ⟦key⟧.
    return text | rx.cond(AppState.t.length() > 0, "⟦" + key + "⟧", "")
