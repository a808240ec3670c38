// Plotly's sources (has-hover) read Node's `global`, which Plotly's own bundles define and browsers do not.
globalThis.global ??= globalThis;
