"""Form pieces: a labelled field with its error message right beside it."""

from __future__ import annotations

import reflex as rx

from pm_admin.ui.i18n import t, t_prefixed


def field(label_key: str | None, control: rx.Component, error: rx.Var, *, hint_key: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(t(label_key), size="2", weight="medium", as_="label") if label_key else rx.fragment(),
        control,
        rx.cond(
            error,
            rx.text(error, size="1", color="var(--red-11)", role="alert", class_name="field-error"),
            rx.text(t(hint_key), size="1", color_scheme="gray") if hint_key else rx.fragment(),
        ),
        spacing="1",
        width="100%",
        align="stretch",
    )


def text_input(name: str, *, default=None, type_: str = "text", placeholder_key: str | rx.Var | None = None,
               **props) -> rx.Component:
    return rx.input(
        name=name,
        type=type_,
        default_value=default,
        placeholder=t(placeholder_key) if placeholder_key is not None else None,
        width="100%",
        **props,
    )


def select_input(name: str, options: rx.Var | list, *, default=None, label_prefix: str | None = None,
                 testid: str | None = None, **props) -> rx.Component:
    """A select over ``[{"value": ..., "label": ...}]`` (labels translated when ``label_prefix`` is set);
    ``testid`` marks the trigger, the element a person clicks."""
    def item(option):
        label = t_prefixed(label_prefix, option["value"]) if label_prefix else option["label"]
        return rx.select.item(label, value=option["value"])

    return rx.select.root(
        rx.select.trigger(width="100%", data_testid=testid),
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


def form_dialog(dialog, *, title: rx.Var | str, fields: list[rx.Component], testid: str, on_submit=None,
                save_key: str = "common.save", actions: list[rx.Component] | None = None,
                description: rx.Var | str | None = None, save_props: dict | None = None,
                max_width: str = "520px") -> rx.Component:
    """The modal form of a ``DialogForm`` substate: open flag, conflict banner, fields, cancel and save.

    ``on_submit`` defaults to the dialog's ``save``; ``form_key`` remounts the inputs so their defaults follow
    the record opened (or the merge after a conflict); closing leaves the content as it was while it fades.
    ``actions`` are extra buttons at the footer's start; ``save_props`` restyle the save button.
    """
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            *([rx.dialog.description(description, size="2")] if description is not None else []),
            rx.form(
                rx.vstack(
                    form_error_banner(dialog.conflict),
                    *fields,
                    rx.hstack(
                        *(actions or []),
                        rx.spacer(),
                        rx.button(t("common.cancel"), type="button", variant="soft", color_scheme="gray",
                                  on_click=dialog.close(False)),
                        rx.button(t(save_key), type="submit", **{"data_testid": f"{testid}-save", **(save_props or {})}),
                        justify="end",
                        width="100%",
                        padding_top="8px",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=on_submit if on_submit is not None else dialog.save,
                key=dialog.form_key.to(str),
                width="100%",
            ),
            max_width=max_width,
            data_testid=testid,
        ),
        open=dialog.opened,
        on_open_change=dialog.close,
    )


def view_dialog(dialog, *, title: rx.Var | str, body: list[rx.Component], testid: str,
                max_width: str = "640px") -> rx.Component:
    """A ``DialogForm`` substate shown without a form (a list to read, toggles saved by a button of the body)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.vstack(
                *body,
                rx.hstack(rx.dialog.close(rx.button(t("common.close"), variant="soft", color_scheme="gray")),
                          justify="end", width="100%"),
                spacing="3", width="100%",
            ),
            max_width=max_width,
            data_testid=testid,
        ),
        open=dialog.opened,
        on_open_change=dialog.close,
    )


def palette_dialog(trigger: rx.Component, *, title: rx.Var | str, body: list[rx.Component], testid: str,
                   on_open_change, max_width: str = "640px") -> rx.Component:
    """A dialog opened by its ``trigger`` (a command palette: the global search), no record behind it: the browser
    keeps it open, ``on_open_change`` tells the page's state (to forget the last results). Links inside close it
    with ``rx.dialog.close(..., as_child=True)``."""
    return rx.dialog.root(
        rx.dialog.trigger(trigger),
        rx.dialog.content(rx.dialog.title(title, size="3"), *body, max_width=max_width, data_testid=testid),
        on_open_change=on_open_change,
    )


def confirm_button(label_key: str, *, title_key: str, subject: rx.Var | str, explain_key: str, on_confirm,
                   testid: str, color_scheme: str | None = None, icon: str | None = None, size: str = "2",
                   variant: str = "solid") -> rx.Component:
    """A button whose irreversible action asks first, naming the object it acts on (the server still checks).
    ``icon``, ``size`` and ``variant`` style the button that opens the question (a table row's is small)."""
    trigger = rx.button(*([rx.icon(icon, size=14)] if icon else []), t(label_key), size=size, variant=variant,
                        data_testid=testid, **_scheme(color_scheme))
    return _confirm(trigger, label_key, title_key, subject, explain_key, on_confirm, testid, color_scheme)


def confirm_icon(icon: str, label_key: str, *, title_key: str, subject: rx.Var | str, explain_key: str, on_confirm,
                 testid: str, color_scheme: str = "red") -> rx.Component:
    """``confirm_button`` as a row's compact icon action (its label the tooltip and accessible name)."""
    trigger = rx.icon_button(rx.icon(icon, size=14), size="1", variant="soft", color_scheme=color_scheme,
                             aria_label=t(label_key), title=t(label_key), data_testid=testid)
    return _confirm(trigger, label_key, title_key, subject, explain_key, on_confirm, testid, color_scheme)


def _scheme(color_scheme: str | None) -> dict[str, str]:
    """The theme's accent unless a colour is named."""
    return {"color_scheme": color_scheme} if color_scheme else {}


def _confirm(trigger: rx.Component, label_key: str, title_key: str, subject: rx.Var | str, explain_key: str,
             on_confirm, testid: str, color_scheme: str | None) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t(title_key)),
            rx.alert_dialog.description(rx.text.strong(subject, data_testid=f"{testid}-subject"), rx.el.br(),
                                        t(explain_key), size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                 data_testid=f"{testid}-cancel")),
                rx.alert_dialog.action(rx.button(t(label_key), on_click=on_confirm, data_testid=f"{testid}-confirm",
                                                 **_scheme(color_scheme))),
                spacing="3", justify="end", padding_top="12px"),
            max_width="440px", data_testid=f"{testid}-dialog"),
    )


def form_field(dialog, name: str, label_key: str | None, control: rx.Component | None = None, *,
               hint_key: str | None = None, **input_props) -> rx.Component:
    """A field of a dialog: a text input (or ``control``) starting from ``dialog.values[name]``, its message
    beside it."""
    if control is None:
        control = text_input(name, default=dialog.values[name], **input_props)
    return field(label_key, control, dialog.errors[name], hint_key=hint_key)


def notice(*children, icon: str = "info", color_scheme: str = "blue", **props) -> rx.Component:
    """A callout whose text may mix catalog texts, vars and components."""
    return rx.callout.root(rx.callout.icon(rx.icon(icon)), rx.callout.text(*children), color_scheme=color_scheme,
                           **props)
