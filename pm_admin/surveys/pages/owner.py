"""Owner-facing pages (no staff login, phone-sized): the questionnaire behind a one-time link and the
published results."""

from __future__ import annotations

import reflex as rx

from pm_admin.surveys.pages.questionnaire import questionnaire
from pm_admin.surveys.states.owner import OwnerSurveyState, PublicResultsState
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.language import language_switch

S = OwnerSurveyState
R = PublicResultsState


def _sheet(*children) -> rx.Component:
    return rx.box(
        rx.vstack(rx.hstack(rx.icon("smile", size=22, color="var(--accent-9)"), rx.spacer(), language_switch(),
                            width="100%", align="center"),
                  *children, spacing="4", width="100%"),
        max_width="560px", margin_x="auto", padding="20px 16px 40px", width="100%",
    )


def owner_survey_page() -> rx.Component:
    answering = rx.form(
        rx.vstack(
            rx.heading(S.survey["title"], size="5"),
            rx.text(S.survey["community"], " · ", S.survey["room"], size="2", color_scheme="gray",
                    data_testid="survey-room"),
            rx.cond(S.survey["purpose"] != "", rx.text(S.survey["purpose"], size="2")),
            rx.cond(S.errors.length() > 0, rx.callout(t("surveys.fix_answers"), icon="triangle-alert",
                                                     color_scheme="red", size="1", role="alert")),
            questionnaire(S.questions, S.errors),
            rx.button(t("surveys.submit"), type="submit", size="3", width="100%", data_testid="survey-submit"),
            spacing="3", width="100%"),
        on_submit=S.submit, key=S.form_key.to(str), width="100%")
    return _sheet(rx.match(
        S.stage,
        ("answering", answering),
        ("done", rx.callout(t("surveys.thanks"), icon="circle-check", color_scheme="green", size="3",
                            data_testid="survey-thanks")),
        ("refused", rx.callout(S.refusal, icon="circle-alert", color_scheme="orange", size="3", role="alert",
                               data_testid="survey-refused")),
        rx.spinner(),
    ))


def public_results_page() -> rx.Component:
    r = R.results
    return _sheet(rx.cond(
        R.missing,
        rx.callout(t("surveys.results_unpublished"), icon="circle-alert", color_scheme="orange"),
        rx.vstack(
            rx.heading(r["title"], size="5"),
            rx.text(r["period"], " · ", t("surveys.responses"), " ", r["responses"].to(str), size="2",
                    color_scheme="gray"),
            rx.card(rx.hstack(rx.text(t("surveys.index"), size="3"), rx.spacer(),
                              rx.heading(r["index"].to(str), size="7", color="var(--accent-11)"), align="center"),
                    width="100%"),
            rx.foreach(r["indicators"].to(list[dict]), lambda row: rx.hstack(
                rx.text(row["name"], size="2", width="4em"),
                rx.progress(value=row["score"].to(int), max=100, width="100%"),
                rx.text(row["score"].to(str), size="2", width="3em", text_align="right"),
                width="100%", align="center")),
            rx.heading(t("surveys.actions"), size="4"),
            rx.foreach(r["actions"].to(list[dict]), lambda a: rx.card(rx.vstack(
                rx.hstack(rx.badge(a["indicator"]), rx.badge(t_prefixed("surveys.action.", a["status"]),
                                                             color_scheme="gray"), spacing="2"),
                rx.text(a["measure"], size="2"),
                rx.cond(a["due_on"] != "", rx.text(t("surveys.due_on"), " ", a["due_on"], size="1",
                                                   color_scheme="gray")),
                rx.cond(a["result"] != "", rx.text(a["result"], size="2", color_scheme="green")),
                spacing="1"), width="100%")),
            spacing="3", width="100%"),
    ))
