"""One neuron over the sentence: s_t[k] after each word, with the selected step marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from rnnviz.figures.style import (
    FAINT,
    GREY,
    HIDDEN_SCALE,
    HIGHLIGHT,
    base_layout,
    clamp_step,
    esc,
    figure,
    neuron,
    s_of,
    short,
)

if TYPE_CHECKING:
    from rnnviz.trace import Trace

MAX_ALL_TICKS = 40


def neuron_figure(tr: Trace, unit: int, step: int | None = None) -> go.Figure:
    """s_t[unit] for t = 0..T (`unit` counted from 0, named neuron unit + 1), coloured on the hidden-value scale."""
    if not 0 <= int(unit) < tr.H:
        raise ValueError(f"unit must be in 0..{tr.H - 1}, got {unit}")
    t_sel = clamp_step(tr, step)
    values = tr.hidden[:, unit].astype(float)  # (T+1,)
    steps = list(range(tr.T + 1))
    words = ["(start)", *tr.labels]
    hover = [
        f"t = {t}: “{esc(w)}”<br>{s_of(t, unit)} = {v:+.3f}" if t else f"{s_of(0, unit)} = 0"
        for t, w, v in zip(steps, words, values, strict=True)
    ]
    every = max(1, tr.T // MAX_ALL_TICKS + 1)
    ticks = [t for t in steps if t % every == 0 or t == t_sel]
    data = [
        {
            "type": "scatter",
            "x": steps,
            "y": values.round(4).tolist(),
            "mode": "lines+markers",
            "line": {"color": GREY, "width": 2},
            "marker": {
                "size": 9,
                "color": values.tolist(),
                "colorscale": HIDDEN_SCALE,
                "cmin": -1,
                "cmax": 1,
                "line": {"color": GREY, "width": 1},
            },
            "customdata": [[t] for t in steps],
            "hovertext": hover,
            "hoverinfo": "text",
            "name": neuron(unit),
        },
        {
            "type": "scatter",
            "x": [t_sel],
            "y": [float(values[t_sel])],
            "mode": "markers",
            "marker": {"symbol": "circle-open", "size": 18, "color": HIGHLIGHT, "line": {"width": 3}},
            "hoverinfo": "skip",
            "name": "selected step",
        },
    ]
    layout = base_layout(
        300,
        f"{neuron(unit).capitalize()} of {tr.H}: {s_of('t', unit)} after each word",
        xaxis={
            "tickvals": ticks,
            "ticktext": [esc(short(words[t], 12)) for t in ticks],
            "range": [-0.5, tr.T + 0.5],
            "fixedrange": True,
            "showgrid": False,
            "automargin": True,
        },
        yaxis={"range": [-1.05, 1.05], "gridcolor": FAINT, "zeroline": True, "zerolinecolor": GREY, "fixedrange": True},
    )
    return figure(data, layout)
