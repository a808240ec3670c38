"""The two formulas every survey figure uses (results page, owners' page, dashboard, tests)."""

from __future__ import annotations

from collections.abc import Mapping

from pm_admin.surveys.models import Indicator

# Which department answers for a weak indicator (department codes seeded by the ticket desk).
DEPARTMENT_OF = {Indicator.SERVICE: "service", Indicator.REPAIR: "engineering", Indicator.CLEANING: "cleaning",
                 Indicator.GREENING: "greening", Indicator.SECURITY: "security",
                 Indicator.FACILITIES: "engineering", Indicator.COMMUNICATION: "service"}


def indicator_score(rating_sum: int, rating_count: int) -> float | None:
    """Score 0–100 of an indicator: the mean rating (1–5) mapped linearly, 1 → 0 and 5 → 100."""
    if rating_count <= 0:
        return None
    return round((rating_sum / rating_count - 1) / 4 * 100, 1)


def satisfaction_index(scores: Mapping[str, float | None], weights: Mapping[str, int]) -> float | None:
    """Weighted mean of the indicator scores that have answers: Σ wᵢ·sᵢ / Σ wᵢ."""
    present = [(weights.get(indicator, 1), score) for indicator, score in scores.items() if score is not None]
    total = sum(weight for weight, _ in present)
    if not present or total <= 0:
        return None
    return round(sum(weight * score for weight, score in present) / total, 1)
