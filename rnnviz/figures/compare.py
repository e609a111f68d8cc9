"""Runs side by side. The explorer's pinned sentences: their paths through state space and their o_t curves,
where paths part (`compare_figure`; all from the same model, one hidden size; a goldfish run is one more path).
Two models reading the same sentence (the page's "Compare with"): both o_t curves in one positivity chart
(`pair_positivity_spec`) and each model's path in its own projection (`model_projection_spec`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np
import plotly.graph_objects as go

from rnnviz.contrast import contrast
from rnnviz.figures.mark import selected_ring
from rnnviz.figures.positivity import FIG_HEIGHT as POSITIVITY_HEIGHT
from rnnviz.figures.positivity import _word_strip, positivity_layout
from rnnviz.figures.projection import ProjectionOptions, projection_spec
from rnnviz.figures.space import axis_range, boundary_trace, plane_for
from rnnviz.figures.style import (
    FAINT,
    GREY,
    Spec,
    base_layout,
    clamp_step,
    esc,
    figure,
    figure_from,
    grid_axis,
    short,
    spec,
    sub,
    verdict,
)

if TYPE_CHECKING:
    from rnnviz.corpus import Corpus
    from rnnviz.trace import Trace

# Okabe-Ito, in an order whose neighbours differ most; dashes tell paths apart without colour.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
PART_TOL = 1e-5
FIG_HEIGHT = 720


def trace_name(tr: Trace, limit: int = 36) -> str:
    """Escaped legend name: the text (shortened), with 'goldfish' for a forget=True run."""
    text = esc(short(" ".join(tr.labels), limit))
    return f"{text} (goldfish)" if tr.forget else text


def parting_step(a: Trace, b: Trace) -> int:
    """The number of steps two runs share: s_0 .. s_k equal, s_{k+1} different (k = 0: apart from the first word)."""
    n = min(a.T, b.T)
    diff = np.abs(a.hidden[1 : n + 1] - b.hidden[1 : n + 1]).max(axis=1) > PART_TOL  # (n,)
    return int(np.argmax(diff)) if diff.any() else n


Parting = tuple[int, int, int]  # (i, j, k): path i leaves path j after k shared steps


def partings(traces: Sequence[Trace]) -> list[Parting]:
    """Where each run leaves the earlier run it follows longest (runs that share no step are left out)."""
    parts = []
    for i, tr in enumerate(traces):
        best = max(((parting_step(tr, traces[j]), j) for j in range(i)), default=(0, -1))
        if best[0] >= 1:
            parts.append((i, best[1], best[0]))
    return parts


def compare_figure(traces: Sequence[Trace], *, corpus: Corpus | None = None) -> go.Figure:
    """Top: every path in one plane. Bottom: every o_t curve. A star marks where a path leaves an earlier one."""
    if not traces:
        raise ValueError("pin at least one sentence to compare")
    h = traces[0].H
    if any(tr.H != h for tr in traces):
        raise ValueError("every pinned sentence must come from the same model (one hidden size)")
    plane = plane_for(traces[0], corpus)
    paths = [plane.project(tr.hidden) for tr in traces]  # each (T+1, 2)
    xr, yr = axis_range(paths, fixed=plane.kind == "neurons")
    data = [{**line, "showlegend": False} for line in boundary_trace(plane, xr, yr)]
    for i, (tr, p) in enumerate(zip(traces, paths, strict=True)):
        data += _run_traces(i, tr, p)
    parts = partings(traces)
    if parts:
        data.append(_parting_stars(traces, paths, parts))
    t_max = max(tr.T for tr in traces)
    layout = base_layout(
        FIG_HEIGHT,
        f"Compare {len(traces)} run{'s' if len(traces) != 1 else ''}: paths through state space (top), "
        f"{sub('o', 't')} (bottom)",
        showlegend=True,
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "font": {"size": 11}},
        xaxis=grid_axis(xr, plane.titles[0], anchor="y"),
        yaxis=grid_axis(yr, plane.titles[1], domain=[0.42, 1]),
        xaxis2={
            "anchor": "y2",
            "range": [0.5, t_max + 0.5],
            "dtick": 1 if t_max <= 30 else None,
            "title": {"text": "step t", "font": {"size": 11}},
            "fixedrange": True,
            "showgrid": False,
        },
        yaxis2={
            "domain": [0, 0.3],
            "range": [-0.05, 1.05],
            "tickvals": [0, 0.5, 1],
            "title": {"text": sub("o", "t"), "font": {"size": 11}},
            "gridcolor": FAINT,
            "fixedrange": True,
        },
        shapes=_half_and_parting_lines(parts),
        margin={"l": 52, "r": 12, "t": 90, "b": 40},
    )
    return figure(data, layout)


def _run_traces(i: int, tr: Trace, p: np.ndarray) -> list[dict[str, Any]]:
    """Run i's path in the plane (top) and its o_t curve (bottom), in its own colour and dash, one legend entry."""
    col, dash, name = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)], trace_name(tr)
    steps = list(range(1, tr.T + 1))
    hover = [
        f"{name}<br>t = {t}: “{esc(w)}”, {sub('o', t)} = {o:.3f}"
        for t, w, o in zip(steps, tr.labels, tr.outputs.astype(float), strict=True)
    ]
    path = {
        "type": "scatter",
        "x": p[:, 0].round(4).tolist(),
        "y": p[:, 1].round(4).tolist(),
        "mode": "lines+markers+text",
        "text": [""] + ([esc(short(w, 12)) for w in tr.labels] if tr.T <= 12 else [""] * tr.T),
        "textposition": "top center",
        "textfont": {"size": 10, "color": col},
        "line": {"color": col, "width": 2, "dash": dash},
        "marker": {"size": 7, "color": col},
        "hovertext": [f"{name}<br>{sub('s', 0)}", *hover],
        "hoverinfo": "text",
        "name": name,
        "legendgroup": f"s{i}",
        "xaxis": "x",
        "yaxis": "y",
    }
    curve = {
        "type": "scatter",
        "x": steps,
        "y": tr.outputs.astype(float).round(4).tolist(),
        "mode": "lines+markers",
        "line": {"color": col, "width": 2, "dash": dash},
        "marker": {"size": 6, "color": col},
        "hovertext": hover,
        "hoverinfo": "text",
        "name": name,
        "legendgroup": f"s{i}",
        "showlegend": False,
        "xaxis": "x2",
        "yaxis": "y2",
    }
    return [path, curve]


def _parting_stars(traces: Sequence[Trace], paths: list[np.ndarray], parts: list[Parting]) -> dict[str, Any]:
    """A star at the last state two runs share, where one leaves the other."""
    return {
        "type": "scatter",
        "x": [float(paths[j][k, 0]) for _, j, k in parts],
        "y": [float(paths[j][k, 1]) for _, j, k in parts],
        "mode": "markers",
        "marker": {"symbol": "star", "size": 16, "color": GREY, "line": {"color": "#FFFFFF", "width": 1}},
        "hovertext": [
            f"{trace_name(traces[i])} parts from {trace_name(traces[j])} after "
            f"{k} shared step{'s' if k != 1 else ''} ({sub('s', k)})"
            for i, j, k in parts
        ],
        "hoverinfo": "text",
        "name": "where two paths part",
        "xaxis": "x",
        "yaxis": "y",
    }


def _half_and_parting_lines(parts: list[Parting]) -> list[dict[str, Any]]:
    """The o = 0.5 line across the bottom plot, and a dotted line after each parting step."""
    half = {"type": "line", "xref": "x2 domain", "x0": 0, "x1": 1, "yref": "y2", "y0": 0.5, "y1": 0.5}
    dotted = {
        "type": "line",
        "xref": "x2",
        "yref": "y2",
        "y0": 0,
        "y1": 1,
        "line": {"color": GREY, "width": 1, "dash": "dot"},
    }
    return [{**half, "line": {"color": GREY, "width": 1.5, "dash": "dash"}}] + [
        {**dotted, "x0": k + 0.5, "x1": k + 0.5} for _, _, k in parts
    ]


# -- two models, one sentence ----------------------------------------------------------------------
# The model shown above keeps the main positivity view's grey line; the second model is green and dashed, with
# diamonds. Neither is blue or orange: those colours mean negative and positive everywhere on the page.
PAIR_STYLE = ((GREY, "solid", "circle"), ("#009E73", "dash", "diamond"))
GAP_COLOUR = "#444444"
PAIR_TOP = 56  # room above the plot for the legend: one row (the two models)


def pair_positivity_spec(tr: Trace, step: int | None = None, *, other: Trace, names: tuple[str, str]) -> Spec:
    """o_t of two models reading the same words, in one chart: each curve named after its model, the step where
    they differ most joined by a dotted line, step t (1..T; None = T, clamped) ringed on both curves."""
    story = contrast(tr, other, names)  # checks that both read the same words
    t_sel = clamp_step(tr, step)
    data: list[dict[str, Any]] = []
    rings = []
    for i, (run, name) in enumerate(zip((tr, other), story.names, strict=True)):
        curve, hover = _pair_curve(run, esc(name), *PAIR_STYLE[i])
        data.append(curve)
        rings.append(selected_ring((t_sel, float(run.outputs[t_sel - 1])), t_sel, hover[t_sel - 1], 18))
    t_gap = story.part
    low, high = sorted([story.outputs[0][t_gap - 1], story.outputs[1][t_gap - 1]])
    data.append(  # labelled beside the line rather than in the legend, which stays one row on a phone
        {
            "type": "scatter",
            "x": [t_gap] * 3,
            "y": [low, (low + high) / 2, high],
            "mode": "lines+text",
            "line": {"color": GAP_COLOUR, "width": 2, "dash": "dot"},
            "text": ["", "largest<br>difference", ""],
            "textposition": "middle left" if t_gap > (tr.T + 1) / 2 else "middle right",
            "textfont": {"size": 10, "color": GAP_COLOUR},
            "cliponaxis": False,
            "hovertext": [f"the readings differ most at t = {t_gap}: by {high - low:.3f}"] * 3,
            "hoverinfo": "text",
            "name": f"largest difference (t = {t_gap})",
            "showlegend": False,
        }
    )
    data += rings
    data.append(_word_strip(tr))
    title = f"Positivity so far, {esc(story.names[0])} and {esc(story.names[1])}"
    layout = positivity_layout(tr, t_sel, title, height=POSITIVITY_HEIGHT, top=PAIR_TOP, legend=True)
    return spec(data, layout)


def _pair_curve(tr: Trace, name: str, colour: str, dash: str, symbol: str) -> tuple[dict[str, Any], list[str]]:
    """One model's o_t against t in its own colour, dash and marker, each marker carrying its step; and its hover."""
    steps = list(range(1, tr.T + 1))
    outs = tr.outputs.astype(float)  # (T,)
    hover = [
        f"{name}, t = {t}: “{esc(w)}”<br>{sub('o', t)} = {o:.3f}, {verdict(o)} so far"
        for t, w, o in zip(steps, tr.labels, outs, strict=True)
    ]
    curve = {
        "type": "scatter",
        "x": steps,
        "y": outs.tolist(),
        "mode": "lines+markers",
        "line": {"color": colour, "width": 2.5, "dash": dash},
        "marker": {"symbol": symbol, "size": 9 if tr.T <= 60 else 5, "color": colour},
        "customdata": [[t] for t in steps],
        "hovertext": hover,
        "hoverinfo": "text",
        "name": name,
    }
    return curve, hover


def pair_positivity_figure(tr: Trace, step: int | None = None, *, other: Trace, names: tuple[str, str]) -> go.Figure:
    """The Plotly figure of pair_positivity_spec."""
    return figure_from(pair_positivity_spec(tr, step, other=other, names=names))


def model_projection_spec(
    tr: Trace, step: int | None = None, *, name: str, **options: Unpack[ProjectionOptions]
) -> Spec:
    """The projection view (rnnviz.figures.projection, unchanged) with the model's name in its title."""
    view = projection_spec(tr, step, **options)
    t_sel = clamp_step(tr, step)
    word = esc(short(tr.labels[t_sel - 1], 20))
    title = view["layout"]["title"]
    view["layout"]["title"] = {**title, "text": f"Projection of {esc(name)}, t = {t_sel}: “{word}”"}
    return view
