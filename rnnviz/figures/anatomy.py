"""One step taken apart: W s_{t-1}, + U x_t, + b, tanh as arrows (plain RNN), or kept vs written (GRU/LSTM).

Inputs come from rnnviz.analysis (Anatomy, GateAnatomy: plain numpy fields), built for the same trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.space import axis_range, plane_for
from rnnviz.figures.style import FAINT, GREY, HIGHLIGHT, base_layout, esc, figure, grid_axis, neuron, short, sub

if TYPE_CHECKING:
    from rnnviz.analysis import Anatomy, GateAnatomy
    from rnnviz.corpus import Corpus
    from rnnviz.trace import Trace

KEPT = "#009E73"  # bluish green: what the gate kept of the old state
WRITTEN = "#D55E00"  # vermillion: what it wrote; Okabe-Ito pair, told apart by the pattern too
MEMORY = "#0072B2"
INPUT = "#E69F00"
FIG_HEIGHT = 440
MAX_UNITS = 32  # gated view: the units that changed most


def _vec(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{a:+.2f}" for a in v) + ")"


Stop = tuple[str, np.ndarray, str]  # name, state (H,), what the step did


def anatomy_figure(tr: Trace, parts: Anatomy, *, corpus: Corpus | None = None) -> go.Figure:
    """s_{t-1} -> W s_{t-1} -> + U x_t -> + b -> tanh -> s_t, as arrows in the projection plane."""
    t = parts.step
    plane = plane_for(tr, corpus)
    word = esc(short(tr.labels[t - 1], 20))
    stops: list[Stop] = [
        (sub("s", "t-1"), parts.s_prev, ""),
        (f"W {sub('s', 't-1')}", parts.memory, "× W (memory part)"),
        (f"+ U {sub('x', 't')}", parts.memory + parts.input, f"+ U {sub('x', 't')} (input part, “{word}”)"),
        ("+ b", parts.pre, "+ b (bias)"),
        (sub("s", "t"), parts.s, "tanh squashes into (−1, 1)"),
    ]
    pts = plane.project(np.stack([v for _, v, _ in stops]))  # (5, 2)
    colours = [GREY, MEMORY, INPUT, GREY, HIGHLIGHT]
    exact = plane.kind == "neurons"
    # The tanh box the state always lands in (exact only on the neurons' own axes).
    box = {"type": "rect", "x0": -1, "x1": 1, "y0": -1, "y1": 1, "line": {"color": GREY, "width": 1, "dash": "dot"}}
    xr, yr = _anatomy_range(pts, exact)
    square = {"scaleanchor": "x", "scaleratio": 1} if exact else {}
    title = f"One step apart, t = {t}: “{word}” ({'exact' if exact else 'projected onto the PCA plane'})"
    layout = base_layout(
        FIG_HEIGHT,
        title,
        xaxis=grid_axis(xr, plane.titles[0], constrain="domain"),
        yaxis=grid_axis(yr, plane.titles[1], **square),
        shapes=[{**box, "layer": "below"}] if exact else [],
        annotations=[*_step_arrows(pts, colours), _step_legend(stops)],
        margin={"l": 52, "r": 8, "t": 40, "b": 80},
    )
    return figure([_stop_points(stops, pts, colours, exact)], layout)


def _stop_points(stops: list[Stop], pts: np.ndarray, colours: list[str], exact: bool) -> dict[str, Any]:
    """One marker per stop of the update, named; the hover gives the vector itself on the neurons' axes."""
    hover = [f"{name}{' = ' + _vec(v) if exact else ''}" + (f"<br>{what}" if what else "") for name, v, what in stops]
    return {
        "type": "scatter",
        "x": pts[:, 0].round(4).tolist(),
        "y": pts[:, 1].round(4).tolist(),
        "mode": "markers+text",
        "text": [name for name, _, _ in stops],
        "textposition": ["bottom center", "bottom center", "top center", "middle left", "bottom center"],
        "marker": {"size": 11, "color": colours, "line": {"color": GREY, "width": 1}},
        "hovertext": hover,
        "hoverinfo": "text",
        "name": "the pieces of one update",
        "showlegend": False,
    }


def _step_arrows(pts: np.ndarray, colours: list[str]) -> list[dict[str, Any]]:
    """An arrow from each stop to the next, coloured by what it adds (tanh's in the highlight colour)."""
    return [
        {
            "x": float(pts[k + 1, 0]),
            "y": float(pts[k + 1, 1]),
            "ax": float(pts[k, 0]),
            "ay": float(pts[k, 1]),
            "xref": "x",
            "yref": "y",
            "axref": "x",
            "ayref": "y",
            "showarrow": True,
            "arrowhead": 2,
            "arrowsize": 1.2,
            "arrowwidth": 2.5 if k != 3 else 2,
            "arrowcolor": colours[k + 1] if k < 3 else HIGHLIGHT,
            "standoff": 6,
            "startstandoff": 6,
            "text": "",
        }
        for k in range(len(pts) - 1)
    ]


def _step_legend(stops: list[Stop]) -> dict[str, Any]:
    """The numbered steps written out under the plot."""
    lines = [f"<b>{k + 1}.</b> {what}" for k, (_, _, what) in enumerate(stops[1:])]
    return {
        "xref": "paper",
        "yref": "paper",
        "x": 0.0,
        "y": -0.14,
        "xanchor": "left",
        "yanchor": "top",
        "align": "left",
        "showarrow": False,
        "text": " · ".join(lines),
        "font": {"size": 11},
    }


def _anatomy_range(pts: np.ndarray, exact: bool) -> tuple[list[float], list[float]]:
    """The neurons' square widened to every stop (W s_{t-1} + U x_t may leave it), or the stops' extent."""
    if not exact:
        return axis_range([pts], fixed=False)
    lo, hi = float(min(-1.1, pts.min() - 0.2)), float(max(1.1, pts.max() + 0.2))
    return [lo, hi], [lo, hi]


def gates_figure(tr: Trace, parts: GateAnatomy) -> go.Figure:
    """Per unit: the part of the new state kept from the old one and the part written, stacked."""
    t = parts.step
    word = esc(short(tr.labels[t - 1], 20))
    change = np.abs(parts.after - parts.before)
    order = np.argsort(-change, kind="stable")[:MAX_UNITS]  # the units that moved most
    units = [neuron(u) for u in order]
    old, new = (f"{sub('s', 't-1')}", f"{sub('s', 't')}") if parts.target == "s" else (sub("c", "t-1"), sub("c", "t"))
    keep_name, write_name = ("z", "1 − z") if parts.arch == "gru" else ("f", "i")
    kept_label = f"kept: {keep_name} · {old}"
    written_label = f"written: {write_name} · {'n' if parts.arch == 'gru' else 'g'}"
    hover_kept = [
        f"{u}: {keep_name} = {parts.keep_gate[i]:.2f}, kept {parts.kept[i]:+.3f} of {old} = {parts.before[i]:+.3f}"
        for u, i in zip(units, order, strict=True)
    ]
    hover_written = [
        f"{u}: {write_name} = {parts.write_gate[i]:.2f}, wrote {parts.written[i]:+.3f}"
        for u, i in zip(units, order, strict=True)
    ]
    written_marker = {"color": WRITTEN, "pattern": {"shape": "/", "fgcolor": "#FFFFFF", "size": 5}}
    bars = (
        (parts.kept, {"color": KEPT}, kept_label, hover_kept),
        (parts.written, written_marker, written_label, hover_written),
    )
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "x": units,
            "y": values[order].round(4).tolist(),
            "marker": marker,
            "name": name,
            "hovertext": hover,
            "hoverinfo": "text",
        }
        for values, marker, name, hover in bars
    ]
    data.append(
        {
            "type": "scatter",
            "x": units,
            "y": parts.after[order].round(4).tolist(),
            "mode": "markers",
            "marker": {"symbol": "line-ew-open", "size": 14, "color": GREY, "line": {"width": 3, "color": GREY}},
            "name": f"{new} = kept + written",
            "hoverinfo": "skip",
        }
    )
    shown = "" if len(order) == tr.H else f", the {len(order)} of {tr.H} units that changed most"
    title = (
        f"{parts.arch.upper()} at t = {t}: “{word}”: {100 * parts.kept_share:.0f}% of {new} kept from {old}, "
        f"{100 * (1 - parts.kept_share):.0f}% written{shown}"
    )
    layout = base_layout(
        FIG_HEIGHT,
        title,
        barmode="relative",
        showlegend=True,
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "font": {"size": 11}},
        xaxis={"fixedrange": True, "tickangle": -60, "tickfont": {"size": 9}, "automargin": True},
        yaxis={"fixedrange": True, "gridcolor": FAINT, "zeroline": True, "zerolinecolor": GREY, "title": {"text": new}},
        margin={"l": 52, "r": 8, "t": 64, "b": 40},
    )
    return figure(data, layout)
