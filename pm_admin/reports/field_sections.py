"""The field-work sections, read from the visit programme's and the inspections' own figures (README, "Visit
programme" and "Facility inspections"): visits and their coverage, inspections done on time, rectifications closed
by their deadline. Nothing here defines a figure."""

from __future__ import annotations

from datetime import date

from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.dashboards.figures import count, rate
from pm_admin.inspections.queries.figures import inspection_completion, rectifications_on_time
from pm_admin.reports.kpi_sections import figure_table
from pm_admin.reports.sections import Context, Section
from pm_admin.visits.coverage import visit_coverage
from pm_admin.visits.models import PlanKind


def visits(ctx: Context) -> dict[str, dict]:
    """``visits.coverage.visit_coverage`` of the community for the month: task completion (overall and per kind),
    households reached ÷ households, visit records."""
    row = next(r for r in visit_coverage(ctx.session, [ctx.community_id], ctx.period).communities
               if r.key == ctx.community_id)
    figures = {"visit_completion": rate(row.tasks_done, row.tasks_total)}
    figures |= {f"visit_completion_{kind}": rate(row.done[str(kind)], row.tasks[str(kind)]) for kind in PlanKind}
    figures |= {"visit_coverage": rate(row.reached, row.households), "visits_made": count(row.visits)}
    return {name: figure.as_json() for name, figure in figures.items()}


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(DISPLAY_ZONE).date()


def inspections(ctx: Context) -> dict[str, dict]:
    found = inspection_completion(ctx.session, [ctx.community_id], ctx.period, today=_today(ctx))
    return {"inspection_completion": rate(found.numerator, found.denominator).as_json()}


def rectifications(ctx: Context) -> dict[str, dict]:
    found = rectifications_on_time(ctx.session, [ctx.community_id], ctx.period, today=_today(ctx))
    return {"rectifications_on_time": rate(found.numerator, found.denominator).as_json()}


SECTIONS = (Section("visits", visits, figure_table), Section("inspections", inspections, figure_table),
            Section("rectifications", rectifications, figure_table))
