"""Tables: a server-paged one (sortable headers, one page of rows, a pager) and a small unpaged one. Every table of
the kit says 暂无数据 across its width while it has no rows (``table_body``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import reflex as rx

from pm_admin.core.paged_state import PAGE_SIZES
from pm_admin.ui.i18n import t


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label_key: str
    sortable: bool = False
    width: str | None = None
    render: Callable[[rx.Var], rx.Component] | None = None


def _header_cell(column: Column, state) -> rx.Component:
    label = rx.text(t(column.label_key), weight="medium", size="2")
    if not column.sortable:
        return rx.table.column_header_cell(label, width=column.width)
    arrow = rx.cond(
        state.sort == column.key,
        rx.cond(state.descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
        rx.icon("arrow-up-down", size=14, color="var(--gray-8)"),
    )
    return rx.table.column_header_cell(
        rx.hstack(label, arrow, align="center", spacing="1", cursor="pointer",
                  on_click=state.sort_by(column.key)),
        width=column.width,
    )


def _cell(column: Column, row: rx.Var) -> rx.Component:
    content = column.render(row) if column.render else rx.text(row[column.key].to(str), size="2")
    return rx.table.cell(content)


def _select_header(state) -> rx.Component:
    return rx.table.column_header_cell(rx.checkbox(checked=state.page_selected, on_change=state.toggle_page,
                                                   aria_label=t("common.select_page"), data_testid="select-page"),
                                       width="32px")


def _select_cell(state, row: rx.Var) -> rx.Component:
    return rx.table.cell(rx.checkbox(checked=state.selected.contains(row["id"]),
                                     on_change=lambda checked: state.toggle_row(row["id"], checked),
                                     aria_label=t("common.select_row"), data_testid="select-row"))


def data_table(state, columns: list[Column], *, testid: str, actions: Callable[[rx.Var], rx.Component] | None = None,
               min_width: str | None = None, selectable: bool | rx.Var = False) -> rx.Component:
    """``min_width`` keeps wide tables legible on a tablet: they scroll sideways instead of squeezing.
    ``selectable`` (or a var: for those who may act on the rows): a checkbox per row and one for the page (the state
    mixes in ``core.selection.SelectionMixin``)."""
    def when_selectable(cell: rx.Component) -> rx.Component:
        return rx.cond(selectable, cell) if isinstance(selectable, rx.Var) else cell

    headers = [_header_cell(column, state) for column in columns]
    if selectable is not False:
        headers.insert(0, when_selectable(_select_header(state)))
    if actions is not None:
        headers.append(rx.table.column_header_cell(t("common.actions"), width="1%", white_space="nowrap"))

    def row_view(row: rx.Var) -> rx.Component:
        cells = [_cell(column, row) for column in columns]
        if selectable is not False:
            cells.insert(0, when_selectable(_select_cell(state, row)))
        if actions is not None:
            cells.append(rx.table.cell(actions(row)))
        return rx.table.row(*cells, data_row_id=row["id"].to(str))

    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*headers)),
            table_body(state.rows, row_view, len(headers)),
            variant="surface",
            size="2",
            width="100%",
            min_width=min_width,
        ),
        pager(state),
        width="100%",
        overflow_x="auto",
        data_testid=testid,
    )


def selection_bar(state, *actions: rx.Component) -> rx.Component:
    """Over a selectable table while rows are ticked: how many, the page's bulk actions, and a clear button; one
    line that wraps only on a narrow screen."""
    return rx.cond(
        state.selected.length() > 0,
        rx.callout.root(rx.flex(
            rx.text(t("common.selected_count"), " ", state.selected.length(), weight="bold", size="2",
                    white_space="nowrap", data_testid="selected-count"),
            *actions,
            rx.button(t("common.clear_selection"), size="1", variant="ghost", on_click=state.clear_selection),
            gap="3", align="center", wrap="wrap",
        ), size="1", color_scheme="blue", width="100%", data_testid="selection-bar"),
    )


def empty_row(rows: rx.Var, columns: int | rx.Var) -> rx.Component:
    """暂无数据 across the ``columns`` of a table while ``rows`` is empty."""
    return rx.cond(rows.length() == 0, rx.table.row(rx.table.cell(
        rx.text(t("common.no_rows"), size="2", color_scheme="gray"), col_span=columns, text_align="center",
        padding_y="20px"), data_testid="empty-row"))


def table_body(rows: rx.Var, render: Callable[[rx.Var], rx.Component], columns: int | rx.Var) -> rx.Component:
    """A table's rows, each drawn by ``render``; 暂无数据 when there are none."""
    return rx.table.body(rx.foreach(rows, render), empty_row(rows, columns))


def simple_table(header_keys: list[str], rows: rx.Var, render: Callable[[rx.Var], rx.Component], testid: str,
                 **props) -> rx.Component:
    """A small unpaged table: catalog-key headers over ``rows``, each drawn by ``render``."""
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in header_keys])),
        table_body(rows, render, len(header_keys)), variant="surface", size="1", width="100%", data_testid=testid,
        **props,
    )


def pager(state) -> rx.Component:
    return rx.hstack(
        rx.text(t("common.total_rows"), ": ", state.total, size="2", color_scheme="gray", data_testid="total-rows"),
        rx.spacer(),
        rx.text(t("common.per_page"), size="2", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(),
            rx.select.content(*[rx.select.item(size, value=size) for size in PAGE_SIZES]),
            value=state.page_size.to_string(),
            on_change=state.set_page_size,
            size="1",
        ),
        rx.icon_button(rx.icon("chevron-left", size=16), on_click=state.go_to_page(state.page - 1),
                       disabled=state.page <= 1, variant="soft", size="1", aria_label=t("common.previous_page")),
        rx.text(state.page, " / ", state.pages, size="2"),
        rx.icon_button(rx.icon("chevron-right", size=16), on_click=state.go_to_page(state.page + 1),
                       disabled=state.page >= state.pages, variant="soft", size="1", aria_label=t("common.next_page")),
        align="center",
        spacing="2",
        padding_top="12px",
        width="100%",
    )


def icon_action(icon: str, label_key: str, on_click, **props) -> rx.Component:
    """A compact row action: an icon button with its label as tooltip and accessible name."""
    return rx.tooltip(
        rx.icon_button(rx.icon(icon, size=14), size="1", variant="soft", on_click=on_click,
                       aria_label=t(label_key), **props),
        content=t(label_key),
    )
