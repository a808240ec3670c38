"""Plotly figures of the dashboard, built from ``kpis.dashboard`` data (no Reflex here).

Every figure uses a CJK font stack so Chinese labels render on servers and browsers without Microsoft fonts,
and shows its values on hover.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go

from pm_admin.core.i18n import translate
from pm_admin.dashboards.axes import bucket_labels

FONT_FAMILY = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'
HEIGHT = 300
TARGET_COLOR = "#e5484d"
TIME_TICKS = 5
PALETTE = ("#3e63dd", "#30a46c", "#f76b15", "#8e4ec6", "#12a594", "#e54666", "#ffc53d")


def styled(figure: go.Figure, *, percent_axis: bool = False, legend: bool = True) -> go.Figure:
    figure.update_layout(
        font={"family": FONT_FAMILY, "size": 12}, height=HEIGHT, margin={"l": 48, "r": 16, "t": 12, "b": 36},
        showlegend=legend, legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT_FAMILY}}, paper_bgcolor="rgba(0,0,0,0)", colorway=list(PALETTE),
        separators=".,",
    )
    if percent_axis:
        figure.update_yaxes(ticksuffix="%", rangemode="tozero")
    return figure


def _target_line(figure: go.Figure, value: float, label: str) -> None:
    figure.add_hline(y=value, line={"color": TARGET_COLOR, "dash": "dash", "width": 1.5},
                     annotation={"text": label, "font": {"color": TARGET_COLOR, "family": FONT_FAMILY},
                                 "xanchor": "right", "x": 1, "yanchor": "bottom",
                                 "bgcolor": "rgba(255,255,255,0.85)"})


def time_axis(figure: go.Figure) -> go.Figure:
    """Buckets (days or months) as categories in the order given, labelled by ``axes``: a date axis would
    invent ticks between them. At most ``TIME_TICKS`` labels stand level under a half-width chart (every 3rd
    month of 12, every 7th day of 31); the hover names every bucket."""
    figure.update_xaxes(type="category", nticks=TIME_TICKS)
    return figure


def volume(data: dict, language: str) -> go.Figure:
    v = data["volume"]
    buckets = bucket_labels(v["buckets"], language)
    figure = go.Figure([go.Bar(x=buckets, y=s["counts"], name=s["name"],
                               hovertemplate="%{x}<br>%{fullData.name}: %{y}<extra></extra>") for s in v["series"]])
    figure.update_layout(barmode="stack", hovermode="x unified")
    return styled(time_axis(figure))


def sla(data: dict, language: str) -> go.Figure:
    tiers = data["sla"]["tiers"]
    met = translate("dashboard.hover.met", language)
    figure = go.Figure(go.Bar(
        x=[t["label"] for t in tiers], y=[t["percent"] or 0 for t in tiers],
        customdata=[[t["met"], t["resolved"]] for t in tiers], marker_color=[PALETTE[5], PALETTE[2], PALETTE[0]],
        text=[f"{t['percent']:.1f}%" if t["percent"] is not None else "–" for t in tiers], textposition="auto",
        hovertemplate="%{x}: %{y:.1f}%<br>" + met + " %{customdata[0]} / %{customdata[1]}<extra></extra>"))
    figure.update_yaxes(range=[0, 105])
    return styled(figure, percent_axis=True, legend=False)


def resolve_time(data: dict, language: str) -> go.Figure:
    r = data["resolve_time"]
    figure = go.Figure(go.Bar(x=[b["label"] for b in r["buckets"]], y=[b["count"] for b in r["buckets"]],
                              marker_color=PALETTE[0], hovertemplate="%{x}: %{y}<extra></extra>"))
    return styled(figure, legend=False)


def _month_labels(months: list[dict], language: str) -> list[str]:
    return bucket_labels([m["month"] for m in months], language)


def callbacks(data: dict, language: str) -> go.Figure:
    c = data["callbacks"]
    months = c["months"]
    figure = go.Figure(go.Bar(
        x=_month_labels(months, language), y=[m["percent"] for m in months],
        name=translate("dashboard.series.callback_rate", language),
        customdata=[[m["reached"], m["due"]] for m in months], marker_color=PALETTE[1],
        hovertemplate="%{x}: %{y:.1f}%<br>%{customdata[0]} / %{customdata[1]}<extra></extra>"))
    _target_line(figure, c["target"], translate("dashboard.target", language) + f" {c['target']:.0f}%")
    figure.update_yaxes(range=[0, 110])
    return styled(time_axis(figure), percent_axis=True, legend=False)


def valid_complaints(data: dict, language: str) -> go.Figure:
    v = data["valid_complaints"]
    months = v["months"]
    figure = go.Figure(go.Bar(
        x=_month_labels(months, language), y=[m["percent"] for m in months], marker_color=PALETTE[2],
        customdata=[[m["valid"], v["households"]] for m in months],
        name=translate("dashboard.series.valid_rate", language),
        hovertemplate="%{x}: %{y:.2f}%<br>%{customdata[0]} / %{customdata[1]}<extra></extra>"))
    _target_line(figure, v["target"], translate("dashboard.target", language) + f" ≤{v['target']:.0f}%")
    return styled(time_axis(figure), percent_axis=True, legend=False)


def complaints(data: dict, language: str) -> go.Figure:
    """This period's complaints per month; last year's and the target (last year − 20 %) beside them only when
    the comparison is given (``comparable``), as on the card: a half-recorded year draws no bars."""
    c = data["complaints"]
    months = _month_labels(c["months"], language)
    hover = "%{x}: %{y}<extra>%{fullData.name}</extra>"
    this_period = go.Bar(x=months, y=[m["complaints"] for m in c["months"]], marker_color=PALETTE[5],
                         name=translate("dashboard.series.this_period", language), hovertemplate=hover)
    if not c["comparable"]:
        figure = go.Figure(this_period)
        figure.add_annotation(text=translate("dashboard.no_comparison", language), showarrow=False,
                              xref="paper", yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom",
                              font={"color": "#80838d", "family": FONT_FAMILY})  # level with the legend
        return styled(time_axis(figure))
    factor = 1 + c["target"] / 100
    figure = go.Figure([
        go.Bar(x=months, y=[m["last_year"] for m in c["months"]], name=translate("dashboard.series.last_year", language),
               marker_color="#b9bbc6", hovertemplate=hover),
        this_period,
        go.Scatter(x=months, y=[round(m["last_year"] * factor, 1) for m in c["months"]], mode="lines+markers",
                   name=translate("dashboard.series.target_complaints", language),
                   line={"color": TARGET_COLOR, "dash": "dash"}, hovertemplate=hover),
    ])
    figure.update_layout(barmode="group", hovermode="x unified")
    return styled(time_axis(figure))


def repeats(data: dict, language: str) -> go.Figure:
    months = data["repeats"]["months"]
    x = _month_labels(months, language)
    hover = "%{x}: %{y:.2f}%<extra>%{fullData.name}</extra>"
    figure = go.Figure([
        go.Scatter(x=x, y=[m["repeat_percent"] for m in months], mode="lines+markers",
                   name=translate("dashboard.series.repeat_rate", language), hovertemplate=hover),
        go.Scatter(x=x, y=[m["rework_percent"] for m in months], mode="lines+markers",
                   name=translate("dashboard.series.rework_rate", language), hovertemplate=hover),
        go.Scatter(x=x, y=[m["reopen_percent"] for m in months], mode="lines+markers",
                   name=translate("dashboard.series.reopen_rate", language), hovertemplate=hover),
    ])
    figure.update_layout(hovermode="x unified")
    return styled(time_axis(figure), percent_axis=True)


def arrears(data: dict, language: str) -> go.Figure:
    a = data["arrears"]
    figure = go.Figure(go.Indicator(
        mode="gauge+number", value=a["percent"] if a["percent"] is not None else 0,
        number={"suffix": "%", "valueformat": ".1f", "font": {"size": 44}},
        gauge={"axis": {"range": [0, 100], "ticksuffix": "%"}, "bar": {"color": PALETTE[4]},
               "threshold": {"line": {"color": TARGET_COLOR, "width": 3}, "value": a["target"]}}))
    figure = styled(figure, legend=False)
    figure.update_layout(margin={"l": 36, "r": 44, "t": 28, "b": 8})  # room for the gauge's end labels
    return figure


def satisfaction_trend(data: dict, language: str) -> go.Figure:
    trend = data["satisfaction"]["trend"]
    responses = translate("dashboard.hover.responses", language)
    figure = go.Figure(go.Scatter(
        x=[p["label"] for p in trend], y=[p["index"] for p in trend], mode="lines+markers+text",
        text=[f"{p['index']:.1f}" if p["index"] is not None else "" for p in trend], textposition="top center",
        customdata=[p["responses"] for p in trend], line={"color": PALETTE[0]},
        hovertemplate="%{x}: %{y:.1f}<br>" + responses + " %{customdata}<extra></extra>"))
    figure.update_yaxes(range=[0, 105])
    return styled(figure, legend=False)


def satisfaction_indicators(data: dict, language: str) -> go.Figure:
    rows = data["satisfaction"]["indicators"]
    names = [i["name"] for i in rows]
    hover = "%{x}: %{y:.1f}<extra>%{fullData.name}</extra>"
    figure = go.Figure([
        go.Bar(x=names, y=[i["previous"] for i in rows], name=translate("dashboard.series.previous_period", language),
               marker_color="#b9bbc6", hovertemplate=hover),
        go.Bar(x=names, y=[i["score"] for i in rows], name=translate("dashboard.series.latest_period", language),
               marker_color=PALETTE[0], hovertemplate=hover),
    ])
    figure.update_layout(barmode="group")
    figure.update_yaxes(range=[0, 105])
    return styled(figure)


MATRIX_ROW_HEIGHT = 20  # px per building: every row keeps its own label
MATRIX_FRAME = 80  # px of margins and the indicator labels


def satisfaction_matrix(data: dict, language: str) -> go.Figure:
    """One row per building, each labelled (a category axis would skip labels when crowded); the chart grows
    with the rows instead of squeezing them into the standard height."""
    matrix = data["satisfaction"]["matrix"]
    figure = go.Figure(go.Heatmap(
        z=matrix["scores"], x=matrix["indicators"], y=matrix["buildings"], colorscale="RdYlGn", zmin=50, zmax=100,
        hoverongaps=False, hovertemplate="%{y} · %{x}: %{z:.1f}<extra></extra>", colorbar={"thickness": 12}))
    figure.update_yaxes(type="category", autorange="reversed", dtick=1, automargin=True)
    figure = styled(figure, legend=False)
    figure.update_layout(height=max(HEIGHT, MATRIX_FRAME + MATRIX_ROW_HEIGHT * len(matrix["buildings"])))
    return figure


FEEDBACK_COLORS = {"online": PALETTE[0], "hotline": PALETTE[1], "front_desk": PALETTE[2], "suggestion_box": PALETTE[3],
                   "group": PALETTE[4], "meeting": PALETTE[5], "visit": PALETTE[6], "anonymous": "#8b8d98"}


def feedback_daily(data: dict, language: str) -> go.Figure:
    """Feedback received per Shanghai day, stacked by channel; a channel with nothing in the period is left out
    of the legend (its zeros would only add a colour)."""
    f = data["feedback"]
    days = bucket_labels(f["days"], language)
    figure = go.Figure([go.Bar(x=days, y=s["counts"], name=s["name"], marker_color=FEEDBACK_COLORS[s["channel"]],
                               hovertemplate="%{x}<br>%{fullData.name}: %{y}<extra></extra>")
                        for s in f["series"] if any(s["counts"])])
    figure.update_layout(barmode="stack", hovermode="x unified")
    return styled(time_axis(figure))


FIGURES: dict[str, Callable[[dict, str], go.Figure]] = {
    "volume": volume, "sla": sla, "resolve_time": resolve_time, "callbacks": callbacks,
    "valid_complaints": valid_complaints, "complaints": complaints, "repeats": repeats, "arrears": arrears,
    "satisfaction_trend": satisfaction_trend, "satisfaction_indicators": satisfaction_indicators,
    "satisfaction_matrix": satisfaction_matrix, "feedback_daily": feedback_daily,
}


def figures(data: dict, language: str) -> dict[str, go.Figure]:
    return {name: build(data, language) for name, build in FIGURES.items()}
