"""The dashboard's Plotly figures, built from hand-made KPI data: time axes are labelled categories, the
year-on-year chart says what its card says, the building heatmap keeps every row."""

import pytest

from pm_admin.dashboards import charts
from pm_admin.dashboards.cards import kpi_cards
from pm_admin.dashboards.kpis import REPORT_NAMES
from pm_admin.dashboards.view import lean

MONTHS = ["2025-11", "2025-12"]
DAYS = ["2025-12-01", "2025-12-02", "2025-12-03"]
TIME_CHARTS = ("volume", "callbacks", "valid_complaints", "complaints", "repeats", "feedback_daily")


def dashboard_data(*, comparable: bool = True, buildings: list[str] | None = None) -> dict:
    """The shape of ``kpis.dashboard`` for ``this_month`` on 3 Dec 2025 (volume per day, the rest per month)."""
    buildings = buildings if buildings is not None else ["1栋", "2栋"]
    return {
        "period": {"key": "this_month", "start": "2025-12-01", "end": "2025-12-03"},
        "volume": {"granularity": "day", "buckets": DAYS, "total": 9,
                   "series": [{"category_id": 1, "name": "设施设备", "counts": [2, 3, 4]}]},
        "sla": {"tiers": [{"tier": t, "label": t, "resolved": 4, "met": 3, "percent": 75.0}
                          for t in ("urgent", "important", "normal")], "resolved": 12, "met": 9, "percent": 75.0},
        "resolve_time": {"buckets": [{"key": "ttr_lt_1h", "label": "1 小时内", "count": 5}], "resolved": 5,
                         "mean_hours": 0.5},
        "callbacks": {"due": 10, "reached": 9, "percent": 90.0, "target": 100.0, "unreachable": 1,
                      "months": [{"month": m, "due": 5, "reached": 4, "percent": 80.0} for m in MONTHS]},
        "valid_complaints": {"valid": 2, "households": 100, "percent": 2.0, "target": 1.0, "undecided": 1,
                             "months": [{"month": m, "valid": 1, "percent": 1.0} for m in MONTHS]},
        "complaints": {"complaints": 6, "last_year": 8, "change_percent": -25.0 if comparable else None,
                       "comparable": comparable, "target": -20.0,
                       "months": [{"month": m, "complaints": 3, "last_year": 4} for m in MONTHS]},
        "repeats": {"created": 20, "repeats": 1, "reopened": 2, "repeat_percent": 5.0, "reopen_percent": 10.0,
                    "months": [{"month": m, "created": 10, "repeats": 0, "reopened": 1, "repeat_percent": 0.0,
                                "rework_percent": 5.0, "reopen_percent": 10.0} for m in MONTHS]},
        "arrears": {"open_cases": 4, "covered": 3, "due": 0, "overdue": 1, "percent": 75.0, "target": 100.0},
        "hot_topics": [], "warnings": [],
        "satisfaction": {
            "trend": [{"period": "2025-h2", "label": "2025年下半年", "index": 80.0, "responses": 30}],
            "indicators": [{"indicator": "service", "name": "客服", "score": 80.0, "previous": 75.0}],
            "matrix": {"buildings": buildings, "indicators": ["客服", "维修"],
                       "scores": [[70.0 + n % 30, None] for n in range(len(buildings))]},
        },
        "feedback": {"days": DAYS, "total": 5, "tickets": 4, "suggestions": 1, "top_issues": [],
                     "series": [{"channel": "online", "name": "线上/业主端", "counts": [1, 0, 2]},
                                {"channel": "hotline", "name": "热线", "counts": [0, 0, 0]},
                                {"channel": "suggestion_box", "name": "意见箱", "counts": [0, 2, 0]}],
                     "categories": [{"id": 1, "name": "设施设备"}], "category_totals": [5],
                     "table": [{"channel": "online", "name": "线上/业主端", "counts": [3], "total": 3}]},
        "report": {**{name: {"value": 0.5, "numerator": 1, "denominator": 2} for name in REPORT_NAMES},
                   "tickets_registered": {"value": 9, "numerator": 9, "denominator": None},
                   "complaint_rate_change": {"value": -0.25 if comparable else None, "numerator": 0.06,
                                             "denominator": 0.08 if comparable else None}},
    }


@pytest.mark.parametrize("chart", TIME_CHARTS)
@pytest.mark.parametrize(("language", "days", "months"), [
    ("zh-CN", ["12月1日", "12月2日", "12月3日"], ["2025年11月", "2025年12月"]),
    ("en", ["Dec 1", "Dec 2", "Dec 3"], ["Nov 2025", "Dec 2025"]),
])
def test_time_charts_draw_labelled_categories_not_a_date_axis(chart, language, days, months):
    figure = charts.figures(dashboard_data(), language)[chart]
    assert figure.layout.xaxis.type == "category"
    for trace in figure.data:
        assert list(trace.x) == (days if chart in ("volume", "feedback_daily") else months)


def complaint_card(data: dict) -> dict:
    return next(card for card in kpi_cards(data, "zh-CN") if card["key"] == "dashboard.card.complaint_change")


def test_without_a_full_last_year_neither_the_card_nor_the_chart_compares():
    data = dashboard_data(comparable=False)  # last year's counts exist, but only part of the year was recorded
    figure = charts.complaints(data, "zh-CN")
    assert complaint_card(data)["target"] == "去年同期无完整数据"
    assert [trace.name for trace in figure.data] == ["本期"]
    assert [note.text for note in figure.layout.annotations] == ["去年同期无完整数据"]


def test_with_a_full_last_year_the_chart_draws_it_and_its_target():
    data = dashboard_data(comparable=True)
    figure = charts.complaints(data, "zh-CN")
    assert complaint_card(data)["target"] == "目标 ≤ -20%"
    assert [trace.name for trace in figure.data] == ["去年同期", "本期", "目标（去年 −20%）"]
    assert list(figure.data[0].y) == [4, 4]
    assert list(figure.data[2].y) == [3.2, 3.2]


def test_the_heatmap_labels_every_building_row_however_many():
    buildings = [f"{n}栋" for n in range(1, 41)]
    figure = charts.satisfaction_matrix(dashboard_data(buildings=buildings), "zh-CN")
    assert list(figure.data[0].y) == buildings
    assert figure.layout.yaxis.type == "category" and figure.layout.yaxis.dtick == 1  # no label skipped
    assert figure.layout.height >= 40 * charts.MATRIX_ROW_HEIGHT  # rows keep room for their labels


def test_a_small_heatmap_keeps_the_standard_height():
    figure = charts.satisfaction_matrix(dashboard_data(buildings=["1栋", "2栋"]), "zh-CN")
    assert figure.layout.height == charts.HEIGHT


def test_the_feedback_chart_stacks_the_channels_that_had_feedback():
    figure = charts.figures(dashboard_data(), "zh-CN")["feedback_daily"]
    assert figure.layout.barmode == "stack"
    assert [(trace.name, list(trace.y)) for trace in figure.data] == [("线上/业主端", [1, 0, 2]), ("意见箱", [0, 2, 0])]
    assert "template" not in lean(figure)["layout"]
