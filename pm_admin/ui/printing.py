"""Print layouts (``/print/...`` pages, framed by ``shell.layout.print_frame``: no sidebar, no header): an A4 sheet on
screen that prints as it shows. Plain HTML tables with fixed columns, whose header repeats on every printed page;
the toolbar (打印, back) is not printed. The sizes are in ``assets/app.css`` (``.print-*``, ``@page``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import reflex as rx

from pm_admin.ui.i18n import t


def print_sheet(title: rx.Var | str, *children: rx.Component, back: rx.Var | str, testid: str,
                subtitle: rx.Component | None = None) -> rx.Component:
    """One printable document: a toolbar (print, back to ``back``), its title, then the content."""
    return rx.el.div(
        rx.hstack(
            rx.button(rx.icon("printer", size=14), t("common.print"), on_click=rx.call_script("window.print()"),
                      data_testid="print-now"),
            rx.link(rx.button(rx.icon("arrow-left", size=14), t("common.back"), variant="soft"), href=back),
            spacing="2", class_name="print-toolbar"),
        rx.el.h1(title, class_name="print-title"),
        *([rx.el.div(subtitle, class_name="print-subtitle")] if subtitle is not None else []),
        *children,
        class_name="print-sheet", data_testid=testid,
    )


def print_section(title_key: str, *children: rx.Component) -> rx.Component:
    return rx.el.section(rx.el.h2(t(title_key), class_name="print-heading"), *children, class_name="print-section")


def print_facts(pairs: Sequence[tuple[str, rx.Var | str | rx.Component]]) -> rx.Component:
    """Label and value pairs, two to a line."""
    return rx.el.dl(*[rx.el.div(rx.el.dt(t(label)), rx.el.dd(value), class_name="print-fact") for label, value in pairs],
                    class_name="print-facts")


def print_table(header_keys: Sequence[str], rows: rx.Var, cells: Callable[[rx.Var], Sequence[rx.Component | rx.Var]], *,
                widths: Sequence[str] = (), testid: str | None = None) -> rx.Component:
    """A table over ``rows`` (a list var); ``widths`` the share of each column (e.g. "18%"), the rest evenly."""
    return rx.el.table(
        rx.el.colgroup(*[rx.el.col(width=width) for width in widths]) if widths else rx.fragment(),
        rx.el.thead(rx.el.tr(*[rx.el.th(t(key)) for key in header_keys])),
        rx.el.tbody(rx.foreach(rows, lambda row: rx.el.tr(*[rx.el.td(cell) for cell in cells(row)],
                                                          data_testid="print-row"))),
        class_name="print-table", data_testid=testid,
    )


def print_note(*children: rx.Component | rx.Var | str) -> rx.Component:
    return rx.el.p(*children, class_name="print-note")
