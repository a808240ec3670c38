"""维修回访批次单: a week's resolved repairs of a community, due for callback; download PDF (to print) or XLSX."""

from __future__ import annotations

import reflex as rx

from pm_admin.reports.states.weekly import CallbackBatchState as S
from pm_admin.reports.weekly_render import COLUMNS
from pm_admin.ui.filters import filter_bar, pick
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import simple_table

SHOWN = ("code", "room", "title", "contact_name", "contact_phone", "technician", "resolved_at", "due")
HEADERS = [f"reports.batch.col.{key}" for key, _ in COLUMNS if key not in ("number", "result")]


def download_button(file_format: str, icon: str) -> rx.Component:
    return rx.button(rx.icon(icon, size=14), t(f"reports.download_{file_format}"), variant="soft",
                     on_click=S.download(file_format), disabled=S.title == "", data_testid=f"batch-{file_format}")


def row_view(row: rx.Var) -> rx.Component:
    return rx.table.row(*[rx.table.cell(rx.text(row[key], size="2")) for key in SHOWN],
                        rx.table.cell(rx.badge(t_prefixed("reports.batch.state.", row["state"]), color_scheme=rx.match(
                            row["state"], ("reached", "green"), ("unreachable", "red"), "orange"))))


def weekly_page() -> rx.Component:
    return rx.vstack(
        filter_bar(S, pick(S, "community", "reports.pick_community"), pick(S, "week", "reports.pick_week"),
                   reset=False, end=[download_button("pdf", "printer"), download_button("xlsx", "sheet")]),
        rx.text(t("reports.batch_rule"), size="2", color_scheme="gray"),
        rx.cond(S.title == "", notice(t("reports.pick_hint")), rx.heading(S.title, size="4")),
        rx.cond(S.truncated, notice(t("reports.batch_truncated"), icon="info", size="1")),
        simple_table(HEADERS, S.rows, row_view, "callback-batch"),
        rx.cond((S.title != "") & (S.rows.length() == 0), notice(t("reports.batch_empty"), icon="circle-check",
                                                                   color_scheme="green")),
        spacing="3", width="100%")
