"""《火险隐患整改通知书》 (seed 003 5.29.3) — for other checklists 《隐患整改通知书》 — as an A4 sheet to print and hand
to the responsible party: number, 受检单位, place, hazard, requirement, deadline, the inspector, and lines to sign for
receipt. No sidebar: the page is the sheet."""

from __future__ import annotations

import reflex as rx

from pm_admin.inspections.states.notice import RectificationNoticeState
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t

S = RectificationNoticeState
PRINT_CSS = """
@page { size: A4; margin: 16mm; }
@media print {
  html, body, .notice-page { background: #fff !important; }
  .no-print { display: none !important; }
  .notice-sheet { box-shadow: none !important; margin: 0 !important; width: auto !important; min-height: 0 !important;
                  padding: 0 !important; }
}
"""
SHEET = {"width": "210mm", "min_height": "297mm", "margin": "24px auto", "padding": "22mm 20mm", "background": "#fff",
         "color": "#000", "box_shadow": "0 2px 12px rgba(0,0,0,.15)", "font_size": "15px", "line_height": "1.9",
         "box_sizing": "border-box"}
ROW = {"display": "flex", "gap": "12px", "border_bottom": "1px solid #000", "padding": "10px 4px", "min_height": "48px"}
LABEL = {"min_width": "6.5em", "font_weight": "600"}


def _row(label_key: str, value: rx.Var, testid: str = "") -> rx.Component:
    return rx.el.div(rx.el.span(t(label_key), style=LABEL), rx.el.span(value, data_testid=testid or None,
                                                                          style={"white_space": "pre-wrap"}),
                     style=ROW)


def _sign(label_key: str) -> rx.Component:
    return rx.el.div(rx.el.span(t(label_key)), rx.el.span("", style={"display": "inline-block", "width": "11em",
                                                                      "border_bottom": "1px solid #000"}),
                     style={"display": "flex", "gap": "8px", "align_items": "flex-end"})


def sheet() -> rx.Component:
    s = S.sheet
    fire = s["category"] == "fire"
    party = rx.cond(s["party"].to(str) != "", s["party"].to(str), t("inspections.party_unnamed"))
    return rx.el.div(
        rx.el.div(s["community"], style={"text_align": "center", "font_size": "16px"}),
        rx.el.h1(rx.cond(fire, t("inspections.notice_title_fire"), t("inspections.notice_title")),
                 style={"text_align": "center", "font_size": "26px", "letter_spacing": "2px", "margin": "6px 0"},
                 data_testid="notice-title"),
        rx.el.div(t("inspections.notice_number"), "：", s["code"],
                  style={"text_align": "right", "font_size": "13px", "margin_bottom": "12px"}),
        rx.el.div(_row("inspections.notice_party", party, "notice-party"),
                  _row("inspections.notice_checked", s["checked_on"].to(str) + "  " + s["task_title"].to(str)),
                  _row("inspections.location", s["location"], "notice-location"),
                  _row("inspections.hazard", s["hazard"], "notice-hazard"),
                  _row("inspections.requirement", rx.cond(s["requirement"].to(str) != "", s["requirement"].to(str),
                                                           t("inspections.notice_requirement_default"))),
                  _row("inspections.notice_deadline", s["deadline"], "notice-deadline"),
                  style={"border_top": "2px solid #000"}),
        rx.el.p(t("inspections.notice_text"), style={"margin_top": "18px", "text_indent": "2em"}),
        rx.el.div(
            rx.el.div(rx.el.div(t("inspections.inspector"), "：", s["inspector"]),
                      rx.el.div(t("inspections.notice_issued"), "：", s["checked_on"])),
            rx.el.div(_sign("inspections.notice_received"), _sign("inspections.notice_received_on"),
                      style={"display": "flex", "flex_direction": "column", "gap": "18px"}),
            style={"display": "flex", "justify_content": "space-between", "margin_top": "40px"}),
        rx.el.div(t("inspections.notice_copies"), style={"margin_top": "36px", "font_size": "12px", "color": "#333"}),
        class_name="notice-sheet", style=SHEET, data_testid="notice-sheet")


def notice_page() -> rx.Component:
    return rx.box(
        rx.el.style(PRINT_CSS),
        rx.hstack(rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("inspections.back"), spacing="1"),
                          href="/rectifications/" + S.sheet["id"].to(str), size="2"),
                  rx.spacer(),
                  rx.button(rx.icon("printer", size=14), t("inspections.print"), on_click=rx.call_script("window.print()"),
                            data_testid="notice-print"),
                  class_name="no-print", width="210mm", margin="0 auto", max_width="100%"),
        rx.cond(S.missing, rx.box(notice(t("error.not_found"), icon="circle-alert", color_scheme="red"),
                                  class_name="no-print", padding="16px")),
        rx.cond(S.sheet["id"].to(int) > 0, sheet()),
        background="var(--gray-3)", min_height="100vh", padding="16px 0 24px", class_name="notice-page")
