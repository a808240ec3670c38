"""Surveys in the portal: the tasks waiting for the owner's rooms and the published results; answering one task;
one plan's results and improvement actions for the owner's community."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import portal_frame
from pm_admin.portal.states.surveys import PortalResultsState, PortalSurveysState, PortalSurveyState
from pm_admin.surveys.pages.questionnaire import questionnaire
from pm_admin.ui.i18n import t, t_prefixed


def _task(task: rx.Var) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.vstack(rx.text(task["title"], weight="medium", size="2"),
                          rx.text(task["room"], " · ", t("portal.survey_until"), " ", task["ends_on"], size="1",
                                  color_scheme="gray"), spacing="1", min_width="0"),
                rx.spacer(),
                rx.badge(t("portal.answer_survey"), color_scheme="orange", size="2"),
                align="center", width="100%",
            ),
            width="100%",
        ),
        href=task["path"].to(str), underline="none", width="100%", data_testid="portal-survey-task",
    )


def _published(line: rx.Var) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.vstack(rx.text(line["title"], weight="medium", size="2"),
                          rx.text(line["community"], " · ", line["period"], size="1", color_scheme="gray"),
                          spacing="1", min_width="0"),
                rx.spacer(),
                rx.vstack(rx.text(line["index"].to(str), size="5", weight="bold", color="var(--accent-11)"),
                          rx.text(t("portal.actions_count"), " ", line["actions"].to(str), size="1",
                                  color_scheme="gray"), spacing="0", align="end"),
                align="center", width="100%",
            ),
            width="100%",
        ),
        href=line["path"].to(str), underline="none", width="100%", data_testid="portal-survey-result",
    )


def portal_surveys_page() -> rx.Component:
    state = PortalSurveysState
    return portal_frame(
        "portal.nav.surveys",
        rx.heading(t("portal.pending_surveys"), size="3"),
        rx.foreach(state.tasks, _task),
        rx.cond(state.tasks.length() == 0, rx.text(t("portal.no_pending_surveys"), size="2", color_scheme="gray")),
        rx.heading(t("portal.published_results"), size="3", padding_top="8px"),
        rx.foreach(state.results, _published),
        rx.cond(state.results.length() == 0, rx.text(t("portal.no_published_results"), size="2",
                                                     color_scheme="gray")),
    )


def _back() -> rx.Component:
    return rx.link(rx.button(rx.icon("arrow-left", size=16), t("portal.back_to_surveys"), variant="soft", size="3",
                             width="100%"), href="/portal/surveys", width="100%")


def portal_survey_page() -> rx.Component:
    state = PortalSurveyState
    answering = rx.form(
        rx.vstack(
            rx.heading(state.survey["title"].to(str), size="4"),
            rx.text(state.survey["room"].to(str), " · ", t("portal.survey_until"), " ", state.survey["ends_on"].to(str),
                    size="2", color_scheme="gray", data_testid="portal-survey-room"),
            rx.cond(state.survey["purpose"].to(str) != "", rx.text(state.survey["purpose"].to(str), size="2")),
            rx.cond(state.errors.length() > 0, rx.callout(t("surveys.fix_answers"), icon="triangle-alert",
                                                         color_scheme="red", size="1", role="alert")),
            questionnaire(state.questions, state.errors),
            rx.button(t("surveys.submit"), type="submit", size="3", width="100%", data_testid="portal-survey-submit"),
            spacing="3", width="100%"),
        on_submit=state.submit, reset_on_submit=False, width="100%")
    return portal_frame(
        "portal.survey",
        rx.match(
            state.stage,
            ("answering", answering),
            ("done", rx.vstack(rx.callout(t("surveys.thanks"), icon="circle-check", color_scheme="green", size="2",
                                          data_testid="portal-survey-thanks"), _back(), width="100%")),
            ("answered", rx.vstack(rx.callout(t("portal.survey_answered"), icon="circle-check", color_scheme="green",
                                              size="2", data_testid="portal-survey-answered"), _back(), width="100%")),
            ("missing", rx.vstack(rx.callout(t("portal.survey_missing"), icon="triangle-alert", color_scheme="orange",
                                             size="2", data_testid="portal-survey-missing"), _back(), width="100%")),
            ("refused", rx.vstack(rx.callout(state.refusal, icon="circle-alert", color_scheme="orange", size="2",
                                             role="alert", data_testid="portal-survey-refused"), _back(),
                                  width="100%")),
            rx.spinner(),
        ),
    )


def _action(action: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.badge(action["indicator"]), rx.badge(t_prefixed("surveys.action.", action["status"]),
                                                          color_scheme="gray"), spacing="2"),
        rx.text(action["measure"], size="2"),
        rx.cond(action["due_on"] != "", rx.text(t("surveys.due_on"), " ", action["due_on"], size="1",
                                                color_scheme="gray")),
        rx.cond(action["result"] != "", rx.text(action["result"], size="2", color_scheme="green")),
        spacing="1"), width="100%", data_testid="portal-survey-action")


def _section(section: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.heading(section["title"].to(str), size="4"),
        rx.text(section["community"].to(str), " · ", section["period"].to(str), " · ", t("surveys.responses"), " ",
                section["responses"].to(str), size="2", color_scheme="gray"),
        rx.card(rx.hstack(rx.text(t("surveys.index"), size="3"), rx.spacer(),
                          rx.heading(section["index"].to(str), size="7", color="var(--accent-11)",
                                     data_testid="portal-results-index"), align="center"), width="100%"),
        rx.foreach(section["indicators"].to(list[dict]), lambda row: rx.hstack(
            rx.text(row["name"], size="2", width="4em"),
            rx.progress(value=row["score"].to(int), max=100, width="100%"),
            rx.text(row["score"].to(str), size="2", width="3em", text_align="right"),
            width="100%", align="center")),
        rx.heading(t("surveys.actions"), size="3"),
        rx.foreach(section["actions"].to(list[dict]), _action),
        rx.cond(section["actions"].to(list[dict]).length() == 0,
                rx.text(t("portal.no_survey_actions"), size="2", color_scheme="gray")),
        spacing="3", width="100%",
    )


def portal_results_page() -> rx.Component:
    state = PortalResultsState
    return portal_frame(
        "portal.survey_results",
        rx.cond(state.missing,
                rx.callout(t("portal.results_missing"), icon="triangle-alert", color_scheme="orange"),
                rx.foreach(state.sections, _section)),
        _back(),
    )
