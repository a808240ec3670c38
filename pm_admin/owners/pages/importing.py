"""Owner import: upload a CSV/XLSX, see row errors from the dry run, then import all or nothing."""

from __future__ import annotations

import reflex as rx

from pm_admin.owners.states.importing import OwnerImportState
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t
from pm_admin.ui.table import table_body
from pm_admin.ui.uploads import file_input

IS = OwnerImportState


def steps() -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(t("import.intro"), size="2"),
        rx.hstack(
            rx.button(rx.icon("file-spreadsheet", size=14), t("import.template_xlsx"), variant="soft",
                      on_click=IS.download_template("xlsx")),
            rx.button(rx.icon("file-text", size=14), t("import.template_csv"), variant="soft",
                      on_click=IS.download_template("csv")),
            spacing="2",
        ),
        rx.separator(),
        rx.hstack(
            file_input("owner-import-file", ".csv,.xlsx", "import-file"),
            rx.button(rx.icon("search-check", size=14), t("import.check"), on_click=IS.start_upload,
                      loading=(IS.phase == "uploading") | (IS.phase == "checking"), data_testid="import-check"),
            spacing="3", align="center", wrap="wrap",
        ),
        spacing="3", width="100%",
    ))


def progress() -> rx.Component:
    busy = (IS.phase == "checking") | (IS.phase == "importing")
    return rx.cond(busy, rx.vstack(
        rx.text(rx.cond(IS.phase == "checking", t("import.checking"), t("import.importing")), " ", IS.progress, "%",
                size="2"),
        rx.progress(value=IS.progress, max=100, width="100%", data_testid="import-progress"),
        width="100%",
    ))


def error_table() -> rx.Component:
    return rx.vstack(
        notice(t("import.errors_found"), " ", IS.error_count, icon="triangle-alert", color_scheme="red",
               data_testid="import-errors-summary"),
        rx.table.root(
            rx.table.header(rx.table.row(rx.table.column_header_cell(t("import.row")),
                                         rx.table.column_header_cell(t("import.column")),
                                         rx.table.column_header_cell(t("import.message")))),
            table_body(IS.errors, lambda e: rx.table.row(
                rx.table.cell(e["row"]), rx.table.cell(e["column"]), rx.table.cell(e["message"])), 3),
            variant="surface", size="1", width="100%", data_testid="import-errors",
        ),
        width="100%",
    )


def result() -> rx.Component:
    return rx.match(
        IS.phase,
        ("rejected", rx.callout(IS.message, icon="circle-x", color_scheme="red", data_testid="import-rejected")),
        ("checked", rx.cond(
            IS.error_count > 0, error_table(),
            rx.card(rx.vstack(
                rx.text(t("import.ready"), " ", IS.total_rows, " · ", t("import.creates"), " ", IS.creates, " · ",
                        t("import.updates"), " ", IS.updates, data_testid="import-ready"),
                rx.button(rx.icon("database", size=14), t("import.commit"), on_click=IS.commit, color_scheme="green",
                          data_testid="import-commit"),
                spacing="3",
            )),
        )),
        ("done", rx.vstack(
            rx.callout(IS.message, icon="circle-check", color_scheme="green", data_testid="import-done"),
            rx.hstack(rx.link(rx.button(t("nav.owners")), href="/owners"),
                      rx.button(t("import.again"), variant="soft", on_click=IS.restart)),
        )),
        rx.fragment(),
    )


def import_page() -> rx.Component:
    return rx.fragment(rx.vstack(steps(), progress(), result(), spacing="4", width="100%",
                                            max_width="960px"))
