"""The weekly repair-callback batch list as files: XLSX, and a landscape A4 PDF to hand to the affairs office, with an
empty column for each callback's result and the hand-over signatures (seed 003 5.28.2–5.28.4)."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from pm_admin.core.i18n import translate
from pm_admin.core.tables import export_workbook, table_sheet, workbook_bytes
from pm_admin.reports import printing
from pm_admin.reports.sections import Table

COLUMNS = (("number", 5), ("code", 16), ("room", 13), ("title", 20), ("contact", 9), ("phone", 12),
           ("technician", 9), ("resolved_at", 13), ("due", 13), ("state", 8), ("result", 20))


def batch_table(batch: dict, language: str) -> Table:
    header = [translate(f"reports.batch.col.{key}", language) for key, _ in COLUMNS]
    rows = [[n, row["code"], row["room"], row["title"], row["contact_name"], row["contact_phone"], row["technician"],
             row["resolved_at"], row["due"], translate(f"reports.batch.state.{row['state']}", language), ""]
            for n, row in enumerate(batch["rows"], start=1)]
    return Table(header, rows, [width for _, width in COLUMNS])


def title(batch: dict, language: str) -> str:
    return translate("reports.batch_title", language, community=batch["community"]["name"], start=batch["week"],
                     end=batch["end"])


def file_name(batch: dict, extension: str) -> str:
    return f"callback-batch-{batch['community']['code']}-{batch['week']}.{extension}"


def batch_xlsx(batch: dict, language: str) -> bytes:
    workbook = export_workbook()
    table = batch_table(batch, language)
    cut = [[translate("reports.batch_truncated", language)]] if batch["truncated"] else []
    table_sheet(workbook, translate("reports.batch", language), table.header, table.rows, widths=table.widths,
                above=[[title(batch, language)]], below=cut)
    return workbook_bytes(workbook)


def batch_pdf(batch: dict, language: str) -> bytes:
    page = landscape(A4)
    story = [printing.text(title(batch, language), 14), Spacer(1, 2 * mm),
             printing.text(translate("reports.batch_rule", language), 8, color=printing.GREY_TEXT), Spacer(1, 3 * mm),
             printing.table(batch_table(batch, language), printing.frame_width(page), size=7.5)]
    if not batch["rows"]:
        story.append(printing.text(translate("reports.batch_empty", language), 9))
    if batch["truncated"]:
        story.append(printing.text(translate("reports.batch_truncated", language), 8))
    story += [Spacer(1, 8 * mm), printing.text(translate("reports.batch_signatures", language), 9)]
    header = printing.SEPARATOR.join((batch["community"]["name"], f"{batch['week']} – {batch['end']}",
                                      translate("reports.batch", language)))
    return printing.document(story, header=header, language=language, pagesize=page, title=title(batch, language))
