"""The printed page both reports share (reportlab platypus): A4, the community and the period in every page's header,
"第 n 页 / 共 N 页" in the footer, tables in the CJK font with a shaded header row and wrapped text."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from pm_admin.core.i18n import translate
from pm_admin.reports import sections
from pm_admin.reports.fonts import cjk_font

MARGIN = 16 * mm
SEPARATOR = "  |  "  # between the header's parts: in every font (STSong-Light has no middle dot)
HEADER_GREY = colors.HexColor("#eef1f5")
LINE_GREY = colors.HexColor("#9aa3ad")
GREY_TEXT = colors.HexColor("#555555")


def style(size: float = 9, *, color=colors.black) -> ParagraphStyle:
    """A paragraph style in the CJK font (one weight: headings are set larger); wordWrap CJK breaks Chinese text
    between any two characters."""
    return ParagraphStyle(f"report-{size}", fontName=cjk_font(), fontSize=size, leading=size * 1.35,
                          textColor=color, wordWrap="CJK")


def text(value: Any, size: float = 9, *, color=colors.black) -> Paragraph:
    """Text as a paragraph, escaped: "<b>" in a ticket title prints as typed."""
    return Paragraph(escape("" if value is None else str(value)), style(size, color=color))


def table(data: sections.Table, width: float, *, size: float = 8, repeat_header: bool = True) -> Table:
    """The section's table over ``width``, its columns shared out by their character widths."""
    total = sum(data.widths)
    widths = [width * w / total for w in data.widths]
    rows = [[text(cell, size) for cell in data.header]]
    rows += [[text(cell, size) for cell in row] for row in data.rows]
    flow = Table(rows, colWidths=widths, repeatRows=1 if repeat_header else 0)
    flow.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
        ("GRID", (0, 0), (-1, -1), 0.4, LINE_GREY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return flow


class _NumberedCanvas(Canvas):
    """Holds the pages back until the end, so each footer can say how many pages there are."""

    header = ""
    language = "zh-CN"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for page in self._pages:
            self.__dict__.update(page)
            self._frame(len(self._pages))
            super().showPage()
        super().save()

    def _frame(self, pages: int) -> None:
        width, height = self._pagesize
        font = cjk_font()
        self.setFont(font, 9)
        self.setFillColor(colors.HexColor("#444444"))
        self.drawString(MARGIN, height - MARGIN + 6 * mm, self.header)
        self.setStrokeColor(LINE_GREY)
        self.line(MARGIN, height - MARGIN + 4 * mm, width - MARGIN, height - MARGIN + 4 * mm)
        self.drawCentredString(width / 2, MARGIN - 8 * mm, translate(
            "reports.page_of", self.language, page=self._pageNumber, pages=pages))


def document(flowables: Sequence[Flowable], *, header: str, language: str, pagesize=A4, title: str = "") -> bytes:
    """The PDF of ``flowables``, ``header`` (community and period) atop every page."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 4 * mm,
                            bottomMargin=MARGIN, title=title, author="pm_admin")
    canvas = type("PageCanvas", (_NumberedCanvas,), {"header": header, "language": language})
    doc.build(list(flowables), canvasmaker=canvas)
    return buffer.getvalue()


def frame_width(pagesize=A4) -> float:
    return pagesize[0] - 2 * MARGIN
