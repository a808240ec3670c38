"""Printable invitations of a building for the steward: a PDF with one QR code per owner, and the same list as
XLSX. Issued when downloaded, so the file is the only copy of each link."""

from __future__ import annotations

import io
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import Session

from pm_admin.core.clock import local_text
from pm_admin.core.files import Download
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal
from pm_admin.core.qr import qr_drawing
from pm_admin.core.tables import TextSheet, export_workbook, workbook_bytes
from pm_admin.portal.services.invitations import PrintedInvitation, invite_building

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CJK_FONT = "STSong-Light"  # one of the CID fonts every PDF reader carries: no font file to ship
CARDS_PER_PAGE = 4
QR_SIZE = 45 * mm


def _issued(session: Session, principal: Principal, params: dict[str, Any]) -> list[PrintedInvitation]:
    return invite_building(session, actor=principal, building_id=int(params["building_id"]))


def invitations_xlsx(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    language, origin = params.get("language", "zh-CN"), params["origin"]
    workbook = export_workbook()
    sheet = TextSheet(workbook, translate("portal.invitations", language))
    sheet.append([translate("owners.col.room_code", language), translate("owners.col.name", language),
                  translate("portal.invitation_link", language), translate("portal.valid_until", language)])
    for printed in _issued(session, principal, params):
        sheet.append([printed.room_code, printed.name, origin + printed.issued.path,
                      local_text(printed.issued.expires_at)])
    return Download(f"owner-invitations-{params['building_id']}.xlsx", XLSX, [workbook_bytes(workbook)])


def invitations_pdf(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    """A4, four invitation cards a page: room, name, what to do, the QR code and the link, valid until."""
    language, origin = params.get("language", "zh-CN"), params["origin"]
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = A4
    card_height = height / CARDS_PER_PAGE
    printed = _issued(session, principal, params)
    for index, invitation in enumerate(printed):
        if index and index % CARDS_PER_PAGE == 0:
            canvas.showPage()
        top = height - (index % CARDS_PER_PAGE) * card_height
        link = origin + invitation.issued.path
        canvas.setFont(CJK_FONT, 15)
        canvas.drawString(18 * mm, top - 18 * mm, f"{invitation.room_code}  {invitation.name}")
        canvas.setFont(CJK_FONT, 10)
        for line, text in enumerate((translate("portal.invitation_print_1", language),
                                     translate("portal.invitation_print_2", language),
                                     translate("portal.valid_until", language) + " "
                                     + local_text(invitation.issued.expires_at))):
            canvas.drawString(18 * mm, top - (28 + 7 * line) * mm, text)
        canvas.setFont("Helvetica", 7)
        canvas.drawString(18 * mm, top - 56 * mm, link)
        renderPDF.draw(qr_drawing(link, QR_SIZE), canvas, width - 18 * mm - QR_SIZE, top - 10 * mm - QR_SIZE)
        canvas.setDash(2, 3)
        canvas.line(10 * mm, top - card_height + 2, width - 10 * mm, top - card_height + 2)
        canvas.setDash()
    if not printed:
        canvas.setFont(CJK_FONT, 12)
        canvas.drawString(18 * mm, height - 20 * mm, translate("portal.nobody_to_invite", language))
    canvas.save()
    return Download(f"owner-invitations-{params['building_id']}.pdf", "application/pdf", [buffer.getvalue()])


DOWNLOADS = {"owner_invitations_pdf": invitations_pdf, "owner_invitations_xlsx": invitations_xlsx}
