"""The KPI cards above the charts: value, target and whether the target is met, as display text."""

from __future__ import annotations

from pm_admin.core.i18n import translate

CARD_KEYS = ("created", "callback_rate", "valid_complaint_rate", "complaint_change", "sla", "mean_resolve",
             "repeat_rate", "reopen_rate", "arrears_coverage")


def _percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}%"


def _verdict(value: float | None, good) -> str:
    """met | missed | none (no figure, or no target)."""
    if value is None or good is None:
        return "none"
    return "met" if good(value) else "missed"


def kpi_cards(data: dict, language: str) -> list[dict[str, str]]:
    """One dict per card: label key, value, target text, verdict and test id."""
    def card(key: str, value: str, target: str = "", verdict: str = "none") -> dict[str, str]:
        return {"key": f"dashboard.card.{key}", "value": value, "target": target, "verdict": verdict,
                "testid": f"kpi-{key}"}

    target = translate("dashboard.target", language)
    callbacks, valid, complaints = data["callbacks"], data["valid_complaints"], data["complaints"]
    sla, spread, repeats, arrears = data["sla"], data["resolve_time"], data["repeats"], data["arrears"]
    change = complaints["change_percent"]
    return [
        card("created", f"{data['volume']['total']:,}"),
        card("callback_rate", _percent(callbacks["percent"]), f"{target} {callbacks['target']:.0f}%",
             _verdict(callbacks["percent"], lambda v: v >= callbacks["target"])),
        card("valid_complaint_rate", _percent(valid["percent"], 2), f"{target} ≤ {valid['target']:.0f}%",
             _verdict(valid["percent"], lambda v: v <= valid["target"])),
        card("complaint_change", "–" if change is None else f"{change:+.1f}%",
             f"{target} ≤ {complaints['target']:.0f}%"
             if complaints["comparable"] else translate("dashboard.no_comparison", language),
             _verdict(change, lambda v: v <= complaints["target"])),
        card("sla", _percent(sla["percent"])),
        card("mean_resolve", "–" if spread["mean_hours"] is None else f"{spread['mean_hours']:.1f} h"),
        card("repeat_rate", _percent(repeats["repeat_percent"])),
        card("reopen_rate", _percent(repeats["reopen_percent"])),
        card("arrears_coverage", _percent(arrears["percent"]), f"{target} {arrears['target']:.0f}%",
             _verdict(arrears["percent"], lambda v: v >= arrears["target"])),
    ]
