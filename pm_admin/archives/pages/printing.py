"""The catalog's print layout: the 业主档案目录表 (seed 001 4.3.4) on A4, building → unit → room."""

from __future__ import annotations

import reflex as rx

from pm_admin.archives.states.printing import CatalogPrintState
from pm_admin.ui.i18n import t
from pm_admin.ui.printing import print_note, print_sheet, print_table

C = CatalogPrintState


def catalog_print_page() -> rx.Component:
    return print_sheet(
        t("archives.catalog_title"),
        print_table(["archives.col.room", "archives.col.archive_no", "archives.col.owners", "archives.col.moved_in",
                     "archives.col.pages", "archives.col.remarks"], C.rows,
                    lambda row: [row["room_code"], row["archive_no"], row["owner_names"], row["moved_in"],
                                 row["pages"], row["remarks"]],
                    widths=["17%", "17%", "22%", "13%", "9%", "22%"], testid="print-catalog"),
        rx.cond(C.total == 0, print_note(t("common.no_rows"))),
        rx.cond(C.cut_note != "", print_note(C.cut_note)),
        print_note(t("common.total_rows"), " ", C.total, " · ", t("common.printed_at"), " ", C.printed_at),
        subtitle=rx.text(C.scope),
        back="/archives", testid="print-catalog-sheet",
    )
