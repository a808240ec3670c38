"""The two formulas every survey figure uses (results page, owners' page, dashboard, tests). Both are exact:
a figure is rounded once, where it is shown (``shown``), never before another formula uses it."""

from __future__ import annotations

from collections.abc import Mapping

from pm_admin.surveys.models import Indicator

# Which department answers for a weak indicator (department codes seeded by the ticket desk).
DEPARTMENT_OF = {Indicator.SERVICE: "service", Indicator.REPAIR: "engineering", Indicator.CLEANING: "cleaning",
                 Indicator.GREENING: "greening", Indicator.SECURITY: "security",
                 Indicator.FACILITIES: "engineering", Indicator.COMMUNICATION: "service"}


def indicator_score(rating_sum: int, rating_count: int) -> float | None:
    """Score 0–100 of an indicator: the mean rating (1–5) mapped linearly, 1 → 0 and 5 → 100 (unrounded)."""
    if rating_count <= 0:
        return None
    return (rating_sum / rating_count - 1) / 4 * 100


def weighted_scores(scores: Mapping[str, float | None], weights: Mapping[str, int]) -> tuple[float, int]:
    """(Σ wᵢ·sᵢ, Σ wᵢ) over the indicators that have answers (a weight not set counts 1)."""
    present = [(weights.get(indicator, 1), score) for indicator, score in scores.items() if score is not None]
    return sum(weight * score for weight, score in present), sum(weight for weight, _ in present)


def satisfaction_index(scores: Mapping[str, float | None], weights: Mapping[str, int]) -> float | None:
    """Weighted mean of the indicator scores that have answers: Σ wᵢ·sᵢ / Σ wᵢ (unrounded; None without
    answers or when their weights add up to 0)."""
    numerator, denominator = weighted_scores(scores, weights)
    return numerator / denominator if denominator > 0 else None


def shown(value: float | None) -> float | None:
    """A score or index as people read it: one decimal, rounded once from the exact value."""
    return None if value is None else round(value, 1)
