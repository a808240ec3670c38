"""The field-work sections, read from the inspections' own figures (README, "Facility inspections"): inspections
done on time and rectifications closed by their deadline. Nothing here defines a figure."""

from __future__ import annotations

from datetime import date

from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.dashboards.figures import rate
from pm_admin.inspections.queries.figures import inspection_completion, rectifications_on_time
from pm_admin.reports.kpi_sections import figure_table
from pm_admin.reports.sections import Context, Section


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(DISPLAY_ZONE).date()


def inspections(ctx: Context) -> dict[str, dict]:
    found = inspection_completion(ctx.session, [ctx.community_id], ctx.period, today=_today(ctx))
    return {"inspection_completion": rate(found.numerator, found.denominator).as_json()}


def rectifications(ctx: Context) -> dict[str, dict]:
    found = rectifications_on_time(ctx.session, [ctx.community_id], ctx.period, today=_today(ctx))
    return {"rectifications_on_time": rate(found.numerator, found.denominator).as_json()}


SECTIONS = (Section("inspections", inspections, figure_table), Section("rectifications", rectifications, figure_table))
