"""QR codes of links (an invitation, a group's join way), drawn with reportlab: as a drawing for a PDF, or as an
SVG data URI for a page."""

from __future__ import annotations

import base64

from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing


def qr_drawing(link: str, size: float) -> Drawing:
    widget = QrCodeWidget(link)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    return drawing


def qr_data_uri(link: str, size: float = 160) -> str:
    svg = renderSVG.drawToString(qr_drawing(link, size))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
