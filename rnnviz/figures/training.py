"""The training playground's views: loss and accuracy curves, and the state space of one training snapshot.

Both read only plain fields of rnnviz.playground.Snapshot (numpy arrays, floats, strings) and of
rnnviz.analysis results, so this module never imports torch. The state space reuses the state-space
geometry (Plane, readout bands, the o = 0.5 line) and the dynamics view's flow and fixed-point traces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.dynamics import fixed_point_traces, flow_traces
from rnnviz.figures.space import Plane, axis_range, band_traces, boundary_trace, fitted_plane, neuron_plane
from rnnviz.figures.style import (
    FAINT,
    GREY,
    NEGATIVE,
    POSITIVE,
    base_layout,
    esc,
    figure,
    grid_axis,
    legend_row,
    s_of,
    short,
    sub,
)

if TYPE_CHECKING:
    from rnnviz.analysis import FixedPoints
    from rnnviz.playground import Snapshot

# Okabe-Ito, apart from the sentiment blue/orange that colour the sentences by label.
LOSS = "#CC79A7"  # reddish purple
TRAIN = "#56B4E9"  # sky blue
HELD_OUT = "#009E73"  # bluish green
CURVES_HEIGHT = 460
SPACE_HEIGHT = 520


def training_curves_figure(snapshots: Sequence[Snapshot], *, total_steps: int, at_step: int | None = None) -> go.Figure:
    """Loss (top) and accuracy (bottom) against the training step; `at_step` marks a replayed snapshot."""
    steps = [s.step for s in snapshots]
    x_max = max(total_steps, max(steps, default=0), 1)
    loss = [round(float(s.loss), 4) for s in snapshots]
    shown = [s for s in snapshots if at_step is None or s.step <= at_step]  # a replay names its own step
    last = shown[-1] if shown else None
    title = "Loss and accuracy while training"
    if last is not None:
        title += f": {'replay at ' if at_step is not None else ''}step {last.step}, "
        title += f"held-out accuracy {last.test_accuracy:.0%}"
    top = max([*loss, 0.75]) * 1.05
    axis = {"showgrid": True, "gridcolor": FAINT, "zeroline": False, "fixedrange": True}
    layout = base_layout(
        CURVES_HEIGHT,
        title,
        xaxis={**axis, "range": [0, x_max], "anchor": "y", "title": {"text": "training step", "font": {"size": 11}}},
        xaxis2={**axis, "range": [0, x_max], "anchor": "y2", "matches": "x", "showticklabels": False},
        yaxis={**axis, "domain": [0, 0.44], "range": [0.4, 1.02], "tickformat": ".0%", "title": {"text": "accuracy"}},
        yaxis2={**axis, "domain": [0.56, 1], "range": [0, top], "title": {"text": "loss"}},
        shapes=_replay_marks(at_step),
        showlegend=True,
        legend=legend_row(-0.22),
        margin={"l": 56, "r": 8, "t": 40, "b": 40},
    )
    return figure(_curve_traces(snapshots, loss, x_max), layout)


def _curve_traces(snapshots: Sequence[Snapshot], loss: list[float], x_max: int) -> list[dict[str, Any]]:
    """Loss (on the top axes), training and held-out accuracy, and the chance line at 0.5."""
    steps = [s.step for s in snapshots]
    dots = "lines+markers" if len(steps) < 3 else "lines"  # a line of one point is invisible
    return [
        {
            "type": "scatter",
            "x": steps,
            "y": loss,
            "mode": dots,
            "line": {"color": LOSS, "width": 2},
            "name": "training loss",
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": "step %{x}: loss %{y:.3f}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": steps,
            "y": [round(float(s.train_accuracy), 4) for s in snapshots],
            "mode": "lines",
            "line": {"color": TRAIN, "width": 2, "dash": "dot"},
            "name": "accuracy on training batches",
            "hovertemplate": "step %{x}: training accuracy %{y:.1%}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": steps,
            "y": [round(float(s.test_accuracy), 4) for s in snapshots],
            "mode": dots,
            "line": {"color": HELD_OUT, "width": 3},
            "name": "accuracy on held-out examples",
            "hovertemplate": "step %{x}: held-out accuracy %{y:.1%}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": [0, x_max],
            "y": [0.5, 0.5],
            "mode": "lines",
            "line": {"color": GREY, "width": 1, "dash": "dash"},
            "name": "chance (0.5)",
            "hoverinfo": "skip",
        },
    ]


def _replay_marks(at_step: int | None) -> list[dict[str, Any]]:
    """A vertical line at the replayed snapshot's step on both axes (none while live)."""
    if at_step is None:
        return []
    line = {"type": "line", "xref": "x", "x0": at_step, "x1": at_step, "y0": 0, "y1": 1}
    return [{**line, "yref": yref, "line": {"color": GREY, "width": 2}} for yref in ("y domain", "y2 domain")]


def snapshot_plane(snap: Snapshot) -> Plane:
    """The neurons for H = 2; else the snapshot's own PCA plane of every recorded state (signs fixed)."""
    h = snap.H
    if h == 2:
        return neuron_plane(snap.V, snap.c)
    if h == 1:
        basis = np.array([[1.0], [0.0]])
        return Plane("units", np.zeros(1), basis, (f"the one neuron ({s_of('t', 0)})", ""), None)
    return fitted_plane(np.concatenate(snap.paths).astype(float), snap.V, snap.c)  # every state (N, H)


def _sentence_traces(
    snap: Snapshot, plane: Plane, label_names: tuple[str, str], paths: bool
) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Per label: the sentences' paths (one trace, NaN-separated) and their end points."""
    data: list[dict[str, Any]] = []
    ends = plane.project(snap.finals.astype(float))  # (N, 2)
    for label, col in ((0, NEGATIVE), (1, POSITIVE)):
        idx = np.flatnonzero(snap.labels == label)
        if not len(idx):
            continue
        name = esc(short(label_names[label], 30))
        if paths:
            xs: list[float | None] = []
            ys: list[float | None] = []
            for i in idx:
                p = plane.project(snap.paths[i].astype(float))
                xs += [*p[:, 0].round(4).tolist(), None]
                ys += [*p[:, 1].round(4).tolist(), None]
            data.append(
                {
                    "type": "scatter",
                    "x": xs,
                    "y": ys,
                    "mode": "lines",
                    "line": {"color": col, "width": 1},
                    "opacity": 0.35,
                    "hoverinfo": "skip",
                    "name": f"paths of {name} examples",
                    "showlegend": True,
                    "connectgaps": False,
                }
            )
        right = (snap.outputs[idx] >= 0.5) == (label == 1)
        hover = [
            f"“{esc(short(snap.texts[i], 60))}”<br>label: {name}<br>{sub('o', 'T')} = {snap.outputs[i]:.3f}"
            f" ({'right' if ok else 'wrong'})"
            for i, ok in zip(idx, right, strict=True)
        ]
        data.append(
            {
                "type": "scatter",
                "x": ends[idx, 0].round(4).tolist(),
                "y": ends[idx, 1].round(4).tolist(),
                "mode": "markers",
                "marker": {
                    "color": col,
                    "size": 9,
                    "symbol": ["circle" if ok else "x" for ok in right],
                    "line": {"color": GREY, "width": 1},
                },
                "hovertext": hover,
                "hoverinfo": "text",
                "name": f"{name} examples end here (x: misread)",
                "showlegend": True,
            }
        )
    return data, ends


def training_space_figure(
    snap: Snapshot,
    *,
    fixed_points: FixedPoints | None = None,
    label_names: tuple[str, str] = ("negative", "positive"),
    paths: bool = True,
) -> go.Figure:
    """Training sentences' paths s_0..s_T (or only where they end), the readout's bands and its o = 0.5 line;
    for a 2-unit RNN or GRU also the flow of the average word and the fixed points."""
    plane = snapshot_plane(snap)
    sentence_data, ends = _sentence_traces(snap, plane, label_names, paths)
    points = [ends, *(plane.project(p.astype(float)) for p in snap.paths)] if paths else [ends]
    fp_data: list[dict[str, Any]] = []
    if fixed_points is not None and fixed_points.hidden.shape[1:] == (snap.H,) and snap.H >= 2:
        fp_data, fpp = fixed_point_traces(plane, fixed_points)
        points.append(fpp)
    xr, yr = _space_range(plane, points)
    data = band_traces(plane, xr, yr, what="readout o", opacity=0.25, digits=4)
    if snap.flow is not None and plane.kind == "neurons":
        data += flow_traces(snap.flow)
    data += boundary_trace(plane, xr, yr) + sentence_data + fp_data
    n_right = int(((snap.outputs >= 0.5) == (snap.labels == 1)).sum())
    square = {"scaleanchor": "x", "scaleratio": 1} if plane.kind == "neurons" else {}
    layout = base_layout(
        SPACE_HEIGHT,
        f"State space at step {snap.step}: {n_right} of {len(snap.labels)} examples read right",
        xaxis=grid_axis(xr, plane.titles[0], constrain="domain"),
        yaxis=grid_axis(yr, plane.titles[1], visible=plane.kind != "units", **square),
        showlegend=True,
        legend=legend_row(-0.14),
        margin={"l": 52, "r": 8, "t": 40, "b": 40},
    )
    return figure(data, layout)


def _space_range(plane: Plane, points: list[np.ndarray]) -> tuple[list[float], list[float]]:
    """Axis ranges; one unit is drawn along x only, over at least [-1, 1]."""
    if plane.kind != "units":
        return axis_range(points, fixed=plane.kind == "neurons")
    xs = [p[:, 0] for p in points if len(p)]
    lo, hi = min(float(x.min()) for x in xs), max(float(x.max()) for x in xs)
    return [min(lo, -1.0) - 0.1, max(hi, 1.0) + 0.1], [-1.0, 1.0]
