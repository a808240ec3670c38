"""The monthly report as files: an XLSX workbook (a summary sheet, then one sheet per section) and an A4 PDF to print
and post (title, status, each section's chart and table)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from pm_admin.core.clock import local_text
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import SYSTEM
from pm_admin.core.tables import TextSheet, export_workbook, table_sheet, workbook_bytes
from pm_admin.dashboards.axes import month_label
from pm_admin.reports import printing
from pm_admin.reports.contents import sections_of
from pm_admin.reports.monthly import Report


def title(report: Report, language: str) -> str:
    return translate("reports.monthly_title", language, community=report.community_name,
                     month=month_label(report.month, language))


def status(report: Report, language: str) -> str:
    """Provisional (the month runs: figures up to now), or stored (when and by whom; final)."""
    if report.provisional:
        return translate("reports.status_provisional", language, at=local_text(report.generated_at))
    by = translate("reports.by_system", language) if report.generated_by == SYSTEM.username else \
        report.generated_by_name
    return translate("reports.status_stored", language, at=local_text(report.generated_at), by=by)


def file_name(report: Report, extension: str) -> str:
    return f"monthly-report-{report.community_code}-{report.figures['month']}.{extension}"


def monthly_xlsx(report: Report, language: str) -> bytes:
    tr = lambda key, **params: translate(key, language, **params)  # noqa: E731
    workbook = export_workbook()
    summary = TextSheet(workbook, tr("reports.sheet.summary"), widths=[18, 60])
    figures = report.figures
    for label, value in ((tr("reports.col.report"), title(report, language)),
                         (tr("reports.col.community"), f"{report.community_name} ({report.community_code})"),
                         (tr("reports.col.period"), f"{figures['start']} – {figures['end']}"),
                         (tr("reports.col.status"), status(report, language))):
        summary.append([label, value])
    for section, data in sections_of(figures):
        table = section.table(data, language)
        table_sheet(workbook, tr(f"reports.section.{section.key}"), table.header, table.rows, widths=table.widths)
    return workbook_bytes(workbook)


def monthly_pdf(report: Report, language: str) -> bytes:
    width = printing.frame_width()
    period = f"{report.figures['start']} – {report.figures['end']}"
    story = [printing.text(title(report, language), 16), Spacer(1, 2 * mm),
             printing.text(period + printing.SEPARATOR + status(report, language), 8, color=printing.GREY_TEXT),
             Spacer(1, 4 * mm)]
    for section, data in sections_of(report.figures):
        parts = [printing.text(translate(f"reports.section.{section.key}", language), 11), Spacer(1, 2 * mm)]
        if section.chart is not None:
            parts += [section.chart(data, language), Spacer(1, 2 * mm)]
        parts.append(printing.table(section.table(data, language), width))
        story += [KeepTogether(parts), Spacer(1, 5 * mm)]
    header = printing.SEPARATOR.join((report.community_name, month_label(report.month, language),
                                      translate("reports.monthly", language)))
    return printing.document(story, header=header, language=language, title=title(report, language))
