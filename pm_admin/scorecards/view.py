"""Scorecard figures as the page shows them: a value, and the numerator / denominator it came from."""

from __future__ import annotations

from pm_admin.dashboards.figures import Figure
from pm_admin.scorecards.behind import DRILLABLE
from pm_admin.scorecards.queries import ALL_FIGURES, GROUP_FIGURES, Card

COUNTS = frozenset({"handled", "registered", "callbacks_made"})
INDICES = frozenset({"survey_index"})  # 0–100 already
MEANS = frozenset(f for f in ALL_FIGURES if f.startswith("repair_"))  # 1–5


def value_text(key: str, figure: Figure | None) -> str:
    if figure is None or figure.value is None:
        return "—"
    if key in COUNTS:
        return str(int(figure.value))
    if key in INDICES:
        return f"{figure.value:.1f}"
    if key in MEANS:
        return f"{figure.value:.2f}"
    return f"{100 * figure.value:.1f}%"


def basis_text(key: str, figure: Figure | None) -> str:
    """"35/40" for a rate, "n=12" for a mean; nothing for a count."""
    if figure is None or key in COUNTS or figure.denominator is None:
        return ""
    if key in MEANS:
        return f"n={int(figure.denominator)}"
    if key in INDICES:
        return ""
    return f"{int(figure.numerator or 0)}/{int(figure.denominator)}"


def card_row(card: Card, columns: tuple[str, ...]) -> dict[str, str]:
    """One table row: the subject, and per column its value text ("—" where the card counts nothing)."""
    row = {"subject": card.subject, "subject_id": str(card.subject_id), "name": card.name,
           "roles": ",".join(card.roles)}
    for key in columns:
        row[key] = value_text(key, card.figures.get(key))
    return row


def card_sections(card: Card) -> list[dict]:
    """The own card: per figure group, its figures with value, basis and whether the tickets behind open."""
    return [{"group": group, "figures": [
        {"key": key, "value": value_text(key, card.figures.get(key)), "basis": basis_text(key, card.figures.get(key)),
         "drill": "1" if key in DRILLABLE else ""} for key in GROUP_FIGURES[group]]}
        for group in card.groups]
