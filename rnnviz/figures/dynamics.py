"""The dynamics view: the sentence's path among the update's fixed points, slow points and flow.

`fixed_points` and `flow` come from rnnviz.analysis (FixedPoints, Flow: plain numpy fields); this module
reads their arrays and rnnviz.dynamics's numpy summaries (a line is called a line attractor only when
converged fixed points lie on it), so it never imports torch. Word points carry `customdata` [[t]] like the
projection view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from rnnviz.dynamics import line_of, time_constant
from rnnviz.figures.mark import line_trace, s0_marker, selected_ring, step_hover, step_points, word_labels
from rnnviz.figures.space import Plane, axis_range, boundary_trace, corpus_traces, plane_for
from rnnviz.figures.style import (
    GREY,
    base_layout,
    clamp_step,
    esc,
    figure,
    grid_axis,
    legend_row,
    short,
    verdict,
)

if TYPE_CHECKING:
    from rnnviz.analysis import FixedPoints, Flow, LineFit
    from rnnviz.corpus import Corpus
    from rnnviz.trace import Trace

FIXED = "#009E73"  # Okabe-Ito bluish green: fixed points and their line, apart from the sentiment colours
FIG_HEIGHT = 480
LABEL_AROUND = 3  # words labelled on each side of the selected step in a long text


def flow_traces(flow: Flow) -> list[dict[str, Any]]:
    """Arrows of F(s) - s, scaled so the longest spans 90% of a grid cell; colour-free (grey)."""
    cell = float(flow.xs[1] - flow.xs[0]) if len(flow.xs) > 1 else 1.0
    length = np.hypot(flow.dx, flow.dy)  # (n, n)
    scale = 0.9 * cell / max(float(length.max()), 1e-12)
    gx, gy = np.meshgrid(flow.xs, flow.ys)
    x0, y0 = gx.ravel(), gy.ravel()
    x1, y1 = x0 + scale * flow.dx.ravel(), y0 + scale * flow.dy.ravel()
    seg_x = np.stack([x0, x1, np.full_like(x0, np.nan)], axis=1).ravel()
    seg_y = np.stack([y0, y1, np.full_like(y0, np.nan)], axis=1).ravel()
    angle = 90.0 - np.degrees(np.arctan2(flow.dy.ravel(), flow.dx.ravel()))  # Plotly: clockwise from up
    word = esc(short(flow.word, 24))
    return [
        {
            "type": "scatter",
            "x": [None if np.isnan(v) else round(float(v), 4) for v in seg_x],
            "y": [None if np.isnan(v) else round(float(v), 4) for v in seg_y],
            "mode": "lines",
            "line": {"color": GREY, "width": 1},
            "opacity": 0.6,
            "hoverinfo": "skip",
            "name": f"flow: one step of “{word}” from each state",
            "showlegend": True,
            "connectgaps": False,
        },
        {
            "type": "scatter",
            "x": x1.round(4).tolist(),
            "y": y1.round(4).tolist(),
            "mode": "markers",
            "marker": {"symbol": "triangle-up", "size": 6, "color": GREY, "angle": angle.round(1).tolist()},
            "opacity": 0.6,
            "customdata": np.stack([x0, y0, length.ravel()], axis=1).round(3).tolist(),
            "hovertemplate": f"from (%{{customdata[0]}}, %{{customdata[1]}}) one step of “{word}” "
            "moves the state by %{customdata[2]}<extra></extra>",
            "name": "flow arrow tips",
            "showlegend": False,
        },
    ]


def fixed_point_traces(plane: Plane, fp: FixedPoints) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Stable / unstable fixed points, slow points and the line they lie on (if any), projected into the plane."""
    data: list[dict[str, Any]] = []
    if fp.K == 0:
        return data, np.zeros((0, 2))
    p = plane.project(fp.hidden)  # (K, 2)
    word = esc(short(fp.word, 24))
    line = line_of(fp)
    if line is not None:
        q = plane.project(line.points)
        data.append(
            {
                "type": "scatter",
                "x": q[:, 0].round(4).tolist(),
                "y": q[:, 1].round(4).tolist(),
                "mode": "lines",
                "line": {"color": FIXED, "width": 7},
                "opacity": 0.35,
                "hoverinfo": "skip",
                "name": line_name(line),
                "showlegend": True,
            }
        )
    groups = (
        ("stable fixed point", fp.fixed & fp.stable, "circle", 13),
        ("unstable fixed point", fp.fixed & ~fp.stable, "circle-x-open", 15),
        ("slow point (not converged: no stability)", ~fp.fixed, "diamond-open", 9),
    )
    for name, mask, symbol, size in groups:
        idx = np.flatnonzero(mask)
        if not len(idx):
            continue
        hover = [
            f"{name} for x = “{word}”<br>|F(s) − s| = {fp.speed[i]:.1e}<br>largest |eigenvalue| = {fp.radius[i]:.3f}"
            f" ({'below' if fp.radius[i] < 1 else 'above'} 1)<br>o = {fp.outputs[i]:.3f} {verdict(fp.outputs[i])}"
            + (f"<br>time constant {time_constant(float(fp.radius[i])):.0f} words" if fp.stable[i] else "")
            for i in idx
        ]
        data.append(
            {
                "type": "scatter",
                "x": p[idx, 0].round(4).tolist(),
                "y": p[idx, 1].round(4).tolist(),
                "mode": "markers",
                "marker": {"symbol": symbol, "size": size, "color": FIXED, "line": {"color": FIXED, "width": 2}},
                "hovertext": hover,
                "hoverinfo": "text",
                "name": name,
                "showlegend": True,
            }
        )
    return data, p


def line_name(line: LineFit) -> str:
    """The legend entry of a line: a line attractor only when converged fixed points lie on it."""
    what = "line attractor: fixed points" if line.kind == "fixed" else "line of slow points (not a line attractor)"
    return f"{what} within {line.distance:.2g} of a line ({100 * line.share:.0f}% of their spread)"


def path_traces(tr: Trace, p: np.ndarray, t_sel: int) -> list[dict[str, Any]]:
    """The sentence's path s_0 .. s_T with word labels and the selected step ringed."""
    steps = range(1, tr.T + 1)
    hover = step_hover(tr)
    return [
        line_trace(p, "the sentence's path", 2, digits=4),
        step_points(
            p[1:],
            tr.outputs,
            steps,
            text=[esc(word) for word in word_labels(tr.labels, t_sel, LABEL_AROUND)],
            textposition=["top center" if t % 2 else "bottom center" for t in steps],
            hover=hover,
            name="words of the sentence",
            size=9,
            digits=4,
        ),
        s0_marker(p[0], 11, hover=False),
        selected_ring(p[t_sel].tolist(), t_sel, hover[t_sel - 1], 20),
    ]


def dynamics_figure(
    tr: Trace,
    step: int | None = None,
    *,
    corpus: Corpus | None = None,
    fixed_points: FixedPoints | None = None,
    flow: Flow | None = None,
) -> go.Figure:
    """The path s_0 .. s_T among the fixed points (and, for 2 neurons, the flow) of the update for one word."""
    t_sel = clamp_step(tr, step)
    plane = plane_for(tr, corpus)
    p = plane.project(tr.hidden)  # (T+1, 2)
    points = [p]
    back: list[dict[str, Any]] = []
    if corpus is not None and corpus.H == tr.H and plane.kind == "pca":
        corpus_points, back = corpus_traces(plane, corpus)
        points += corpus_points
    flow_data = flow_traces(flow) if flow is not None and plane.kind == "neurons" else []
    fp_data: list[dict[str, Any]] = []
    if fixed_points is not None and fixed_points.hidden.shape[1:] == (tr.H,):
        fp_data, fpp = fixed_point_traces(plane, fixed_points)
        points.append(fpp)
    xr, yr = axis_range(points, fixed=plane.kind == "neurons")
    data = back + flow_data + boundary_trace(plane, xr, yr) + path_traces(tr, p, t_sel) + fp_data
    square = {"scaleanchor": "x", "scaleratio": 1, "constrain": "domain"} if plane.kind == "neurons" else {}
    layout = base_layout(
        FIG_HEIGHT,
        _title(fixed_points, flow),
        xaxis=grid_axis(xr, plane.titles[0], constrain="domain"),
        yaxis=grid_axis(yr, plane.titles[1], **square),
        showlegend=True,
        legend=legend_row(-0.16),
        margin={"l": 52, "r": 8, "t": 40, "b": 40},
    )
    return figure(data, layout)


def _title(fixed_points: FixedPoints | None, flow: Flow | None) -> str:
    """What the dynamics view shows: how many fixed points of which word, or the flow of which word."""
    if fixed_points is not None:
        fp = fixed_points
        n_fixed, n_slow = int(fp.fixed.sum()), int((~fp.fixed).sum())
        n_stable = int((fp.fixed & fp.stable).sum())
        slow = f", {n_slow} slow point{'s' if n_slow != 1 else ''}" if n_slow else ""
        return (
            f"Dynamics for x = “{esc(short(fp.word, 24))}”: {n_fixed} fixed point{'s' if n_fixed != 1 else ''} "
            f"({n_stable} stable){slow}"
        )
    if flow is not None:
        return f"Dynamics: the flow of one step of “{esc(short(flow.word, 24))}”"
    return "Dynamics: the path among the update's fixed points"
