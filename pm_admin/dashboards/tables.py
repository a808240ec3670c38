"""The data behind each dashboard chart as a plain table (header + rows) for XLSX and CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pm_admin.core.i18n import translate

Table = tuple[list[str], list[list[Any]]]


def _pct(value: float | None) -> float | str:
    return round(value, 2) if value is not None else ""


def _volume(data: dict, tr) -> Table:
    volume = data["volume"]
    header = [tr("dashboard.col.day" if volume["granularity"] == "day" else "dashboard.col.month"),
              *(s["name"] for s in volume["series"]), tr("dashboard.col.total")]
    rows = []
    for n, bucket in enumerate(volume["buckets"]):
        counts = [s["counts"][n] for s in volume["series"]]
        rows.append([bucket, *counts, sum(counts)])
    return header, rows


def _sla(data: dict, tr) -> Table:
    sla = data["sla"]
    rows = [[t["label"], t["resolved"], t["met"], _pct(t["percent"])] for t in sla["tiers"]]
    rows.append([tr("dashboard.col.total"), sla["resolved"], sla["met"], _pct(sla["percent"])])
    return [tr("dashboard.col.tier"), tr("dashboard.col.resolved"), tr("dashboard.col.met"),
            tr("dashboard.col.percent")], rows


def _resolve_time(data: dict, tr) -> Table:
    spread = data["resolve_time"]
    rows = [[b["label"], b["count"]] for b in spread["buckets"]]
    rows.append([tr("dashboard.col.mean_hours"), round(spread["mean_hours"], 2) if spread["mean_hours"] else ""])
    return [tr("dashboard.col.resolve_time"), tr("dashboard.col.tickets")], rows


def _callbacks(data: dict, tr) -> Table:
    c = data["callbacks"]
    rows = [[m["month"], m["due"], m["reached"], _pct(m["percent"]), c["target"]] for m in c["months"]]
    rows.append([tr("dashboard.col.total"), c["due"], c["reached"], _pct(c["percent"]), c["target"]])
    rows.append([tr("dashboard.col.unreachable"), c["unreachable"], "", "", ""])
    return [tr("dashboard.col.due_month"), tr("dashboard.col.callbacks_due"), tr("dashboard.col.called_back"),
            tr("dashboard.col.percent"), tr("dashboard.col.target")], rows


def _valid_complaints(data: dict, tr) -> Table:
    v = data["valid_complaints"]
    rows = [[m["month"], m["valid"], v["households"], _pct(m["percent"]), v["target"]] for m in v["months"]]
    rows.append([tr("dashboard.col.total"), v["valid"], v["households"], _pct(v["percent"]), v["target"]])
    rows.append([tr("dashboard.col.undecided"), v["undecided"], "", "", ""])
    return [tr("dashboard.col.month"), tr("dashboard.col.valid_complaints"), tr("dashboard.col.households"),
            tr("dashboard.col.percent"), tr("dashboard.col.target")], rows


def _complaints(data: dict, tr) -> Table:
    c = data["complaints"]
    rows = [[m["month"], m["complaints"], m["last_year"]] for m in c["months"]]
    rows.append([tr("dashboard.col.total"), c["complaints"], c["last_year"]])
    rows.append([tr("dashboard.col.change_percent"), _pct(c["change_percent"]), c["target"]])
    return [tr("dashboard.col.month"), tr("dashboard.col.complaints"), tr("dashboard.col.last_year")], rows


def _repeats(data: dict, tr) -> Table:
    r = data["repeats"]
    columns = ("complaints", "repeats", "repeat_percent", "repairs", "reworks", "rework_percent", "created", "reopened",
               "reopen_percent")
    value = lambda row, key: _pct(row[key]) if key.endswith("_percent") else row[key]  # noqa: E731
    rows = [[m["month"], *(value(m, key) for key in columns)] for m in r["months"]]
    rows.append([tr("dashboard.col.total"), *(value(r, key) for key in columns)])
    return [tr("dashboard.col.month"), *(tr(f"dashboard.col.{key}") for key in columns)], rows


def _arrears(data: dict, tr) -> Table:
    a = data["arrears"]
    return [tr("dashboard.col.open_cases"), tr("dashboard.col.followed_up"), tr("dashboard.col.arrears_due"),
            tr("dashboard.col.overdue"), tr("dashboard.col.percent"), tr("dashboard.col.target")], \
        [[a["open_cases"], a["covered"], a["due"], a["overdue"], _pct(a["percent"]), a["target"]]]


def _hot_topics(data: dict, tr) -> Table:
    return [tr("dashboard.col.word"), tr("dashboard.col.tickets")], [[h["word"], h["tickets"]] for h in data["hot_topics"]]


def _warnings(data: dict, tr) -> Table:
    return [tr("dashboard.col.community"), tr("dashboard.col.building"), tr("dashboard.col.category"),
            tr("dashboard.col.week"), tr("dashboard.col.tickets"), tr("dashboard.col.mean"), tr("dashboard.col.sd"),
            tr("dashboard.col.threshold")], \
        [[w["community"], w["building"], w["category"], w["week"], w["tickets"], round(w["mean"], 2),
          round(w["sd"], 2), round(w["threshold"], 2)] for w in data["warnings"]]


def _satisfaction_trend(data: dict, tr) -> Table:
    return [tr("dashboard.col.survey_period"), tr("dashboard.col.satisfaction_index"), tr("dashboard.col.responses")], \
        [[p["label"], p["index"] if p["index"] is not None else "", p["responses"]] for p in data["satisfaction"]["trend"]]


def _satisfaction_indicators(data: dict, tr) -> Table:
    def score(value):
        return round(value, 2) if value is not None else ""

    return [tr("dashboard.col.indicator"), tr("dashboard.col.score"), tr("dashboard.col.previous")], \
        [[i["name"], score(i["score"]), score(i["previous"])] for i in data["satisfaction"]["indicators"]]


def _satisfaction_matrix(data: dict, tr) -> Table:
    matrix = data["satisfaction"]["matrix"]
    return [tr("dashboard.col.building"), *matrix["indicators"]], \
        [[building, *(round(s, 2) if s is not None else "" for s in scores)]
         for building, scores in zip(matrix["buildings"], matrix["scores"], strict=True)]


def _feedback_daily(data: dict, tr) -> Table:
    f = data["feedback"]
    header = [tr("dashboard.col.day"), *(s["name"] for s in f["series"]), tr("dashboard.col.total")]
    rows = []
    for n, day in enumerate(f["days"]):
        counts = [s["counts"][n] for s in f["series"]]
        rows.append([day, *counts, sum(counts)])
    totals = [sum(s["counts"]) for s in f["series"]]
    rows.append([tr("dashboard.col.total"), *totals, sum(totals)])
    return header, rows


def feedback_channel_table(data: dict, tr) -> Table:
    """Channel × top-level category, with totals (the page shows the same table)."""
    f = data["feedback"]
    header = [tr("dashboard.col.channel"), *(c["name"] for c in f["categories"]), tr("dashboard.col.total")]
    rows = [[row["name"], *row["counts"], row["total"]] for row in f["table"]]
    rows.append([tr("dashboard.col.total"), *f["category_totals"], f["total"]])
    return header, rows


def _feedback_issues(data: dict, tr) -> Table:
    return [tr("dashboard.col.rank"), tr("dashboard.col.word"), tr("dashboard.col.tickets"),
            tr("dashboard.col.suggestions"), tr("dashboard.col.total")], \
        [[n, i["word"], i["tickets"], i["suggestions"], i["count"]]
         for n, i in enumerate(data["feedback"]["top_issues"], start=1)]


TABLES: dict[str, Callable[[dict, Callable[[str], str]], Table]] = {
    "volume": _volume, "sla": _sla, "resolve_time": _resolve_time, "callbacks": _callbacks,
    "valid_complaints": _valid_complaints, "complaints": _complaints, "repeats": _repeats, "arrears": _arrears,
    "hot_topics": _hot_topics, "warnings": _warnings, "satisfaction_trend": _satisfaction_trend,
    "satisfaction_indicators": _satisfaction_indicators, "satisfaction_matrix": _satisfaction_matrix,
    "feedback_daily": _feedback_daily, "feedback_channels": feedback_channel_table, "feedback_issues": _feedback_issues,
}
CHARTS = tuple(TABLES)


def chart_table(chart: str, data: dict, language: str) -> Table:
    return TABLES[chart](data, lambda key: translate(key, language))
