"""The dashboard's chart component: Reflex's Plotly graph on a Plotly bundle of the trace types it uses."""

from __future__ import annotations

import json

import reflex as rx
from reflex_base.utils.imports import ImportDict
from reflex_components_plotly.plotly import CREATE_PLOTLY_COMPONENT, Plotly

BUNDLE = rx.asset("plotly_bundle.js", shared=True)
rx.asset("plotly_global.js", shared=True)  # imported by the bundle, from beside it


class DashboardPlot(Plotly):
    """``rx.plotly`` loads all of Plotly (4.9 MB minified); this one loads ``plotly_bundle.js`` (scatter, bar,
    heatmap, indicator). A chart of another trace type must be registered there first."""

    tag = "DashboardPlotlyPlot"

    def add_imports(self) -> ImportDict:
        return CREATE_PLOTLY_COMPONENT

    def _get_dynamic_imports(self) -> str:
        # Plotly's megabyte is imported once a frame has been painted after the first chart mounted: the KPI
        # figures that arrive with the charts are on screen before its evaluation holds the main thread.
        return (f"let dashboardPlotly;\n"
                f"const loadDashboardPlotly = () => (dashboardPlotly ??= new Promise((painted) => "
                f"requestAnimationFrame(() => setTimeout(painted, 0)))"
                f".then(() => import({json.dumps(BUNDLE.importable_path)}))"
                f".then((mod) => createPlotlyComponent(mod.default)));\n"
                f"const {self.tag} = ClientSide(loadDashboardPlotly, {json.dumps(self.tag)})")


dashboard_plot = DashboardPlot.create
