// Plotly with only the trace types the dashboard draws (pm_admin/dashboards/charts.py: bar, scatter, heatmap,
// indicator), bundled from plotly.js's own sources: about a quarter of the full bundle the browser would otherwise
// download, parse and run before the first chart shows.
import "./plotly_global.js"; // first: evaluated before the Plotly modules below
import Plotly from "plotly.js/lib/core";
import bar from "plotly.js/lib/bar";
import heatmap from "plotly.js/lib/heatmap";
import indicator from "plotly.js/lib/indicator";

Plotly.register([bar, heatmap, indicator]);

export default Plotly;
