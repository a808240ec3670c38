"""The questionnaire as form inputs, shared by the owner's page and staff entry.

Native inputs: their names and values go straight into the submitted form (see surveys.services.answers)."""

from __future__ import annotations

import reflex as rx

from pm_admin.ui.i18n import t

RATINGS = ("1", "2", "3", "4", "5")


def _choice(name: rx.Var, value, label, kind: str) -> rx.Component:
    return rx.el.label(
        rx.el.input(type=kind, name=name, value=value, class_name="survey-choice-input"),
        rx.text(label, as_="span", size="3"),
        class_name="survey-choice",
    )


def _rating(question: rx.Var) -> rx.Component:
    name = "q" + question["id"].to(str)
    return rx.vstack(
        rx.hstack(*[_choice(name, value, value, "radio") for value in RATINGS], spacing="2", wrap="wrap"),
        rx.hstack(rx.text(t("surveys.rating_low"), size="1", color_scheme="gray"), rx.spacer(),
                  rx.text(t("surveys.rating_high"), size="1", color_scheme="gray"), width="100%", max_width="320px"),
        spacing="1")


def _options(question: rx.Var) -> rx.Component:
    name = "q" + question["id"].to(str)
    return rx.cond(
        question["kind"] == "single",
        rx.vstack(rx.foreach(question["options"].to(list[str]), lambda option: _choice(name, option, option, "radio")),
                  spacing="1"),
        rx.vstack(rx.foreach(question["options"].to(list[str]), lambda option, index: _choice(
            name + "::" + index.to(str), option, option, "checkbox")), spacing="1"),
    )


def question_block(question: rx.Var, errors: rx.Var) -> rx.Component:
    field_name = "q" + question["id"].to(str)
    return rx.vstack(
        rx.text(question["position"].to(str), ". ", question["text"],
                rx.cond(question["required"], rx.text(" *", as_="span", color="var(--red-11)")),
                size="3", weight="medium"),
        rx.match(question["kind"],
                 ("rating", _rating(question)),
                 ("text", rx.text_area(name=field_name, rows="3", width="100%", max_length=1000)),
                 _options(question)),
        rx.cond(errors.contains(field_name),
                rx.text(errors[field_name], size="1", color="var(--red-11)", role="alert", class_name="field-error")),
        spacing="2", width="100%", padding_y="8px", data_testid="survey-question",
    )


def questionnaire(questions: rx.Var, errors: rx.Var) -> rx.Component:
    return rx.vstack(rx.foreach(questions, lambda q: question_block(q, errors)), spacing="2", width="100%")
