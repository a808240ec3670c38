"""Form pieces: a labelled field with its error message right beside it."""

from __future__ import annotations

import reflex as rx

from pm_admin.ui.i18n import t, t_prefixed


def field(label_key: str, control: rx.Component, error: rx.Var, *, hint_key: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(t(label_key), size="2", weight="medium", as_="label"),
        control,
        rx.cond(error != "", rx.text(error, size="1", color="var(--red-11)", role="alert", class_name="field-error")),
        rx.cond(error == "", rx.text(t(hint_key), size="1", color_scheme="gray")) if hint_key else rx.fragment(),
        spacing="1",
        width="100%",
        align="stretch",
    )


def text_input(name: str, *, default=None, type_: str = "text", placeholder_key: str | None = None, **props) -> rx.Component:
    return rx.input(
        name=name,
        type=type_,
        default_value=default,
        placeholder=t(placeholder_key) if placeholder_key else None,
        width="100%",
        **props,
    )


def select_input(name: str, options: rx.Var | list, *, default=None, label_prefix: str | None = None, **props) -> rx.Component:
    """A select over ``[{"value": ..., "label": ...}]`` (labels translated when ``label_prefix`` is set)."""
    def item(option):
        label = t_prefixed(label_prefix, option["value"]) if label_prefix else option["label"]
        return rx.select.item(label, value=option["value"])

    return rx.select.root(
        rx.select.trigger(width="100%"),
        rx.select.content(rx.foreach(options, item)),
        name=name,
        default_value=default,
        **props,
    )


def form_error_banner(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", size="1", role="alert"),
    )
