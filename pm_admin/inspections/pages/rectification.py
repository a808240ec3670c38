"""One rectification: the notice's facts, the rechecks in order, and the dialogs naming the party and rechecking."""

from __future__ import annotations

import reflex as rx

from pm_admin.inspections.models import Responsible
from pm_admin.inspections.pages.parts import back_link, category_badge, line, rectification_badge
from pm_admin.inspections.states.rectification import RECHECK_PHOTO, PartyForm, RecheckForm, RectificationState
from pm_admin.ui.forms import field, form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.uploads import file_input

S = RectificationState
RESPONSIBLE = [{"value": str(r)} for r in Responsible]


def header() -> rx.Component:
    r = S.rectification
    is_open = r["status"] == "open"
    return rx.hstack(
        back_link("/rectifications", "nav.rectifications"),
        rx.heading(r["code"], size="5", data_testid="rectification-code"),
        category_badge(r["category"].to(str)), rectification_badge(r),
        rx.spacer(),
        rx.link(rx.button(rx.icon("printer", size=14), t("inspections.print_notice"), variant="soft"),
                href="/rectifications/" + r["id"].to(str) + "/notice", is_external=True,
                data_testid="print-notice"),
        rx.cond(S.can_manage & is_open, rx.button(rx.icon("user-cog", size=14), t("inspections.change_party"),
                                                  variant="soft", on_click=PartyForm.open_party,
                                                  data_testid="change-party")),
        rx.cond(S.can_work & is_open, rx.button(rx.icon("clipboard-check", size=14), t("inspections.recheck"),
                                                on_click=RecheckForm.open_recheck, data_testid="recheck")),
        width="100%", align="center", wrap="wrap", spacing="3")


def facts() -> rx.Component:
    r = S.rectification
    return rx.card(rx.vstack(
        line("inspections.location", r["location"], "rectification-location"),
        line("inspections.hazard", r["hazard"], "rectification-hazard"),
        line("inspections.requirement", r["requirement"]),
        rx.hstack(rx.text(t("inspections.party"), size="2", color_scheme="gray", min_width="88px"),
                  rx.text(t_prefixed("inspections.responsible.", r["responsible"].to(str)), " · ",
                          rx.cond(r["party"].to(str) != "", r["party"].to(str), t("inspections.party_unnamed")),
                          size="2", data_testid="rectification-party"), spacing="3"),
        line("inspections.deadline", r["deadline"], "rectification-deadline"),
        rx.cond(r["first_deadline"] != r["deadline"], line("inspections.first_deadline", r["first_deadline"])),
        line("inspections.inspector", r["inspector"].to(str) + " · " + r["opened_at"].to(str)),
        line("places.community", r["community"]),
        rx.hstack(rx.text(t("inspections.found_in"), size="2", color_scheme="gray", min_width="88px"),
                  rx.link(r["task_title"], " ", r["task_period"], href="/inspections/tasks/" + r["task_id"].to(str),
                          size="2"),
                  rx.cond(r["answer_has_photo"].to(bool), rx.button(
                      rx.icon("image", size=14), t("inspections.view_photo"), size="1", variant="soft",
                      on_click=S.answer_photo)), spacing="3", align="center"),
        rx.cond(r["closed_at"].to(str) != "", line("inspections.closed_at", r["closed_at"])),
        spacing="2", width="100%"), width="100%")


def check_line(check: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.cond(check["passed"].to(bool), rx.badge(t("inspections.recheck_passed"), color_scheme="green"),
                          rx.badge(t("inspections.recheck_failed"), color_scheme="red")),
                  rx.text(check["at"], " · ", check["by"], size="2", color_scheme="gray"), spacing="2",
                  align="center"),
        rx.cond(check["note"].to(str) != "", rx.text(check["note"], size="2")),
        rx.cond(check["new_deadline"].to(str) != "", rx.text(
            t("inspections.deadline_moved"), " ", check["deadline_before"], " → ", check["new_deadline"], size="2")),
        rx.cond(check["has_photo"].to(bool), rx.button(rx.icon("image", size=14), t("inspections.view_photo"),
                                                       size="1", variant="soft",
                                                       on_click=S.check_photo(check["id"].to(int)))),
        spacing="1", width="100%"), width="100%", data_testid="recheck-line")


def party_dialog() -> rx.Component:
    d = PartyForm
    return form_dialog(d, title=rx.text(t("inspections.change_party"), " · ", d.subject["code"].to(str)),
                       testid="party-form", fields=[
        form_field(d, "responsible", "inspections.party", select_input(
            "responsible", RESPONSIBLE, default=d.values["responsible"], label_prefix="inspections.responsible.",
            testid="party-responsible")),
        form_field(d, "room_code", "inspections.household_room", hint_key="inspections.household_room_hint"),
        form_field(d, "department_id", "inspections.department", select_input(
            "department_id", d.department_choices, default=d.values["department_id"])),
        form_field(d, "contractor", "inspections.contractor"),
        form_field(d, "deadline", "inspections.deadline", type_="date"),
        form_field(d, "requirement", "inspections.requirement", rx.text_area(
            name="requirement", default_value=d.values["requirement"], rows="3", width="100%")),
    ])


def recheck_dialog() -> rx.Component:
    d = RecheckForm
    return form_dialog(d, title=rx.text(t("inspections.recheck"), " · ", d.subject["code"].to(str)),
                       testid="recheck-form", fields=[
        form_field(d, "result", "inspections.recheck_result", rx.radio_group.root(
            rx.hstack(rx.radio_group.item(value="passed", data_testid="recheck-passed"),
                      rx.text(t("inspections.recheck_passed"), size="2"),
                      rx.radio_group.item(value="failed", data_testid="recheck-failed"),
                      rx.text(t("inspections.recheck_failed"), size="2"), spacing="2", align="center"),
            name="result", default_value=d.values["result"])),
        form_field(d, "note", "inspections.recheck_note", rx.text_area(
            name="note", default_value=d.values["note"], rows="3", width="100%", data_testid="recheck-note")),
        form_field(d, "new_deadline", "inspections.new_deadline", type_="date", hint_key="inspections.new_deadline_hint",
                   data_testid="recheck-deadline"),
        field("inspections.recheck_photo", file_input(RECHECK_PHOTO, "image/*", "recheck-photo"), d.errors["photo"],
              hint_key="inspections.recheck_photo_hint"),
    ])


def rectification_page() -> rx.Component:
    return rx.fragment(
        rx.vstack(
            rx.cond(S.missing, notice(t("error.not_found"), icon="circle-alert", color_scheme="red")),
            rx.cond(S.rectification["id"].to(int) > 0, rx.vstack(
                header(), facts(),
                rx.heading(t("inspections.rechecks"), size="3", weight="medium"),
                rx.foreach(S.rectification["checks"].to(list[dict]), check_line),
                rx.cond(S.rectification["checks"].to(list).length() == 0,
                        rx.text(t("inspections.no_rechecks"), size="2", color_scheme="gray")),
                spacing="3", width="100%")),
            spacing="3", width="100%", max_width="900px"),
        party_dialog(), recheck_dialog())
