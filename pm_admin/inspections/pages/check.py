"""One inspection task: on a phone, the checklist with a large 合格 / 不合格 per item, a note, a photo and (for a
failure in a household) the room; the draft is kept in the browser as it is typed (``inspections.draft``). Once done,
the answers with their photos and the rectifications the failures opened."""

from __future__ import annotations

import reflex as rx
from reflex.components.core.banner import has_connection_errors

from pm_admin.inspections.pages.parts import back_link, category_badge, due_badge, line
from pm_admin.inspections.states.check import InspectionTaskState
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t

S = InspectionTaskState
CHOICE = {"flex": "1", "display": "flex", "align_items": "center", "justify_content": "center", "gap": "8px",
          "min_height": "48px", "border": "1px solid var(--gray-7)", "border_radius": "10px", "cursor": "pointer",
          "font_size": "16px", "user_select": "none"}


def _choice(item: rx.Var, value: str, label_key: str, color: str) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="radio", name="result_" + item["n"].to(str), value=value,
                    data_testid=f"item-{value}", style={"width": "20px", "height": "20px"}),
        t(label_key),
        style={**CHOICE, "&:has(input:checked)": {"background": f"var(--{color}-3)",
                                                   "border_color": f"var(--{color}-8)", "font_weight": "600"}})


def _error(key: rx.Var) -> rx.Component:
    return rx.cond(S.errors[key], rx.text(S.errors[key], size="2", color="var(--red-11)", role="alert",
                                          class_name="field-error"))


def item_form(item: rx.Var) -> rx.Component:
    n = item["n"].to(str)
    return rx.fragment(
        rx.cond(item["new_section"].to(bool), rx.heading(item["section"], size="3", as_="h3", padding_top="8px")),
        rx.card(rx.vstack(
            rx.text(item["number"], ". ", item["text"], size="3", weight="medium"),
            rx.hstack(_choice(item, "pass", "inspections.pass", "green"),
                      _choice(item, "fail", "inspections.fail", "red"), width="100%", spacing="3"),
            _error("result_" + n),
            rx.text_area(name="note_" + n, rows="2", width="100%", placeholder=t("inspections.note_placeholder"),
                         data_testid="item-note"),
            _error("note_" + n),
            rx.box(rx.input(name="room_" + n, placeholder=t("inspections.room_placeholder"), width="100%",
                            data_testid="item-room"),
                   _error("room_" + n), class_name="fail-only", width="100%"),
            rx.el.label(rx.hstack(rx.icon("camera", size=18), rx.text(t("inspections.photo"), size="2"),
                                  align="center", spacing="2"),
                        rx.el.input(type="file", accept="image/*", capture="environment", name="photo_" + n,
                                    data_item=n, data_testid="item-photo", style={"max_width": "100%"}),
                        style={"display": "flex", "flex_direction": "column", "gap": "6px", "width": "100%"}),
            rx.el.img(data_photo_preview=n, alt="", style={"display": "none", "max_width": "100%",
                                                            "max_height": "180px", "border_radius": "8px"}),
            _error("photo_" + n),
            spacing="2", width="100%"),
            width="100%", data_testid="inspection-item",
            style={"& .fail-only": {"display": "none"},
                   "&:has(input[value='fail']:checked)": {"border": "1px solid var(--red-8)"},
                   "&:has(input[value='fail']:checked) .fail-only": {"display": "block"}}),
    )


def check_form() -> rx.Component:
    task = S.task
    return rx.el.div(
        rx.vstack(
            rx.cond(has_connection_errors, notice(t("inspections.offline"), icon="wifi-off", color_scheme="amber",
                                                  data_testid="inspection-offline")),
            rx.text("", data_draft_status="", size="1", color_scheme="gray", data_testid="draft-status"),
            rx.foreach(task["items"].to(list[dict]), item_form),
            rx.button(rx.icon("send", size=16), t("inspections.submit"), size="4", width="100%",
                      on_click=S.submit, data_inspection_submit="", data_testid="inspection-submit"),
            spacing="3", width="100%"),
        data_inspection_form=task["id"].to(str), data_text_saved=t("inspections.draft_saved"),
        data_text_restored=t("inspections.draft_restored"), data_text_sending=t("inspections.sending"),
        # Room below the button: offline, the app's connection toast sits at the bottom of a phone's screen and the
        # button must scroll clear of it.
        style={"width": "100%", "padding_bottom": "160px"})


def item_result(item: rx.Var) -> rx.Component:
    failed = item["result"] == "fail"
    return rx.fragment(
        rx.cond(item["new_section"].to(bool), rx.heading(item["section"], size="3", as_="h3", padding_top="8px")),
        rx.card(rx.vstack(
            rx.hstack(rx.cond(failed, rx.icon("circle-x", color="var(--red-10)", size=18),
                              rx.icon("circle-check", color="var(--green-10)", size=18)),
                      rx.text(item["number"], ". ", item["text"], size="2", weight="medium"), align="start",
                      spacing="2"),
            rx.cond(item["note"].to(str) != "", rx.text(item["note"], size="2", data_testid="result-note")),
            rx.cond(item["room"].to(str) != "", rx.text(t("places.room_code"), "：", item["room"], size="2")),
            rx.hstack(
                rx.cond(item["has_photo"].to(bool), rx.button(
                    rx.icon("image", size=14), t("inspections.view_photo"), size="1", variant="soft",
                    on_click=S.photo(item["answer_id"].to(int)), data_testid="result-photo")),
                rx.cond(item["rectification_id"].to(int) > 0, rx.link(
                    t("inspections.rectification_link"), href="/rectifications/" + item["rectification_id"].to(str),
                    size="2", data_testid="result-rectification")),
                spacing="3", align="center"),
            spacing="1", width="100%"), width="100%", data_testid="inspection-result",
            data_result=item["result"].to(str)))


def summary() -> rx.Component:
    task = S.task
    return rx.card(rx.vstack(
        rx.hstack(category_badge(task["category"].to(str)), due_badge(task), spacing="2", wrap="wrap"),
        rx.heading(task["title"], size="5", data_testid="task-title"),
        rx.text(task["place"], size="3", data_testid="task-place"),
        line("places.community", task["community"]),
        line("inspections.period", task["period"]),
        line("inspections.assignee", task["assignee"]),
        rx.cond(task["status"] == "done", line("inspections.done_by",
                                               task["done_by"].to(str) + " · " + task["done_at"].to(str))),
        spacing="2", width="100%"), width="100%")


def task_page() -> rx.Component:
    return rx.vstack(
        back_link(S.back_href),
        rx.cond(S.missing, notice(t("error.not_found"), icon="circle-alert", color_scheme="red")),
        rx.cond(S.task["id"].to(int) > 0, rx.vstack(
            summary(),
            rx.cond(S.task["may_work"].to(bool), check_form(),
                    rx.cond(S.task["status"] == "done", rx.vstack(
                        rx.foreach(S.task["items"].to(list[dict]), item_result), spacing="2", width="100%"),
                        notice(t("inspections.not_for_you"), icon="info"))),
            spacing="3", width="100%")),
        spacing="3", width="100%", max_width="720px")
