"""The KPI cards above the charts: value, target and whether the target is met, as display text. The values
are the report's figures (``kpis.dashboard(...)["report"]``): the numbers ``kpi-report`` prints."""

from __future__ import annotations

from pm_admin.core.i18n import translate

CARD_KEYS = ("created", "callback_rate", "repair_callback_rate", "valid_complaint_rate", "complaint_change", "sla",
             "mean_resolve", "repeat_rate", "rework_rate", "reopen_rate", "arrears_coverage", "satisfaction_index")


def _percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def _verdict(value: float | None, good) -> str:
    """met | missed | none (no figure, or no target)."""
    if value is None or good is None:
        return "none"
    return "met" if good(value) else "missed"


def kpi_cards(data: dict, language: str) -> list[dict[str, str]]:
    """One dict per card: label key, value, a note (target or what stands beside the figure), verdict, test id."""
    def card(key: str, value: str, target: str = "", verdict: str = "none") -> dict[str, str]:
        return {"key": f"dashboard.card.{key}", "value": value, "target": target, "verdict": verdict,
                "testid": f"kpi-{key}"}

    report, tr = data["report"], lambda key, **params: translate(key, language, **params)
    target = tr("dashboard.target")
    value = {name: figure["value"] for name, figure in report.items()}
    callbacks, valid, complaints = data["callbacks"], data["valid_complaints"], data["complaints"]
    change, arrears = value["complaint_rate_change"], data["arrears"]
    index = value["satisfaction_index"]
    return [
        card("created", f"{report['tickets_registered']['value']:,}"),
        card("callback_rate", _percent(value["callback_rate"]),
             f"{target} {callbacks['target']:.0f}% · " + tr("dashboard.unreachable", count=callbacks["unreachable"]),
             _verdict(value["callback_rate"], lambda v: 100 * v >= callbacks["target"])),
        card("repair_callback_rate", _percent(value["repair_callback_rate"]), f"{target} 100%",
             _verdict(value["repair_callback_rate"], lambda v: v >= 1)),
        card("valid_complaint_rate", _percent(value["valid_complaint_rate"], 2),
             f"{target} ≤ {valid['target']:.0f}% · " + tr("dashboard.undecided", count=valid["undecided"]),
             _verdict(value["valid_complaint_rate"], lambda v: 100 * v <= valid["target"])),
        card("complaint_change", "–" if change is None else f"{100 * change:+.1f}%",
             f"{target} ≤ {complaints['target']:.0f}%"
             if complaints["comparable"] else tr("dashboard.no_comparison"),
             _verdict(change, lambda v: 100 * v <= complaints["target"])),
        card("sla", _percent(value["sla_compliance"])),
        card("mean_resolve", "–" if value["mean_hours_to_resolve"] is None else
             f"{value['mean_hours_to_resolve']:.1f} h"),
        card("repeat_rate", _percent(value["repeat_complaint_rate"])),
        card("rework_rate", _percent(value["rework_rate"])),
        card("reopen_rate", _percent(value["reopen_rate"])),
        card("arrears_coverage", _percent(value["arrears_coverage"]),
             f"{target} {arrears['target']:.0f}% · " + tr("dashboard.arrears_split", due=arrears["due"],
                                                           overdue=arrears["overdue"]),
             _verdict(value["arrears_coverage"], lambda v: 100 * v >= arrears["target"])),
        card("satisfaction_index", "–" if index is None else f"{index:.1f}"),
    ]
