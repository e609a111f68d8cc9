"""One step's computation with its numbers: every vector of the selected step's update, drawn left to right.

Plain RNN: s_{t-1} -> W s_{t-1}, + U x_t, + b, = a, tanh -> s_t, V s_t + c, sigmoid -> o_t. GRU: s_{t-1}, the
gates r, z, n, kept z * s_{t-1} + written (1 - z) * n = s_t. LSTM: s_{t-1}, c_{t-1}, the gates i, f, g, o,
kept f * c_{t-1} + written i * g = c_t (the cell state, a state of its own), s_t = o * tanh(c_t). Each vector is
a column of H cells (the numbers written in them for a few units, on hover for all); with two hidden neurons
the update is also drawn as arrows on the neurons' own plane. Every number comes from rnnviz.cell.update at
that step (rnnviz.narrate.step_update), run from the state the step read (s_0 in the goldfish run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from rnnviz.figures.mark import label, text_traces
from rnnviz.figures.style import (
    DIVERGING,
    GREY,
    HIDDEN_SCALE,
    HIGHLIGHT,
    NEUTRAL,
    base_layout,
    clamp_step,
    esc,
    figure_from,
    grid_axis,
    hidden_axis,
    short,
    spec,
    sub,
)
from rnnviz.narrate import step_update

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from rnnviz.cell import CellParams
    from rnnviz.figures.style import Spec
    from rnnviz.trace import Trace

Kind = Literal["free", "tanh", "gate", "logit", "prob"]  # logit and prob are sentiment; the rest hidden-sized
Column = tuple[str, np.ndarray, Kind, "str | list[str]"]  # label, values (H,) or (1,), range kind, hover: what
# the column is, or (a gate) what each unit's gate received
GATE_SCALE = [[0.0, NEUTRAL], [1.0, HIGHLIGHT]]  # a gate: grey shut, pink open
GATE_WORDS = {
    "r": "reset gate r: how much of the memory the candidate sees",
    "z": "update gate z: how much of the old state is kept",
    "n": "candidate n: what may be written",
    "i": "input gate i: how much of g is written",
    "f": "forget gate f: how much of the old cell state is kept",
    "g": "candidate g: what may be written",
    "o": "output gate o: how much of the cell state s shows",
}
NUMBERS_UP_TO = 4  # units: write the numbers in the cells (more: on hover)
GAP = 1.6  # x distance between columns: a column is 1 wide, its operator sits in the gap
HEIGHT, PLANE_SHARE = 360, 0.3  # the neurons' plane (two neurons only) takes this share of the width
NARROW_BELOW = 560  # px: a chart narrower than this (a phone) leaves the plane out (live_chart.js `fitted`)


def step_columns(tr: Trace, step: int, params: CellParams) -> tuple[list[Column], list[str]]:
    """The columns of step t (1..T) from left to right, and the operator written between each pair."""
    t = clamp_step(tr, step)
    u, h = step_update(tr, t, params), tr.H
    prev = "0" if tr.forget else "t-1"
    s_prev, ux, ws = u.s_prev[0, :h], u.input_part[0], u.memory_part[0]
    readout = np.array([float(params.V @ u.hidden[0]) + params.c])
    o = 0.5 + 0.5 * np.tanh(0.5 * readout)  # sigmoid, as the cell writes it
    tail: list[Column] = [
        (sub("s", "t"), u.hidden[0], "tanh", "the new hidden state"),
        (f"V{sub('s', 't')} + c", readout, "logit", "the readout before the sigmoid"),
        (sub("o", "t"), o, "prob", "positivity so far"),
    ]
    first: Column = (
        sub("s", prev),
        s_prev,
        "tanh",
        "the state this step read" + (" (goldfish: s₀)" if tr.forget else ""),
    )
    if tr.arch == "rnn":
        cols = [
            first,
            (f"W{sub('s', prev)}", ws, "free", "the memory term"),
            (f"U{sub('x', 't')}", ux, "free", "the word's term"),
            ("b", params.b + params.b_hh, "free", "the bias (the same at every step)"),
            ("a", u.pre[0], "free", "the sum: what the tanh receives"),
            *tail,
        ]
        return cols, ["× W", "+", "+", "=", "tanh", "V", "σ"]
    assert u.kept is not None and u.written is not None
    gates = [_gate(u, params, g, k, prev) for k, g in enumerate("rzn" if tr.arch == "gru" else "ifgo")]
    if tr.arch == "gru":
        mid = [
            (f"z·{sub('s', prev)}", u.kept[0], "tanh", "kept of the old state"),
            ("(1−z)·n", u.written[0], "tanh", "written"),
        ]
        return [first, *gates, *mid, *tail], ["gates", "", "", "", "+", "=", "V", "σ"]
    assert u.cell is not None
    c_prev: Column = (sub("c", prev), u.s_prev[0, h:], "free", "the cell state this step read")
    mid = [
        (f"f·{sub('c', prev)}", u.kept[0], "free", "kept of the old cell state"),
        ("i·g", u.written[0], "free", "written"),
        (sub("c", "t"), u.cell[0], "free", "the new cell state"),
    ]
    return [first, c_prev, *gates, *mid, *tail], ["", "gates", "", "", "", "", "+", "=", "o·tanh", "V", "σ"]


def _gate(u: Any, params: CellParams, g: str, k: int, prev: str) -> Column:
    """Gate g (block k of the G*H rows): its values, and per unit the pieces its nonlinearity received."""
    h = params.H
    rows = slice(k * h, (k + 1) * h)
    ux, ws, pre = u.input_part[0, rows], u.memory_part[0, rows], u.pre[0, rows]
    f = "tanh" if g in "ng" else "σ"
    reset = " (times r)" if g == "n" else ""
    hover = [
        f"{f}({a:+.2f}): U{sub('x', 't')} {x:+.2f}, W{sub('s', prev)} {w:+.2f}{reset}, b {b:+.2f}"
        for a, x, w, b in zip(pre, ux, ws, params.b[rows] + params.b_hh[rows], strict=True)
    ]
    return (g, u.gates[g][0], "tanh" if g in "ng" else "gate", hover)


def _range(kind: Kind, free_max: float) -> dict[str, Any]:
    if kind == "gate":
        return {"zmin": 0, "zmax": 1, "colorscale": GATE_SCALE}
    if kind == "prob":  # sentiment: o_t in the sentiment colours
        return {"zmin": 0, "zmax": 1, "colorscale": DIVERGING}
    m = 1.0 if kind == "tanh" else free_max
    # Hidden-sized vectors in the hidden units' own scale; only the readout V s_t + c in the sentiment colours.
    return {"zmin": -m, "zmax": m, "colorscale": DIVERGING if kind == "logit" else HIDDEN_SCALE}


def column_traces(cols: list[Column], h: int) -> list[dict[str, Any]]:
    """One heatmap per column at x = its index: H cells (one centred cell for a scalar), values on hover."""
    free_max = max([1.0] + [float(np.abs(v).max()) for _, v, k, _ in cols if k == "free"])
    traces = []
    for k, (name, v, kind, what) in enumerate(cols):
        scalar = len(v) == 1
        pieces = isinstance(what, list)  # a gate: what each unit received, in `text`
        about = GATE_WORDS[name] if pieces else what
        hover = f"{name}: %{{z:+.3f}}" if scalar else f"{name}, unit %{{y}}: %{{z:+.3f}}"  # rows are units 1..H
        trace: dict[str, Any] = {
            "type": "heatmap",
            "z": [[round(float(x), 4)] for x in v],
            "x": [k * GAP],
            "y0": (h + 1) / 2 if scalar else 1,
            "dy": max(1.0, h / 6) if scalar else 1,
            "hovertemplate": f"{hover}<br>{about}" + ("<br>%{text}" if pieces else "") + "<extra></extra>",
            "showscale": False,
            "xgap": 1,
            "ygap": 1 if h <= 16 else 0,
            "name": name,
            **_range(kind, free_max),
        }
        if pieces:
            trace["text"] = [[t] for t in what]
        if scalar or h <= NUMBERS_UP_TO:
            trace["texttemplate"] = "%{z:.2f}" if kind in ("gate", "prob") else "%{z:+.2f}"
            trace["textfont"] = {"size": 11}
        traces.append(trace)
    return traces


def _labels(cols: list[Column], ops: list[str], h: int) -> list[dict[str, Any]]:
    """Column names above the columns and the operators between them."""
    pad = max(0.25, h / 40)
    names = [label(k * GAP, 0.5 - pad, name, yanchor="bottom", size=12) for k, (name, *_) in enumerate(cols)]
    signs = [label((k + 0.5) * GAP, (h + 1) / 2, op, size=11, color=GREY) for k, op in enumerate(ops) if op]
    return text_traces(names + signs, "names and operators")


def plane_traces(cols: list[Column]) -> list[dict[str, Any]]:
    """Two neurons: s_{t-1} -> W s_{t-1} -> + U x_t -> + b -> tanh -> s_t as arrows on the neurons' plane."""
    s_prev, ws, ux, _, pre, s = (v for _, v, _, _ in cols[:6])
    stops = np.stack([s_prev, ws, ws + ux, pre, s])  # (5, 2)
    names = [cols[0][0], cols[1][0], f"+ {cols[2][0]}", "+ b", cols[5][0]]
    hover = [f"{n} = ({p[0]:+.2f}, {p[1]:+.2f})" for n, p in zip(names, stops, strict=True)]
    path = {
        "type": "scatter",
        "x": stops[:, 0].round(4).tolist(),
        "y": stops[:, 1].round(4).tolist(),
        "mode": "lines+markers+text",
        "text": names,
        "textposition": _sides(stops),
        "line": {"color": GREY, "width": 1.5},
        "marker": {"symbol": ["circle"] + ["arrow"] * 4, "angleref": "previous", "size": 11, "color": HIGHLIGHT},
        "hovertext": hover,
        "hoverinfo": "text",
        "xaxis": "x2",
        "yaxis": "y2",
        "cliponaxis": False,
        "name": "the update on the neurons' plane",
    }
    return [path]


def _sides(stops: np.ndarray) -> list[str]:
    """Each stop's name on the far side from where its arrow came (s_{t-1}'s away from the next stop)."""
    come = np.diff(stops, axis=0, prepend=2 * stops[:1] - stops[1:2])  # (5, 2)
    return [f"{'top' if dy >= 0 else 'bottom'} {'right' if dx >= 0 else 'left'}" for dx, dy in come]


def step_spec(tr: Trace, step: int | None, params: CellParams) -> Spec:
    """The selected step's update as plain dicts (see the module docstring); `step` None means T."""
    t = clamp_step(tr, step)
    cols, ops = step_columns(tr, t, params)
    h, n = tr.H, len(cols)
    plane = tr.arch == "rnn" and h == 2
    split = 1 - PLANE_SHARE if plane else 1.0
    top = 0.5 - max(1.0, h / 9)  # room for the names above the columns (the y axis points down)
    word = esc(short(tr.labels[t - 1], 24))
    layout = base_layout(
        HEIGHT if h > NUMBERS_UP_TO else 250,
        f"Step t = {t}, “{word}”: the update with its numbers (the same U, W, V, b, c at every step)",
        xaxis=hidden_axis(range=[-0.6, (n - 1) * GAP + 0.6], domain=[0, split - 0.04 if plane else 1]),
        yaxis=hidden_axis(range=[h + 0.55, top]),
        margin={"l": 8, "r": 8, "t": 40, "b": 44 if plane else 8},
    )
    data = column_traces(cols, h) + _labels(cols, ops, h)
    # Narrower than a phone's screen, the page shortens the title and leaves the plane out, giving the columns the
    # whole width (live_chart.js `fitted`).
    narrow: dict[str, Any] = {"title": {"text": f"Step t = {t}, “{word}”"}}
    layout["meta"] = {"narrow": {"below": NARROW_BELOW, "hide": "x2", "layout": narrow}}
    if plane:
        narrow.update(xaxis={"domain": [0, 1]}, xaxis2={"visible": False}, yaxis2={"visible": False}, margin={"b": 8})
        stops = np.stack([v for _, v, _, _ in cols[:6]])
        span = float(max(1.1, np.abs(stops).max() * 1.15))
        layout["xaxis2"] = grid_axis([-span, span], "neuron 1", domain=[split, 1], anchor="y2")
        layout["yaxis2"] = grid_axis([-span, span], "neuron 2", anchor="x2", scaleanchor="x2")
        data += plane_traces(cols)
    return spec(data, layout)


def step_figure(tr: Trace, step: int | None, params: CellParams) -> go.Figure:
    """The Plotly figure of `step_spec`."""
    return figure_from(step_spec(tr, step, params))
