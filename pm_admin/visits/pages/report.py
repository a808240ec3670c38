"""走访完成情况: completion and coverage per community and per steward for a period (definitions in the README), and
the households not reached this year."""

from __future__ import annotations

import reflex as rx

from pm_admin.ui.filters import choose, filter_bar, place_pickers
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t
from pm_admin.ui.table import Column, data_table, simple_table
from pm_admin.visits.periods import REPORT_PERIODS
from pm_admin.visits.states.report import DEFAULT_PERIOD, VisitReportState

S = VisitReportState
FIGURES = ("weekly_tasks", "quarterly_tasks", "door_to_door_tasks", "completion", "visits", "households", "reached",
           "coverage")
HEADERS = ["visits.col.weekly", "visits.col.quarterly", "visits.col.door_to_door", "visits.col.completion",
           "visits.col.visits", "visits.col.households", "visits.col.reached", "visits.col.coverage"]


def figures_table(rows, first_key: str, testid: str) -> rx.Component:
    return simple_table([first_key, *HEADERS], rows, lambda row: rx.table.row(
        rx.table.cell(row["name"], font_weight="500"),
        *[rx.table.cell(row[key], data_testid=f"{testid}-{key}") for key in FIGURES],
        data_key=row["key"].to(str)), testid)


def report_page() -> rx.Component:
    not_reached = [
        Column("room_code", "visits.col.room"),
        Column("community", "places.community"),
        Column("building", "visits.col.building"),
        Column("owner", "visits.col.owner"),
        Column("steward", "visits.col.steward"),
        Column("last_visit", "visits.col.last_visit", render=lambda r: rx.text(
            rx.cond(r["last_visit"].to(str) != "", r["last_visit"], t("visits.never")), size="2")),
    ]
    return rx.vstack(
        filter_bar(S, choose(S, "period", [{"value": key} for key in REPORT_PERIODS if key != DEFAULT_PERIOD],
                             f"visits.period.{DEFAULT_PERIOD}",
                             label_prefix="visits.period.", testid="filter-period"),
                   *place_pickers(S)[:2], reset=False),
        rx.text(t("visits.report_days"), "：", S.days, size="2", color_scheme="gray", data_testid="report-days"),
        notice(t("visits.report_explain"), icon="info", size="1"),
        rx.heading(t("visits.by_community"), size="3"),
        figures_table(S.communities, "places.community", "report-communities"),
        rx.heading(t("visits.by_steward"), size="3"),
        figures_table(S.stewards, "visits.col.steward", "report-stewards"),
        rx.hstack(rx.heading(t("visits.not_reached_title"), size="3"), rx.spacer(),
                  rx.button(rx.icon("download", size=14), t("visits.download"), variant="soft", on_click=S.download,
                            data_testid="not-reached-download"), width="100%", align="center"),
        data_table(S, not_reached, testid="not-reached", min_width="640px"),
        spacing="4", width="100%")
