"""经营看板: KPI cards with their targets, Plotly charts (each downloadable), hot topics and early warnings."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from pm_admin.core.i18n import LANGUAGES
from pm_admin.dashboards.pages.plot import dashboard_plot
from pm_admin.dashboards.periods import PERIOD_KEYS
from pm_admin.dashboards.states.dashboard import DashboardState
from pm_admin.ui.filters import filter_bar, pick
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t, t_prefixed

S = DashboardState
PLOT_CONFIG = {"displaylogo": False, "responsive": True,
               "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]}


def kpi_card(card: rx.Var) -> rx.Component:
    verdict = card["verdict"].to(str)
    return rx.card(rx.vstack(
        rx.text(t_prefixed("", card["key"]), size="2", color_scheme="gray"),
        rx.text(card["value"], size="6", weight="bold", data_testid=card["testid"]),
        rx.cond(card["target"] != "",
                rx.badge(card["target"], color_scheme=rx.match(verdict, ("met", "green"), ("missed", "red"), "gray"),
                         variant="soft")),
        spacing="1"), size="1")


def download_buttons(chart: str) -> rx.Component:
    return rx.hstack(
        *[rx.button(rx.icon("download", size=12), label, size="1", variant="soft", color_scheme="gray",
                    on_click=S.download(chart, file_format), data_testid=f"download-{chart}-{file_format}")
          for file_format, label in (("xlsx", "XLSX"), ("csv", "CSV"))],
        spacing="1")


def chart_card(chart: str, figure: rx.Var, note: rx.Component | None = None,
               height: rx.Var | str = "300px") -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(t(f"dashboard.chart.{chart}"), size="3", weight="medium"), rx.spacer(),
                  download_buttons(chart), align="center", width="100%"),
        *([note] if note is not None else []),
        # Drawn once its figure came (a figure has at least one trace): an empty draw first would cost as much.
        rx.cond(figure.to(dict)["data"].to(list).length() > 0,
                dashboard_plot(data=figure, config=PLOT_CONFIG, width="100%", height=height),
                rx.box(width="100%", height=height)),
        spacing="2", width="100%"), width="100%", min_width="0", data_testid=f"chart-{chart}")


def hot_topic(topic: rx.Var) -> rx.Component:
    badge = rx.badge(topic["word"], " ", rx.text.span(topic["tickets"].to(str), color_scheme="gray"), size="2",
                     variant="surface", radius="full", data_testid="hot-topic")
    return rx.cond(S.can_open_tickets, rx.link(badge, href=topic["href"].to(str), underline="none"), badge)


def hot_topics_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(t("dashboard.chart.hot_topics"), size="3", weight="medium"), rx.spacer(),
                  download_buttons("hot_topics"), align="center", width="100%"),
        rx.text(t("dashboard.hot_topics_hint"), rx.cond(S.can_open_tickets, rx.fragment(" · ", t("dashboard.click_hint"))),
                size="1", color_scheme="gray"),
        rx.cond(S.hot_topics.length() > 0,
                rx.flex(rx.foreach(S.hot_topics, hot_topic), wrap="wrap", gap="8px"),
                rx.text(t("dashboard.empty"), size="2", color_scheme="gray")),
        spacing="2", width="100%"), width="100%", min_width="0", data_testid="chart-hot_topics")


def warnings_card() -> rx.Component:
    header = ("dashboard.col.community", "dashboard.col.building", "dashboard.col.category", "dashboard.col.tickets",
              "dashboard.col.threshold", "dashboard.col.tickets_link")
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(t("dashboard.chart.warnings"), size="3", weight="medium"), rx.spacer(),
                  download_buttons("warnings"), align="center", width="100%"),
        rx.text(t("dashboard.warnings_hint"), size="1", color_scheme="gray"),
        rx.cond(S.warnings.length() > 0,
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(key)) for key in header])),
                    rx.table.body(rx.foreach(S.warnings, lambda w: rx.table.row(
                        rx.table.cell(w["community"]), rx.table.cell(w["building"]), rx.table.cell(w["category"]),
                        rx.table.cell(rx.badge(w["tickets"].to(str), color_scheme="red")),
                        rx.table.cell(w["threshold"].to(str)),
                        rx.table.cell(rx.cond(S.can_open_tickets,
                                              rx.link(t("dashboard.open_tickets"), href=w["href"].to(str)), "–")),
                        data_testid="warning-row"))),
                    size="1", width="100%"),
                rx.text(t("dashboard.no_warnings"), size="2", color_scheme="gray")),
        spacing="2", width="100%"), width="100%", min_width="0", data_testid="chart-warnings")


def card_heading(chart: str) -> rx.Component:
    return rx.hstack(rx.heading(t(f"dashboard.chart.{chart}"), size="3", weight="medium"), rx.spacer(),
                     download_buttons(chart), align="center", width="100%")


def feedback_channels_card() -> rx.Component:
    """Channel × top-level category; the last row and column are totals."""
    def cell(value: rx.Var) -> rx.Component:
        return rx.table.cell(value, text_align="right")

    return rx.card(rx.vstack(
        card_heading("feedback_channels"),
        rx.table.root(
            rx.table.header(rx.table.row(rx.foreach(S.feedback_header, rx.table.column_header_cell))),
            rx.table.body(rx.foreach(S.feedback_rows, lambda row: rx.table.row(
                rx.table.row_header_cell(row[0]), rx.foreach(row[1:], cell), data_testid="feedback-channel-row"))),
            size="1", width="100%"),
        spacing="2", width="100%"), width="100%", min_width="0", overflow_x="auto", data_testid="chart-feedback_channels")


def feedback_issues_card() -> rx.Component:
    header = ("dashboard.col.rank", "dashboard.col.word", "dashboard.col.tickets", "dashboard.col.suggestions",
              "dashboard.col.total")
    return rx.card(rx.vstack(
        card_heading("feedback_issues"),
        rx.text(t("dashboard.feedback.issues_hint"), size="1", color_scheme="gray"),
        rx.cond(S.feedback_issues.length() > 0,
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(key)) for key in header])),
                    rx.table.body(rx.foreach(S.feedback_issues, lambda issue, n: rx.table.row(
                        rx.table.cell((n + 1).to(str)), rx.table.cell(issue["word"]),
                        rx.table.cell(issue["tickets"].to(str)), rx.table.cell(issue["suggestions"].to(str)),
                        rx.table.cell(rx.badge(issue["count"].to(str), variant="soft")),
                        data_testid="feedback-issue"))),
                    size="1", width="100%"),
                rx.text(t("dashboard.empty"), size="2", color_scheme="gray")),
        spacing="2", width="100%"), width="100%", min_width="0", data_testid="chart-feedback_issues")


def feedback_section() -> rx.Component:
    """业主反馈统计: tickets registered and suggestions received, per day and channel, and what they are about."""
    counts = S.feedback_counts
    return rx.vstack(
        rx.hstack(
            rx.heading(t("dashboard.feedback.title"), size="4", weight="medium"),
            rx.text(t("dashboard.feedback.total"), " ", counts["total"].to(str), " · ", t("dashboard.feedback.tickets"),
                    " ", counts["tickets"].to(str), " · ", t("dashboard.feedback.suggestions"), " ",
                    counts["suggestions"].to(str), size="2", color_scheme="gray", data_testid="feedback-counts"),
            align="baseline", spacing="3", wrap="wrap", padding_top="8px"),
        rx.text(t("dashboard.feedback.hint"), size="1", color_scheme="gray"),
        two_columns(chart_card("feedback_daily", S.figures["feedback_daily"].to(go.Figure)), feedback_issues_card()),
        feedback_channels_card(),
        spacing="3", width="100%", data_testid="feedback-section")


def groups_card() -> rx.Component:
    """VIP groups (README, "VIP group score"): members as a share of VIP owners, the median hours to answer a
    question raised in the group, violations confirmed per 100 members, in the period."""
    header = ("dashboard.groups.group", "dashboard.groups.members", "dashboard.groups.vip_owners",
              "dashboard.groups.coverage", "dashboard.groups.response_hours", "dashboard.groups.violations_per_100")
    keys = ("group", "members", "vip_owners", "coverage", "response_hours", "violations_per_100")
    return rx.cond(S.group_rows.length() > 0, rx.card(rx.vstack(
        rx.heading(t("dashboard.groups.title"), size="3", weight="medium"),
        rx.text(t("dashboard.groups.hint"), size="1", color_scheme="gray"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(key)) for key in header])),
            rx.table.body(rx.foreach(S.group_rows, lambda row: rx.table.row(
                *[rx.table.cell(row[key]) for key in keys], data_testid="group-score-row"))),
            size="1", width="100%"),
        spacing="2", width="100%"), width="100%", min_width="0", overflow_x="auto", data_testid="chart-groups"))


def filters() -> rx.Component:
    return filter_bar(
        S,
        rx.select.root(
            rx.select.trigger(min_width="140px", data_testid="dashboard-period"),
            rx.select.content(*[rx.select.item(t(f"dashboard.period.{key}"), value=key) for key in PERIOD_KEYS]),
            value=S.filters["period"].to(str), on_change=lambda value: S.set_filter("period", value)),
        pick(S, "community", "tickets.all_communities", testid="dashboard-community"),
        rx.text(S.period_text, size="2", color_scheme="gray", data_testid="dashboard-range"),
        rx.text(t("dashboard.yoy_hint"), size="1", color_scheme="gray"),
        reset=False)


def language_follower() -> rx.Component:
    """One branch per language, so each language switch mounts a new one: the figures follow the reader."""
    def branch(language: str) -> rx.Component:
        return rx.fragment(key=language, on_mount=S.follow_language)

    return rx.match(S.lang, *[(language, branch(language)) for language in LANGUAGES[1:]], branch(LANGUAGES[0]))


def two_columns(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%")


def dashboard_page() -> rx.Component:
    return rx.fragment(
        rx.vstack(
            language_follower(),
            filters(),
            rx.grid(rx.foreach(S.cards, kpi_card), columns=rx.breakpoints(initial="2", sm="3", xl="5"), spacing="3",
                    width="100%"),
            two_columns(
                chart_card("volume", S.figures["volume"].to(go.Figure)),
                chart_card("complaints", S.figures["complaints"].to(go.Figure)),
                chart_card("sla", S.figures["sla"].to(go.Figure)),
                chart_card("resolve_time", S.figures["resolve_time"].to(go.Figure)),
                chart_card("callbacks", S.figures["callbacks"].to(go.Figure)),
                chart_card("valid_complaints", S.figures["valid_complaints"].to(go.Figure),
                           rx.text(t("dashboard.households_hint"), size="1", color_scheme="gray")),
                chart_card("repeats", S.figures["repeats"].to(go.Figure)),
                chart_card("arrears", S.figures["arrears"].to(go.Figure)),
                hot_topics_card(),
                warnings_card(),
            ),
            feedback_section(),
            groups_card(),
            rx.heading(t("dashboard.satisfaction"), size="4", weight="medium", padding_top="8px"),
            rx.cond(S.has_satisfaction,
                    two_columns(chart_card("satisfaction_trend", S.figures["satisfaction_trend"].to(go.Figure)),
                                chart_card("satisfaction_indicators", S.figures["satisfaction_indicators"].to(go.Figure)),
                                chart_card("satisfaction_matrix", S.figures["satisfaction_matrix"].to(go.Figure),
                                           height=S.matrix_height)),
                    notice(t("dashboard.no_surveys"), icon="smile", color_scheme="gray")),
            spacing="4", width="100%"),
    )
