"""月度报告: pick a community and a month; the report's sections as the files print them; download PDF or XLSX."""

from __future__ import annotations

import reflex as rx

from pm_admin.reports.states.monthly import MonthlyReportState as S
from pm_admin.ui.filters import filter_bar, pick
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t
from pm_admin.ui.table import table_body


def download_button(file_format: str, icon: str) -> rx.Component:
    return rx.button(rx.icon(icon, size=14), t(f"reports.download_{file_format}"), variant="soft",
                     on_click=S.download(file_format), disabled=S.title == "", data_testid=f"report-{file_format}")


def section_view(section: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(section["title"].to(str), size="3", weight="medium"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(rx.foreach(section["header"].to(list[str]),
                                                    lambda cell: rx.table.column_header_cell(cell)))),
            table_body(section["rows"].to(list[list[str]]), lambda row: rx.table.row(
                rx.foreach(row, lambda cell: rx.table.cell(rx.text(cell, size="2")))),
                section["header"].to(list[str]).length()),
            variant="surface", size="1", width="100%"), width="100%", overflow_x="auto"),
        spacing="2", width="100%"), width="100%", data_testid="report-section")


def monthly_page() -> rx.Component:
    return rx.vstack(
        filter_bar(S, pick(S, "community", "reports.pick_community"), pick(S, "month", "reports.pick_month"),
                   reset=False, end=[download_button("pdf", "file-text"), download_button("xlsx", "sheet")]),
        rx.cond(
            S.title == "",
            notice(t("reports.pick_hint")),
            rx.vstack(
                rx.heading(S.title, size="5", data_testid="report-title"),
                notice(S.status, icon=rx.cond(S.provisional, "clock", "archive"),
                       color_scheme=rx.cond(S.provisional, "orange", "green"), data_testid="report-status"),
                rx.foreach(S.sections, section_view),
                spacing="3", width="100%")),
        spacing="3", width="100%")
