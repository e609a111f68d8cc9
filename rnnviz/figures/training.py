"""The training playground's views: loss and accuracy curves, and the state space of one training snapshot.

Both read only plain fields of rnnviz.playground.Snapshot (numpy arrays, floats, strings) and of
rnnviz.analysis results, so this module never imports torch. The state space reuses the projection's
Plane and readout bands and the dynamics view's flow, boundary and fixed-point traces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.dynamics import boundary_trace, fixed_point_traces, flow_traces, plane_range
from rnnviz.figures.projection import Plane, readout_bands
from rnnviz.figures.style import FAINT, GREY, NEGATIVE, POSITIVE, base_layout, colour, esc, figure, short, sub

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
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": steps,
            "y": loss,
            "mode": "lines+markers" if len(steps) < 3 else "lines",
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
            "mode": "lines+markers" if len(steps) < 3 else "lines",
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
    shapes = []
    if at_step is not None:
        for yref in ("y domain", "y2 domain"):
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": yref,
                    "x0": at_step,
                    "x1": at_step,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": GREY, "width": 2},
                }
            )
    last = snapshots[-1] if snapshots else None
    title = "Loss and accuracy while training"
    if last is not None:
        title += f": step {last.step}, held-out accuracy {last.test_accuracy:.0%}"
    top = max([*loss, 0.75]) * 1.05
    axis = {"showgrid": True, "gridcolor": FAINT, "zeroline": False, "fixedrange": True}
    layout = base_layout(
        CURVES_HEIGHT,
        title,
        xaxis={**axis, "range": [0, x_max], "anchor": "y", "title": {"text": "training step", "font": {"size": 11}}},
        xaxis2={**axis, "range": [0, x_max], "anchor": "y2", "matches": "x", "showticklabels": False},
        yaxis={**axis, "domain": [0, 0.44], "range": [0.4, 1.02], "tickformat": ".0%", "title": {"text": "accuracy"}},
        yaxis2={**axis, "domain": [0.56, 1], "range": [0, top], "title": {"text": "loss"}},
        shapes=shapes,
        showlegend=True,
        legend={"orientation": "h", "y": -0.22, "x": 0, "font": {"size": 10}, "bgcolor": "rgba(0,0,0,0)"},
        margin={"l": 56, "r": 8, "t": 40, "b": 40},
    )
    return figure(data, layout)


def snapshot_plane(snap: Snapshot) -> Plane:
    """The neurons for H = 2; else the snapshot's own PCA plane of every recorded state (signs fixed)."""
    h = snap.H
    if h == 2:
        titles = (f"neuron 1 ({sub('s', 't')}[0])", f"neuron 2 ({sub('s', 't')}[1])")
        return Plane("neurons", np.zeros(2), np.eye(2), titles, (snap.V.astype(float), float(snap.c)))
    if h == 1:
        basis = np.array([[1.0], [0.0]])
        return Plane("units", np.zeros(1), basis, (f"the one unit ({sub('s', 't')}[0])", ""), None)
    states = np.concatenate(snap.paths).astype(float)  # (N, H)
    mean = states.mean(axis=0)
    _, sing, vt = np.linalg.svd(states - mean, full_matrices=False)
    basis = vt[:2]  # (2, H)
    basis = basis * np.sign(basis[np.arange(2), np.abs(basis).argmax(axis=1)])[:, None]
    var = sing**2
    pct = 100 * var[:2] / max(float(var.sum()), 1e-12)
    titles = (f"PC1 ({pct[0]:.0f}% of variance)", f"PC2 ({pct[1]:.0f}% of variance)")
    w = basis @ snap.V.astype(float)  # (2,) the part of V in the plane
    share = float(np.linalg.norm(w) / max(np.linalg.norm(snap.V), 1e-12))
    readout = (w, float(snap.V @ mean + snap.c)) if share >= 0.3 else None
    return Plane("pca", mean, basis, titles, readout)


def _band_traces(plane: Plane, xr: list[float], yr: list[float]) -> list[dict[str, Any]]:
    if plane.readout is None:
        return []
    return [
        {
            "type": "scatter",
            "x": [*poly[:, 0].round(4).tolist(), float(poly[0, 0])],
            "y": [*poly[:, 1].round(4).tolist(), float(poly[0, 1])],
            "mode": "lines",
            "fill": "toself",
            "fillcolor": colour((lo + hi) / 2),
            "opacity": 0.25,
            "line": {"width": 0},
            "hoveron": "fills",
            "hoverinfo": "name",
            "name": f"readout o in {lo:.2f}–{hi:.2f}",
            "showlegend": False,
        }
        for lo, hi, poly in readout_bands(plane, xr, yr)
    ]


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
    if plane.kind == "units":
        points = [np.c_[p[:, 0], np.zeros(len(p))] for p in points]
        lo = min(float(p[:, 0].min()) for p in points if len(p))
        hi = max(float(p[:, 0].max()) for p in points if len(p))
        xr, yr = [min(lo, -1.0) - 0.1, max(hi, 1.0) + 0.1], [-1.0, 1.0]
    else:
        xr, yr = plane_range(plane, points)
    data = _band_traces(plane, xr, yr)
    if snap.flow is not None and plane.kind == "neurons":
        data += flow_traces(snap.flow)
    data += boundary_trace(plane, xr, yr) + sentence_data + fp_data
    n_right = int(((snap.outputs >= 0.5) == (snap.labels == 1)).sum())
    title = f"State space at step {snap.step}: {n_right} of {len(snap.labels)} examples read right"
    axis = {"showgrid": True, "gridcolor": FAINT, "zeroline": True, "zerolinecolor": FAINT, "fixedrange": True}
    square = {"scaleanchor": "x", "scaleratio": 1} if plane.kind == "neurons" else {}
    layout = base_layout(
        SPACE_HEIGHT,
        title,
        xaxis={**axis, "range": xr, "title": {"text": plane.titles[0], "font": {"size": 11}}, "constrain": "domain"},
        yaxis={
            **axis,
            "range": yr,
            "title": {"text": plane.titles[1], "font": {"size": 11}},
            "visible": plane.kind != "units",
            **square,
        },
        showlegend=True,
        legend={"orientation": "h", "y": -0.14, "x": 0, "font": {"size": 10}, "bgcolor": "rgba(0,0,0,0)"},
        margin={"l": 52, "r": 8, "t": 40, "b": 40},
    )
    return figure(data, layout)
