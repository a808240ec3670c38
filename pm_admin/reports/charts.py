"""The report's charts, drawn with reportlab.graphics (vector, in the PDF's own CJK font): complaints and requests
per category, and SLA compliance per tier."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from pm_admin.core.i18n import translate
from pm_admin.reports.fonts import cjk_font
from pm_admin.reports.shown import category_name, percent
from pm_admin.tickets.models import Tier

WIDTH, HEIGHT = 170 * mm, 62 * mm
PALETTE = (colors.HexColor("#2f6fb0"), colors.HexColor("#e39b2d"), colors.HexColor("#5aa469"), colors.HexColor("#9a9a9a"))
CHARTED_KINDS = ("complaint", "request")  # the seed's 投诉 and 诉求 (every kind is in the table beside it)
TIERS = [str(t) for t in Tier]


def _bars(data: list[list[float]], labels: list[str], *, value_max: float | None,
          shown: list[list[str]]) -> VerticalBarChart:
    """Bars of ``data`` (one list per series), each labelled with its text in ``shown``."""
    font = cjk_font()
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 14 * mm, 12 * mm, WIDTH - 20 * mm, HEIGHT - 24 * mm
    chart.data = data
    chart.categoryAxis.categoryNames = [_two_lines(label) for label in labels]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max([value for series in data for value in series] + [0])
    chart.valueAxis.valueMax = value_max if value_max is not None else max(4, top * 1.2)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.barSpacing, chart.groupSpacing = 1, 8
    chart.barLabelFormat, chart.barLabelArray = "values", shown
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    for n in range(len(data)):
        chart.bars[n].fillColor = PALETTE[n % len(PALETTE)]
        chart.bars[n].strokeColor = None
    return chart


def _two_lines(label: str, longest: int = 14) -> str:
    """A long English category name on two lines under its bars (Chinese names are short)."""
    words = label.split()
    if len(label) <= longest or len(words) < 2:
        return label
    cut = min(range(1, len(words)), key=lambda n: abs(len(" ".join(words[:n])) - len(label) / 2))
    return " ".join(words[:cut]) + "\n" + " ".join(words[cut:])


def _title(drawing: Drawing, text: str) -> None:
    drawing.add(String(0, HEIGHT - 6 * mm, text, fontName=cjk_font(), fontSize=10))


def _legend(drawing: Drawing, names: list[str]) -> None:
    legend = Legend()
    legend.x, legend.y = WIDTH - 50 * mm, HEIGHT - 4 * mm
    legend.fontName, legend.fontSize = cjk_font(), 8
    legend.columnMaximum, legend.dx, legend.dy, legend.deltax = 1, 6, 6, 60
    legend.alignment = "right"
    legend.colorNamePairs = [(PALETTE[n], name) for n, name in enumerate(names)]
    drawing.add(legend)


def category_chart(data: dict, language: str) -> Drawing:
    """Bars of complaints and requests registered per top-level category."""
    kinds = data["kinds"]
    series = [[c["counts"][kinds.index(kind)] for c in data["categories"]] for kind in CHARTED_KINDS]
    labels = [category_name(c, language) for c in data["categories"]]
    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(_bars(series, labels, value_max=None, shown=[[str(v) for v in values] for values in series]))
    _title(drawing, translate("reports.chart.categories", language))
    _legend(drawing, [translate(f"tickets.kind.{kind}", language) for kind in CHARTED_KINDS])
    return drawing


def sla_chart(figures: dict, language: str) -> Drawing:
    """SLA compliance per tier and overall, in percent (a tier with nothing resolved shows no bar)."""
    names = [*(f"sla_compliance_{tier}" for tier in TIERS), "sla_compliance"]
    values = [figures[name]["value"] for name in names]
    labels = [translate(f"tickets.tier.{tier}", language) for tier in TIERS] + [translate("reports.all_tiers", language)]
    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(_bars([[0 if v is None else 100 * v for v in values]], labels, value_max=100,
                      shown=[[percent(v, 0) for v in values]]))
    _title(drawing, translate("reports.chart.sla", language))
    return drawing
