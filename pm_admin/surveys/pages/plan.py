"""One survey plan: questionnaire builder, collection (response rates, owner links, staff entry) and
results (index and indicators against the previous period, by community/building/steward, actions)."""

from __future__ import annotations

import reflex as rx

from pm_admin.surveys.models import ActionStatus, Indicator, QuestionKind
from pm_admin.surveys.pages.plans import status_badge
from pm_admin.surveys.pages.questionnaire import questionnaire
from pm_admin.surveys.states.plan import ActionForm, SurveyPlanState
from pm_admin.ui.forms import confirm_button, field, form_dialog, form_field, select_input, text_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import table_body

S = SurveyPlanState
ENTRY_METHODS = ("phone", "visit", "paper")


def header() -> rx.Component:
    p = S.plan
    is_ = lambda status: p["status"] == status  # noqa: E731
    subject = p["title"].to(str) + " · " + p["period"].to(str)
    return rx.hstack(
        rx.vstack(rx.hstack(rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("nav.surveys"), spacing="1",
                                                    align="center"), href="/surveys", size="2"),
                            rx.heading(p["title"], size="5"), rx.badge(p["period"]), status_badge(p["status"]),
                            align="center", spacing="3", wrap="wrap"),
                  rx.text(p["starts_on"], " ~ ", p["ends_on"], " · ", t("surveys.threshold"), " ", p["threshold"],
                          size="2", color_scheme="gray"), spacing="1"),
        rx.spacer(),
        rx.cond(S.can_manage, rx.hstack(
            rx.cond(is_("draft"), confirm_button(
                "surveys.open_plan", title_key="surveys.open_plan_confirm", subject=subject,
                explain_key="surveys.open_plan_explain", on_confirm=S.open_plan, testid="open-plan")),
            rx.cond(is_("open"), confirm_button(
                "surveys.close_plan", title_key="surveys.close_plan_confirm", subject=subject,
                explain_key="surveys.close_plan_explain", on_confirm=S.close_plan, testid="close-plan",
                color_scheme="amber")),
            rx.cond(is_("closed"), confirm_button(
                "surveys.publish", title_key="surveys.publish_confirm", subject=subject,
                explain_key="surveys.publish_explain", on_confirm=S.publish, testid="publish-plan",
                color_scheme="green")),
            spacing="2")),
        rx.cond(is_("published"), rx.link(rx.button(rx.icon("external-link", size=14), t("surveys.public_page"),
                                                    variant="soft"),
                                          href="/s/results/" + p["public_token"].to(str), is_external=True)),
        rx.button(rx.icon("download", size=14), t("surveys.export"), variant="soft", on_click=S.export_results),
        width="100%", align="center", wrap="wrap", spacing="2")


def question_row(q: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(q["position"], ".", size="2", width="2em"),
        rx.vstack(rx.text(q["text"], size="2", weight="medium"),
                  rx.hstack(rx.badge(t_prefixed("surveys.kind.", q["kind"]), color_scheme="gray"),
                            rx.cond(q["indicator"] != "", rx.badge(t_prefixed("surveys.indicator.", q["indicator"]))),
                            rx.cond(q["options_text"] != "", rx.text(q["options"].to(list[str]).join(" / "), size="1",
                                                                      color_scheme="gray")),
                            spacing="2", wrap="wrap"), spacing="1"),
        rx.spacer(),
        rx.cond(S.can_manage & (S.plan["status"] == "draft"), rx.icon_button(
            rx.icon("trash-2", size=14), variant="ghost", color_scheme="red",
            on_click=S.delete_question(q["id"]), aria_label=t("common.delete"))),
        width="100%", align="center", data_testid="question-row")


def question_form() -> rx.Component:
    e = S.question_errors
    return rx.form(rx.vstack(
        rx.heading(t("surveys.add_question"), size="3"),
        rx.hstack(
            field("surveys.question_kind", select_input("kind", [{"value": str(k)} for k in QuestionKind],
                                                        default="rating", label_prefix="surveys.kind.",
                                                        testid="question-kind"), e["kind"]),
            field("surveys.indicator", select_input("indicator", [{"value": str(i)} for i in Indicator],
                                                    label_prefix="surveys.indicator.", testid="question-indicator"),
                  e["indicator"], hint_key="surveys.indicator_hint"),
            spacing="3", width="100%"),
        field("surveys.question_text", text_input("text", data_testid="question-text"), e["text"]),
        field("surveys.options", rx.text_area(name="options", rows="3", width="100%"), e["options"],
              hint_key="surveys.options_hint"),
        rx.hstack(rx.checkbox(t("surveys.required"), name="required", default_checked=True), rx.spacer(),
                  rx.button(rx.icon("plus", size=14), t("surveys.add_question"), type="submit",
                            data_testid="add-question"), width="100%", align="center"),
        spacing="3", width="100%"), on_submit=S.add_question, key=S.question_key.to(str), width="100%")


def weights_card() -> rx.Component:
    draft = S.can_manage & (S.plan["status"] == "draft")
    return rx.card(rx.vstack(
        rx.heading(t("surveys.weights"), size="3"),
        rx.text(t("surveys.weights_hint"), size="1", color_scheme="gray"),
        rx.foreach(S.weights, lambda w: rx.hstack(
            rx.text(w["name"], size="2", width="5em"),
            rx.cond(draft, rx.select.root(rx.select.trigger(width="80px"), rx.select.content(
                *[rx.select.item(str(n), value=str(n)) for n in range(0, 11)]),
                value=w["weight"].to(str), on_change=lambda value: S.set_weight(w["indicator"], value)),
                rx.text(w["weight"], size="2")),
            align="center")),
        spacing="2"), min_width="220px")


def builder_tab() -> rx.Component:
    return rx.flex(
        rx.card(rx.vstack(
            rx.hstack(rx.heading(t("surveys.questionnaire"), size="3"), rx.spacer(),
                      rx.cond(S.can_manage & (S.plan["status"] == "draft") & (S.plan["previous_id"].to(int) > 0),
                              rx.button(rx.icon("copy", size=14), t("surveys.copy_previous"), variant="soft",
                                        size="1", on_click=S.copy_previous)),
                      width="100%", align="center"),
            rx.cond(S.questions.length() == 0, rx.text(t("surveys.no_questions"), size="2", color_scheme="gray")),
            rx.foreach(S.questions, question_row),
            rx.cond(S.can_manage & (S.plan["status"] == "draft"), rx.box(rx.separator(), question_form(),
                                                                          width="100%")),
            spacing="3", width="100%"), flex="1", min_width="320px"),
        weights_card(),
        gap="4", width="100%", wrap="wrap", align="start")


def rates_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
            "surveys.scope", "surveys.households", "surveys.responses", "surveys.response_rate")])),
        table_body(S.rates, lambda r: rx.table.row(
            rx.table.cell(rx.text(r["name"], weight=rx.cond(r["level"] == "community", "bold", "regular"))),
            rx.table.cell(r["households"]), rx.table.cell(r["responses"]),
            rx.table.cell(rx.hstack(rx.progress(value=r["rate"].to(int), max=100, width="90px"),
                                    rx.text(r["rate"], "%", size="2"), align="center"))), 4),
        variant="surface", size="1", width="100%", data_testid="response-rates")


def entry_form() -> rx.Component:
    e = S.entry_errors
    return rx.card(rx.form(rx.vstack(
        rx.heading(t("surveys.enter_response"), size="3"),
        rx.hstack(field("owners.col.room_code", text_input("room_code", placeholder_key="surveys.room_hint",
                                                           data_testid="entry-room"), e["room_code"]),
                  field("surveys.entry_method", select_input("method", [{"value": m} for m in ENTRY_METHODS],
                                                             default="phone", label_prefix="surveys.method."),
                        e["method"]), spacing="3", width="100%"),
        questionnaire(S.questions, e),
        rx.button(t("surveys.save_response"), type="submit", data_testid="entry-save"),
        spacing="3", width="100%"), on_submit=S.enter_response, key=S.entry_key.to(str), width="100%"),
        width="100%")


def collection_tab() -> rx.Component:
    return rx.vstack(
        rates_table(),
        rx.cond(S.can_manage & (S.plan["status"] == "open"), rx.card(rx.vstack(
            rx.heading(t("surveys.links"), size="3"),
            rx.text(t("surveys.links_hint"), size="2", color_scheme="gray"),
            rx.flex(rx.foreach(S.communities, lambda c: rx.button(
                rx.icon("link", size=14), c["label"], variant="soft", on_click=S.download_links(c["value"]))),
                gap="2", wrap="wrap"), spacing="2"), width="100%")),
        rx.cond(S.can_enter & (S.plan["status"] == "open"), entry_form()),
        spacing="4", width="100%")


def score_cell(value: rx.Var) -> rx.Component:
    return rx.cond(value.is_none(), rx.text("–", color_scheme="gray"), rx.text(value.to(str)))


def index_list(title_key: str, rows: rx.Var, testid: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t(title_key), size="3"),
        rx.foreach(rows.to(list[dict]), lambda r: rx.hstack(
            rx.text(r["name"], size="2"), rx.spacer(), score_cell(r["index"]),
            rx.cond(r.contains("previous") & ~r["previous"].is_none(),
                    rx.text("(", t("surveys.previous"), " ", r["previous"].to(str), ")", size="1",
                            color_scheme="gray")),
            width="100%")),
        spacing="2", width="100%", data_testid=testid), flex="1", min_width="240px")


def results_tab() -> rx.Component:
    r = S.result
    return rx.vstack(
        rx.hstack(
            rx.card(rx.vstack(rx.text(t("surveys.index"), size="2", color_scheme="gray"),
                              rx.heading(rx.cond(r["index"].is_none(), "–", r["index"].to(str)), size="8",
                                         data_testid="satisfaction-index"),
                              # Still collecting: every figure of the tab may move, and none is a previous period.
                              rx.cond(r["provisional"].to(bool), rx.tooltip(rx.badge(
                                  t("surveys.provisional"), color_scheme="amber", data_testid="results-provisional"),
                                  content=t("surveys.provisional_hint"))),
                              rx.cond(~r["previous_index"].is_none(), rx.text(
                                  t("surveys.previous"), " ", r["previous_index"].to(str), size="2",
                                  color_scheme="gray")), spacing="1"), min_width="200px"),
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                    "surveys.indicator", "surveys.weight", "surveys.score", "surveys.previous", "surveys.delta")])),
                table_body(S.indicators, lambda i: rx.table.row(
                    rx.table.cell(rx.hstack(rx.text(i["name"]), rx.cond(i["below"], rx.badge(
                        t("surveys.below_threshold"), color_scheme="red")), spacing="2")),
                    rx.table.cell(i["weight"]), rx.table.cell(score_cell(i["score"])),
                    rx.table.cell(score_cell(i["previous"])),
                    rx.table.cell(rx.cond(i["delta"].is_none(), "–", rx.text(
                        rx.cond(i["delta"].to(float) > 0, "+", ""), i["delta"].to(str),
                        color=rx.cond(i["delta"].to(float) >= 0, "var(--green-11)", "var(--red-11)")))),
                    data_testid="indicator-row"), 5),
                variant="surface", size="1", width="100%"),
            width="100%", align="start", spacing="4"),
        rx.flex(index_list("surveys.by_community", r["communities"], "by-community"),
                index_list("surveys.by_building", r["buildings"], "by-building"),
                index_list("surveys.by_steward", r["stewards"], "by-steward"), gap="4", width="100%", wrap="wrap",
                align="start"),
        actions_table(),
        action_dialog(),
        spacing="4", width="100%")


def actions_table() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("surveys.actions"), size="3"),
        rx.cond(S.actions.length() == 0, rx.text(t("surveys.no_actions"), size="2", color_scheme="gray")),
        rx.foreach(S.actions, lambda a: rx.hstack(
            rx.badge(a["community"], color_scheme="gray"), rx.badge(a["indicator_name"]),
            rx.text(a["score"].to(str), size="2", color="var(--red-11)"),
            rx.text(rx.cond(a["measure"] != "", a["measure"], t("surveys.measure_missing")), size="2"),
            rx.spacer(),
            rx.text(a["department"], " ", a["due_on"], size="1", color_scheme="gray"),
            rx.badge(t_prefixed("surveys.action.", a["status"])),
            rx.cond(S.can_manage, rx.button(t("common.edit"), size="1", variant="soft",
                                            on_click=ActionForm.edit_action(a["id"]))),
            width="100%", align="center", wrap="wrap", data_testid="action-row")),
        spacing="2", width="100%"), width="100%")


def action_dialog() -> rx.Component:
    d, v = ActionForm, ActionForm.values
    return form_dialog(
        d, title=d.subject["community"].to(str) + " · " + d.subject["indicator_name"].to(str), testid="action-form",
        fields=[
            form_field(d, "measure", "surveys.measure", rx.text_area(name="measure", default_value=v["measure"], rows="3",
                                                                      width="100%")),
            rx.hstack(form_field(d, "department_id", "surveys.department", select_input(
                "department_id", S.departments, default=v["department_id"])),
                      form_field(d, "due_on", "surveys.due_on", type_="date"),
                      spacing="3", width="100%"),
            form_field(d, "status", "surveys.action_status", select_input(
                "status", [{"value": str(s)} for s in ActionStatus], default=v["status"], label_prefix="surveys.action.")),
            form_field(d, "result", "surveys.action_result", rx.text_area(name="result", default_value=v["result"],
                                                                           rows="2", width="100%")),
        ])


def plan_page() -> rx.Component:
    return rx.fragment(
        rx.cond(S.missing, rx.callout(t("surveys.not_found"), icon="circle-alert", color_scheme="orange"),
                rx.vstack(
                    header(),
                    rx.tabs.root(
                        rx.tabs.list(rx.tabs.trigger(t("surveys.tab.results"), value="results"),
                                     rx.tabs.trigger(t("surveys.tab.collection"), value="collection",
                                                     data_testid="tab-collection"),
                                     rx.tabs.trigger(t("surveys.tab.questionnaire"), value="questionnaire",
                                                     data_testid="tab-questionnaire")),
                        rx.tabs.content(results_tab(), value="results", padding_top="16px"),
                        rx.tabs.content(collection_tab(), value="collection", padding_top="16px"),
                        rx.tabs.content(builder_tab(), value="questionnaire", padding_top="16px"),
                        default_value="results", width="100%"),
                    spacing="4", width="100%")),
    )
