"""Translated text in components: a lookup into the language catalog held by AppState."""

from __future__ import annotations

import reflex as rx

from pm_admin.core.base_state import AppState


def t(key: str) -> rx.Var:
    """The text for a catalog key in the user's language."""
    return AppState.t[key]


def t_prefixed(prefix: str, value: rx.Var) -> rx.Var:
    """The text for ``prefix + value``, e.g. an enum label like ``occupancy.vacant``."""
    return AppState.t[rx.Var.create(prefix) + value.to(str)]
