"""Pieces the inspection pages share: badges for a checklist's category, a task's due day, a rectification's state,
the lists' category column and filter, a labelled line, the way back."""

from __future__ import annotations

import reflex as rx

from pm_admin.inspections.models import Category
from pm_admin.ui.filters import choose
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column

CATEGORY_COLORS = {"fire": "red", "elevator": "blue", "general": "gray"}


def category_badge(category: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("inspections.category.", category), variant="soft",
                    color_scheme=rx.match(category, *CATEGORY_COLORS.items(), "gray"))


def category_column() -> Column:
    return Column("category", "inspections.category_label", render=lambda r: category_badge(r["category"].to(str)))


def category_filter(state) -> rx.Component:
    return choose(state, "category", [{"value": str(c)} for c in Category], "inspections.all_categories",
                  label_prefix="inspections.category.")


def due_badge(task: rx.Var) -> rx.Component:
    """Done, overdue, due today, or due on its day."""
    return rx.cond(
        task["status"] == "done", rx.badge(t("inspections.status.done"), color_scheme="green", data_testid="task-status"),
        rx.cond(task["overdue"].to(bool),
                rx.badge(t("inspections.overdue"), " ", task["due_on"].to(str), color_scheme="red",
                         data_testid="task-status"),
                rx.cond(task["due_today"].to(bool),
                        rx.badge(t("inspections.due_today"), color_scheme="orange", data_testid="task-status"),
                        rx.badge(t("inspections.due_on"), " ", task["due_on"].to(str), color_scheme="gray",
                                 data_testid="task-status"))))


def rectification_badge(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["status"] == "closed", rx.badge(t("inspections.rectification.closed"), color_scheme="green",
                                            data_testid="rectification-status"),
        rx.cond(row["overdue"].to(bool),
                rx.badge(t("inspections.rectification.overdue"), color_scheme="red", data_testid="rectification-status"),
                rx.badge(t("inspections.rectification.open"), color_scheme="orange",
                         data_testid="rectification-status")))


def line(label_key: str, value: rx.Var, testid: str = "") -> rx.Component:
    return rx.cond(value.to(str) != "", rx.hstack(
        rx.text(t(label_key), size="2", color_scheme="gray", min_width="88px"),
        rx.text(value, size="2", data_testid=testid or None), spacing="3", align="start"))


def back_link(href: rx.Var | str, label_key: str = "inspections.back") -> rx.Component:
    return rx.link(rx.hstack(rx.icon("arrow-left", size=14), t(label_key), spacing="1", align="center"),
                   href=href, size="2")
