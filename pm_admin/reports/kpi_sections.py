"""The sections read from the dashboard's figures (``dashboards.kpis``; README, "KPI definitions"): tickets by kind
and category, handling time and SLA, callbacks, complaints, satisfaction, arrears follow-ups and the top issues.
Nothing here defines a figure: each is the dashboard's, for the community and month."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from pm_admin.core.clock import local_text
from pm_admin.core.i18n import translate
from pm_admin.dashboards import kpis
from pm_admin.dashboards.complaint_kpis import month_sums
from pm_admin.dashboards.models import TicketMonthStats
from pm_admin.reports import charts
from pm_admin.reports.sections import Context, Section, Table
from pm_admin.reports.shown import category_name, fraction, number, percent, whole
from pm_admin.surveys import queries as survey_queries
from pm_admin.tickets.models import Kind, TicketCategory

KINDS = [str(k) for k in Kind]

# How each figure is printed and the target beside it (the dashboard's).
_AT_LEAST, _AT_MOST = "≥ {:.0f}%", "≤ {:.0f}%"
TARGETS = {"callback_rate": _AT_LEAST.format(kpis.CALLBACK_TARGET),
           "repair_callback_rate": _AT_LEAST.format(kpis.CALLBACK_TARGET),
           "valid_complaint_rate": _AT_MOST.format(kpis.VALID_COMPLAINT_TARGET),
           "complaint_rate_change": _AT_MOST.format(kpis.COMPLAINT_CHANGE_TARGET),
           "arrears_coverage": _AT_LEAST.format(kpis.ARREARS_COVERAGE_TARGET)}


def shown_value(name: str, figure: dict) -> str:
    """Counts (no denominator) as whole numbers, rates as percentages; hours, the index and the change their way."""
    value = figure["value"]
    if name == "mean_hours_to_resolve":
        return number(value) + ("" if value is None else " h")
    if name == "satisfaction_index":
        return number(value)
    if name == "complaint_rate_change":
        return percent(value, signed=True)
    if figure["denominator"] is None:
        return whole(value)
    return percent(value, 2 if name == "valid_complaint_rate" else 1)


def figure_table(figures: dict[str, dict], language: str) -> Table:
    """One row per figure: its name, value, numerator / denominator and target."""
    header = [translate(f"reports.col.{key}", language) for key in ("figure", "value", "basis", "target")]
    rows = [[translate(f"reports.figure.{name}", language), shown_value(name, figure),
             "" if name == "complaint_rate_change" else fraction(figure), TARGETS.get(name, "")]
            for name, figure in figures.items()]
    return Table(header, rows, [30, 14, 16, 12])


def _figures(*names: str):
    return lambda ctx: {name: ctx.kpis[name] for name in names}


# ---------------------------------------------------------------- tickets by kind and category


def tickets_by_category(ctx: Context) -> dict:
    """Tickets registered in the month per top-level category and kind (the count ``tickets_registered`` and the
    volume chart read, from the same rollup), every top-level category listed."""
    rows = month_sums(ctx.session, ctx.scope, ctx.period, TicketMonthStats.category_id, TicketMonthStats.kind,
                      sums=("created",))
    counts = {(int(category), str(kind)): int(created) for category, kind, created in rows}
    categories = ctx.session.execute(sa.select(TicketCategory.id, TicketCategory.name_zh, TicketCategory.name_en)
                                     .where(col(TicketCategory.parent_id).is_(None))
                                     .order_by(TicketCategory.sort, TicketCategory.id)).all()
    return {"kinds": KINDS, "total": sum(counts.values()),
            "categories": [{"id": i, "zh": zh, "en": en, "counts": [counts.get((i, k), 0) for k in KINDS]}
                           for i, zh, en in categories]}


def category_table(data: dict, language: str) -> Table:
    kinds = data["kinds"]
    header = [translate("reports.col.category", language), *[translate(f"tickets.kind.{k}", language) for k in kinds],
              translate("reports.col.total", language)]
    rows = [[category_name(c, language), *c["counts"], sum(c["counts"])] for c in data["categories"]]
    totals = [sum(c["counts"][n] for c in data["categories"]) for n in range(len(kinds))]
    rows.append([translate("reports.col.total", language), *totals, data["total"]])
    return Table(header, rows, [16, *[10] * len(kinds), 8])


# ---------------------------------------------------------------- the figure sections


def satisfaction(ctx: Context) -> dict:
    """The satisfaction index of the plan closed last by the month's end (the dashboard's figure), and which plan
    that was (its title only: the index is not scored again)."""
    plan = survey_queries.latest_closed_plan(ctx.session, ctx.scope, ctx.period.end)
    return {"satisfaction_index": ctx.kpis["satisfaction_index"], "plan": plan.title if plan else "",
            "closed_at": local_text(plan.closed_at if plan else None)}


def satisfaction_table(data: dict, language: str) -> Table:
    table = figure_table({"satisfaction_index": data["satisfaction_index"]}, language)
    plan = data["plan"] or translate("reports.no_closed_plan", language)
    note = f"{plan} ({data['closed_at']})" if data["closed_at"] else plan
    return Table(table.header, [*table.rows, [translate("reports.survey_plan", language), note, "", ""]], table.widths)


def top_issues(ctx: Context) -> list[dict]:
    """最常见的问题 of the owner feedback statistics (``dashboards.feedback``)."""
    return [dict(issue) for issue in ctx.dashboard["feedback"]["top_issues"]]


def top_issues_table(issues: list[dict], language: str) -> Table:
    header = [translate(f"reports.col.{key}", language) for key in ("word", "tickets", "suggestions", "total")]
    return Table(header, [[i["word"], i["tickets"], i["suggestions"], i["count"]] for i in issues], [16, 10, 10, 10])


SERVICE = ("sla_compliance", "sla_compliance_urgent", "sla_compliance_important", "sla_compliance_normal",
           "mean_hours_to_resolve", "reopen_rate", "rework_rate")

SECTIONS = (
    Section("categories", tickets_by_category, category_table, charts.category_chart),
    Section("service", _figures(*SERVICE), figure_table, charts.sla_chart),
    Section("callbacks", _figures("callback_rate", "repair_callback_rate", "callbacks_unreachable"), figure_table),
    Section("complaints", _figures("valid_complaint_rate", "complaints_undecided", "repeat_complaint_rate",
                                   "complaint_rate_change"), figure_table),
    Section("satisfaction", satisfaction, satisfaction_table),
    Section("arrears", _figures("arrears_coverage", "arrears_due", "arrears_overdue"), figure_table),
)
TOP_ISSUES = Section("top_issues", top_issues, top_issues_table)
