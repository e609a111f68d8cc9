"""The rolled view: one cell with its loop, as the essay draws it, at one step t.

x_t comes in from below through U, the hidden units s_t sit in the cell as coloured neurons, the loop
carries s_{t-1} back in through W, and V reads o_t out at the top. Gated cells also show the mean of
each gate at this step. Nothing here is clickable: the view has no step marks, so no `customdata`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.mark import (
    Arrow,
    Label,
    Wire,
    arrow_traces,
    label,
    shared_labels,
    text_traces,
    weight_about,
    weight_at,
)
from rnnviz.figures.style import (
    GATE_LABELS,
    GREY,
    HIDDEN_SCALE,
    HIGHLIGHT,
    TANH_GATES,
    Spec,
    base_layout,
    clamp_step,
    colour,
    esc,
    figure_from,
    hidden_axis,
    hidden_colour,
    kind_note,
    neuron,
    s_of,
    short,
    spec,
    sub,
    verdict,
)

if TYPE_CHECKING:
    from rnnviz.trace import Trace

# Canvas in data units: x 0..10, y 0..10. Text is sized in pixels, so the left panel (gates or the
# equations) is kept short enough for a half-width dashboard column (~420 px).
X_MAX = 10.0
BOX = (3.8, 3.0, 7.2, 6.8)  # the cell: x0, y0, x1, y1
MID = (BOX[0] + BOX[2]) / 2
LOOP_X = 8.2
LOOP_TOP, LOOP_BOTTOM = 6.0, 3.8
GAUGE = (BOX[0], 9.2, BOX[2], 9.6)
FIG_HEIGHT = 300


def neuron_positions(h: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Centres (H,), (H,) of the hidden units inside the cell box and a marker size in px.

    Up to 8 units sit in one row with their values printed; more become a compact grid.
    """
    x0, y0, x1, y1 = BOX
    if h <= 8:
        xs = x0 + (x1 - x0) * (np.arange(h) + 0.5) / h
        return xs, np.full(h, y0 + 0.56 * (y1 - y0)), 40.0 if h <= 3 else 26.0
    cols = math.ceil(math.sqrt(h))
    rows = math.ceil(h / cols)
    k = np.arange(h)
    xs = x0 + (x1 - x0) * (k % cols + 0.5) / cols
    ys = y1 - 0.55 - (y1 - y0 - 0.7) * (k // cols + 0.5) / rows  # the top strip holds the label
    return xs, ys, max(6.0, 80.0 / cols)


def _gate_panel(tr: Trace, i: int) -> tuple[list[dict[str, Any]], list[Label]]:
    """Shapes and labels: one small bar per gate with its mean over the H units at this step."""
    shapes, notes = [], []
    names = list(tr.gates)
    heading = "gates and cell state (means)" if "cell" in names else "gates (mean of units)"  # c is the LSTM's state
    notes.append(label(0.0, BOX[3] + 0.05, heading, xanchor="left", yanchor="bottom", size=11))
    row = min(0.8, (BOX[3] - BOX[1]) / max(1, len(names)))
    bx0, bx1 = 0.05, 0.95
    for k, name in enumerate(names):
        y = BOX[3] - 0.4 - k * row
        mean = float(np.mean(tr.gates[name][i]))  # (H,) -> scalar
        signed = name in TANH_GATES  # tanh: a bar from the middle; sigmoid: a bar from the left
        lo = -1.0 if signed else 0.0
        frac = float((np.clip(mean, lo, 1.0) - lo) / (1.0 - lo))
        start = 0.5 if signed else 0.0
        shapes.append(
            {"type": "rect", "x0": bx0, "x1": bx1, "y0": y - 0.17, "y1": y + 0.17, "line": {"color": GREY, "width": 1}}
        )
        shapes.append(
            {
                "type": "rect",
                "x0": bx0 + (bx1 - bx0) * min(start, frac),
                "x1": bx0 + (bx1 - bx0) * max(start, frac),
                "y0": y - 0.17,
                "y1": y + 0.17,
                "fillcolor": hidden_colour(2 * frac - 1) if signed else hidden_colour(frac),
                "line": {"width": 0},
            }
        )
        notes.append(label(bx1 + 0.1, y, f"{GATE_LABELS.get(name, esc(name))} {mean:+.2f}", xanchor="left"))
    return shapes, notes


def _equation_panel() -> list[Label]:
    lines = [
        f"{sub('s', 't')} = tanh(U {sub('x', 't')}",
        f"       + W {sub('s', 't−1')} + b)",
        f"{sub('o', 't')} = σ(V {sub('s', 't')} + c)",
        "the same U, W, V",
        "at every step",
    ]
    return [
        label(0.0, BOX[3] - 0.3 - 0.62 * k, line, xanchor="left", size=11, color=GREY if k > 2 else None)
        for k, line in enumerate(lines)
    ]


def rolled_spec(tr: Trace, step: int | None = None, *, compare: Trace | None = None) -> Spec:
    """The rolled view as plain dicts; `rolled_figure` wraps it in a Plotly figure."""
    t = clamp_step(tr, step)
    i = t - 1  # row in (T, ...) arrays; hidden row t is s_t
    o = float(tr.outputs[i])
    token = esc(short(tr.labels[i], 24))
    shapes = _cell_shapes(tr, o)
    arrows, notes = _wiring(tr, t, token, o)
    if compare is not None:
        g = float(compare.outputs[min(i, compare.T - 1)])
        gx = GAUGE[0] + (GAUGE[2] - GAUGE[0]) * g
        goldfish = {"type": "line", "x0": gx, "x1": gx, "y0": GAUGE[1] - 0.25, "y1": GAUGE[3] + 0.25}
        shapes.append({**goldfish, "line": {"color": GREY, "width": 3}})
        notes.append(label(X_MAX, 8.65, f"goldfish {sub('o', t)} = {g:.3f}", xanchor="right", size=11, color=GREY))
    notes += _neuron_numbers(tr.H)
    if tr.gates:
        gate_shapes, gate_notes = _gate_panel(tr, i)
        shapes += gate_shapes
        notes += gate_notes
    else:
        notes += _equation_panel()
    layout = base_layout(
        FIG_HEIGHT,
        f"Step t = {t} of {tr.T}: “{token}”",
        xaxis=hidden_axis(range=[-0.1, X_MAX + 0.1]),
        yaxis=hidden_axis(range=[-0.1, 10]),
        shapes=shapes,
        margin={"l": 8, "r": 8, "t": 36, "b": 4},
    )
    # Labels and arrows as traces, not annotations (which Plotly draws twice per redraw); the units on top.
    marks = [*arrow_traces(arrows, width=2, head=9), *text_traces(notes, "labels"), *_shared(tr, t)]
    return spec([*marks, _message(tr, t), _neurons(tr, t)], layout)


def _shared(tr: Trace, t: int) -> list[dict[str, Any]]:
    """The U, W, V labels: pointed at, each says what its weight is, its numbers and what it did at step t, and the
    page lights the same weight here and on every copy of the unrolled chain (their wires: the arrows they sit on)."""
    x1 = BOX[2]
    places = [(MID + 0.2, 2.05, "U", "middle right"), (MID + 0.2, 7.45, "V", "middle right"),
              (LOOP_X + 0.2, LOOP_TOP, "W", "top right")]  # fmt: skip
    wires: dict[str, list[Wire]] = {
        "U": [(MID, 1.05, MID, BOX[1])],
        "V": [(MID, BOX[3], MID, 8.1)],
        "W": [
            (x1, LOOP_TOP, LOOP_X, LOOP_TOP),
            (LOOP_X, LOOP_TOP, LOOP_X, LOOP_BOTTOM),
            (LOOP_X, LOOP_BOTTOM, x1 + 0.08, LOOP_BOTTOM),
        ],
    }
    where = "at every step (on every copy of the chain)"
    about = {w: weight_about(tr, w, where) for w in "UVW"}
    at = [weight_at(tr, w, t) for _, _, w, _ in places]
    if tr.forget:
        at[2] += "<br>goldfish: s<sub>t−1</sub> is reset to s<sub>0</sub> first"
    return shared_labels(places, at, about, wires, size=15)


def _message(tr: Trace, t: int) -> dict[str, Any]:
    """s_{t-1} as one dot where the loop re-enters the cell; `meta.along` is the way it came, out of the cell's
    right side and round the loop, which Play in the page animates (rnnviz/app/frontend/live_chart.js)."""
    x1, ring = BOX[2], {"color": GREY, "width": 1}
    way = [(x1, LOOP_TOP), (LOOP_X, LOOP_TOP), (LOOP_X, LOOP_BOTTOM), (x1 + 0.08, LOOP_BOTTOM)]
    mean = float(np.mean(tr.hidden[t - 1]))
    return {
        "type": "scatter",
        "x": [way[-1][0]],
        "y": [way[-1][1]],
        "mode": "markers",
        "marker": {"color": [mean], "colorscale": HIDDEN_SCALE, "cmin": -1, "cmax": 1, "size": 11, "line": ring},
        "hoverinfo": "skip",
        "name": "message s_{t-1}",
        "meta": {"along": {"x": [x for x, _ in way], "y": [y for _, y in way]}},
    }


def _neuron_numbers(h: int) -> list[Label]:
    """Up to 8 units: each neuron's number above it (neuron 1 on the left), as every view numbers them."""
    if h > 8:
        return []
    xs, ys, size = neuron_positions(h)
    above = size / 60 + 0.25  # half a marker (~34 px per y unit at FIG_HEIGHT) and a gap
    names = [neuron(k) for k in range(h)] if h <= 3 else [str(k + 1) for k in range(h)]
    return [label(float(x), float(y) + above, n, size=10, color=GREY) for x, y, n in zip(xs, ys, names, strict=True)]


def _neurons(tr: Trace, t: int) -> dict[str, Any]:
    """The hidden units s_t as coloured neurons in the cell and, for up to 8 units, s_{t-1} on the loop."""
    s_now, s_prev = tr.hidden[t], tr.hidden[t - 1]  # (H,), (H,)
    h = tr.H
    xs, ys, size = neuron_positions(h)
    gate_rows = [" ".join(f"{name} = {tr.gates[name][t - 1, k]:+.2f}" for name in tr.gates) for k in range(h)]
    hover = [
        f"{neuron(k)}: {s_of(t, k)} = {s_now[k]:+.3f}<br>was {s_of(t - 1, k)} = {s_prev[k]:+.3f}"
        + (f"<br>{gate_rows[k]}" if gate_rows[k] else "")
        for k in range(h)
    ]
    px, py, pvals, psize, phover = list(xs), list(ys), list(s_now), [size] * h, list(hover)
    ptext = [f"{v:+.2f}" for v in s_now] if h <= 8 else [""] * h
    if h <= 8:  # the memory travelling round the loop: s_{t-1} as small neurons on it
        px += [LOOP_X] * h
        # neuron 1 on top, as in the cell (read left to right, top to bottom) and the chain's strips
        py += list(np.linspace(LOOP_TOP - 0.55, LOOP_BOTTOM + 0.55, h) if h > 1 else [(LOOP_TOP + LOOP_BOTTOM) / 2])
        pvals += list(s_prev)
        psize += [14.0] * h
        ptext += [""] * h
        phover += [f"{neuron(k)}'s memory {s_of(t - 1, k)} = {s_prev[k]:+.3f}" for k in range(h)]
    marker = {"color": pvals, "colorscale": HIDDEN_SCALE, "cmin": -1, "cmax": 1, "size": psize}
    return {
        "type": "scatter",
        "x": px,
        "y": py,
        "mode": "markers+text",
        "text": ptext,
        "textposition": "bottom center",
        "marker": {**marker, "line": {"color": GREY, "width": 1}},
        "hovertext": phover,
        "hoverinfo": "text",
        "name": "hidden units",
    }


def _cell_shapes(tr: Trace, o: float) -> list[dict[str, Any]]:
    """The cell's box, the loop (dotted for the goldfish, whose memory is reset) and the o_t gauge."""
    x0, y0, x1, y1 = BOX
    loop_line = {"color": GREY, "width": 2, "dash": "dot" if tr.forget else "solid"}
    gauge = {"type": "rect", "x0": GAUGE[0], "y0": GAUGE[1], "y1": GAUGE[3]}
    return [
        {"type": "rect", "x0": x0, "y0": y0, "x1": x1, "y1": y1, "line": {"color": GREY, "width": 2}},
        {  # the loop: out of the cell's right side, down, and back in
            "type": "path",
            "path": f"M {x1} {LOOP_TOP} L {LOOP_X} {LOOP_TOP} L {LOOP_X} {LOOP_BOTTOM} L {x1 + 0.45} {LOOP_BOTTOM}",
            "line": loop_line,
        },
        {**gauge, "x1": GAUGE[2], "line": {"color": GREY, "width": 1}},
        {**gauge, "x1": GAUGE[0] + (GAUGE[2] - GAUGE[0]) * o, "fillcolor": colour(o), "line": {"width": 0}},
        {  # 0.5: undecided
            "type": "line",
            "x0": MID,
            "x1": MID,
            "y0": GAUGE[1] - 0.1,
            "y1": GAUGE[3] + 0.1,
            "line": {"color": GREY, "width": 1, "dash": "dot"},
        },
    ]


def _wiring(tr: Trace, t: int, token: str, o: float) -> tuple[list[Arrow], list[Label]]:
    """The arrows (x_t in, the memory back in at the loop's end, o_t out) and their labels with the numbers."""
    i = t - 1
    x0, _, x1, y1 = BOX
    inp = float(np.linalg.norm(tr.input_part[i]))  # how hard the word pushes
    mem = float(np.linalg.norm(tr.memory_part[i]))  # how hard the memory pushes
    memory_note = "goldfish: reset to s<sub>0</sub>" if tr.forget else f"= {sub('s', t - 1)}"
    arrows: list[Arrow] = [
        (MID, 1.05, MID, BOX[1] - 0.13, "triangle-up"),  # a head is centred on its end: its tip meets the box
        (x1 + 0.45, LOOP_BOTTOM, x1 + 0.08, LOOP_BOTTOM, "triangle-left"),
        (MID, y1, MID, 8.1, "triangle-up"),
    ]
    gauge_mid = (GAUGE[1] + GAUGE[3]) / 2
    memory = f"{sub('s', 't−1')} {memory_note}<br>‖W {sub('s', 't−1')}‖ = {mem:.2f}"
    notes: list[Label] = [
        label(MID, 0.55, f"{sub('x', t)} = “{token}”", size=15, color=HIGHLIGHT),
        label(MID + 0.6, 2.05, f"‖U {sub('x', 't')}‖ = {inp:.2f}", xanchor="left", size=12),
        label(X_MAX, LOOP_BOTTOM - 0.3, memory, xanchor="right", yanchor="top", size=11),
        label(x0 + 0.05, y1 - 0.2, f"{sub('s', t)}: {tr.H} hidden units", xanchor="left", yanchor="top", size=10),
        label(MID, 8.65, f"{sub('o', t)} = <b>{o:.3f}</b> {verdict(o)}", size=14),
        label(GAUGE[0] - 0.1, gauge_mid, "0", xanchor="right", size=10, color=GREY),
        label(GAUGE[2] + 0.1, gauge_mid, "1", xanchor="left", size=10, color=GREY),
    ]
    if tr.kinds[i] != "known":
        notes.append(label(MID, 0.0, kind_note(tr.kinds[i]).strip(" ()"), yanchor="bottom", size=11, color=GREY))
    return arrows, notes


def rolled_figure(tr: Trace, step: int | None = None, *, compare: Trace | None = None) -> go.Figure:
    """One RNN cell with its loop at step t (1..T; None = T, clamped): x_t in, s_t inside, o_t out."""
    return figure_from(rolled_spec(tr, step, compare=compare))
