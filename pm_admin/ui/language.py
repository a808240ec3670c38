"""The language switch (中文 / EN): the shell's header, the sign-in page and the owners' survey pages."""

from __future__ import annotations

import reflex as rx

from pm_admin.core.base_state import AppState


def language_switch() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item("中文", value="zh-CN"),
        rx.segmented_control.item("EN", value="en"),
        value=AppState.lang,
        on_change=AppState.set_language,
        size="1",
    )
