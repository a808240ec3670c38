"""The sections of a monthly report, in the order the report prints them."""

from __future__ import annotations

from pm_admin.reports import actions, field_sections, kpi_sections
from pm_admin.reports.sections import Section

SECTIONS: tuple[Section, ...] = (*kpi_sections.SECTIONS, *field_sections.SECTIONS, kpi_sections.TOP_ISSUES,
                                 actions.SECTION)
BY_KEY = {section.key: section for section in SECTIONS}


def sections_of(figures: dict) -> list[tuple[Section, object]]:
    """The sections a stored report holds, with their data, in print order (a section added after the report was
    generated is not in it)."""
    stored = figures.get("sections", {})
    return [(section, stored[section.key]) for section in SECTIONS if section.key in stored]
