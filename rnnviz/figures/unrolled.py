"""The unrolled view: one copy of the same cell per word, each passing s_t on to the next.

Click-to-select: the token labels, the o_t markers and the hidden-state strips carry `customdata`
whose first element is the step t (1..T) they stand for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.mark import Arrow, arrow_traces, label, text_traces
from rnnviz.figures.style import (
    CLEAR,
    DIVERGING,
    GREY,
    HIGHLIGHT,
    Spec,
    base_layout,
    clamp_step,
    esc,
    figure_from,
    in_background,
    kind_note,
    spec,
    sub,
    token_label,
    verdict,
)

if TYPE_CHECKING:
    from rnnviz.trace import Trace

HALF = 0.28  # half the width of a copy's box, in steps
Y_TOKEN, Y_TOKEN_LOW = -0.55, -0.9  # token rows (every other token drops a row when they are crowded)
Y_OUT, Y_GOLDFISH = 1.6, 2.05
STAGGER_ABOVE = 8  # more copies than this and the token labels alternate between two rows
FIG_HEIGHT = 340

SHARED_HOVER = {
    "U": "U: the same input weights in every copy",
    "W": "W: the same memory weights in every copy",
    "V": "V: the same readout weights in every copy",
}


def window_range(n_steps: int, step: int, window: int) -> tuple[int, int]:
    """First and last step (1-based, inclusive) of the copies shown: `window` of them around `step`."""
    window = max(1, int(window))
    if n_steps <= window:
        return 1, n_steps
    first = min(max(1, step - window // 2), n_steps - window + 1)
    return first, first + window - 1


def _label_limit(n: int) -> int:
    """Characters a token label may use so neighbouring labels never overlap."""
    if n <= 5:
        return 16
    if n <= STAGGER_ABOVE:
        return 9
    return 10  # labels alternate rows, so each has about two copies' width


def unrolled_spec(tr: Trace, step: int | None = None, *, compare: Trace | None = None, window: int = 16) -> Spec:
    """The unrolled view as plain dicts; `unrolled_figure` wraps it in a Plotly figure."""
    t_sel = clamp_step(tr, step)
    first, last = window_range(tr.T, t_sel, window)
    steps = np.arange(first, last + 1)  # (n,) the steps shown
    n = len(steps)
    xs = np.arange(n, dtype=float)  # copy k sits at x = k
    h = tr.H
    limit = _label_limit(n)
    words = tr.labels  # as a person reads them
    stagger = n > STAGGER_ABOVE

    # One heatmap for every copy's hidden units: brick edges alternate box / gap, gaps are empty (NaN).
    # numpy arrays, not nested lists: Plotly deep-copies every trace and lists of lists cost ~10x more.
    edges = np.stack([xs - HALF, xs + HALF], axis=1).ravel()  # (2n,)
    states = tr.hidden[steps]  # (n, H)
    z = np.full((h, 2 * n - 1), np.nan)  # (H, 2n-1)
    z[:, ::2] = states.T
    heads = [f"t = {t}: “{esc(words[t - 1])}”<br>unit " for t in steps]
    hover = np.full((h, 2 * n - 1), "", dtype=object)  # (H, 2n-1)
    for k, t in enumerate(steps):
        hover[:, 2 * k] = [f"{heads[k]}{u + 1}: {sub('s', t)}[{u}] = {v:+.3f}" for u, v in enumerate(states[k])]
    strips = {
        "type": "heatmap",
        "x": edges,
        "y": np.linspace(0.0, 1.0, h + 1),
        "z": z,
        "zmin": -1,
        "zmax": 1,
        "colorscale": DIVERGING,
        "showscale": False,
        "hoverongaps": False,
        "hovertext": hover.astype(str),
        "hoverinfo": "text",
        "name": "hidden state s_t",
    }
    # Heatmap cells cannot be selected in Plotly, so each copy gets one clickable (clear) marker.
    copies = {
        "type": "scatter",
        "x": xs.tolist(),
        "y": [0.5] * n,
        "mode": "markers",
        "marker": {"size": 20, "color": CLEAR, "symbol": "square"},
        "customdata": [[int(t)] for t in steps],
        "hovertext": [
            f"{sub('s', t)}: the state after “{esc(words[t - 1])}” ({h} units)<br>click to select step {t}"
            for t in steps
        ],
        "hoverinfo": "text",
        "name": "copies of the cell",
    }

    # Every arrow in two traces (lines and heads), whatever their number.
    arrows: list[Arrow] = []
    labels_x: list[float] = []
    labels_y: list[float] = []
    labels: list[str] = []
    for k in range(n):
        x = float(xs[k])
        arrows.append((x, Y_TOKEN + 0.2, x, -0.07, "triangle-up"))
        arrows.append((x, 1.02, x, Y_OUT - 0.17, "triangle-up"))
        labels_x += [x + 0.09, x + 0.09]
        labels_y += [(Y_TOKEN + 0.2 - 0.07) / 2, (1.02 + Y_OUT - 0.17) / 2]
        labels += ["U", "V"]
        if k:
            arrows.append((x - 1 + HALF, 0.5, x - HALF - 0.06, 0.5, "triangle-right"))
            labels_x.append(x - 0.5)
            labels_y.append(0.7)
            labels.append("W")
    # Into the first copy: s_0, or the state carried from the hidden earlier steps.
    arrows.append((-0.52, 0.5, -HALF - 0.06, 0.5, "triangle-right"))
    labels_x.append(-0.4)
    labels_y.append(0.7)
    labels.append("W")
    start_text = f"{sub('s', 0)}<br>= 0" if first == 1 else f"… {first - 1}<br>earlier"
    notes = [label(-0.95, 0.5, start_text, size=10)]
    if last < tr.T:
        arrows.append((n - 1 + HALF, 0.5, n - 1 + 0.52, 0.5, "triangle-right"))
        notes.append(label(n - 1 + 0.95, 0.5, f"{tr.T - last}<br>later …", size=10))
    shared = {
        "type": "scatter",
        "x": labels_x,
        "y": labels_y,
        "mode": "text",
        "text": [f"<b>{s}</b>" for s in labels],
        "textposition": ["middle center" if s == "W" else "middle right" for s in labels],
        "textfont": {"size": 11, "color": GREY},
        "hovertext": [SHARED_HOVER[s] for s in labels],
        "hoverinfo": "text",
        "name": "shared weights U, W, V",
    }

    token_text = [token_label(words[t - 1], tr.kinds[t - 1], limit) for t in steps]
    token_text = [f"<b>{s}</b>" if t == t_sel else s for s, t in zip(token_text, steps, strict=True)]
    token_y = [Y_TOKEN_LOW if stagger and k % 2 else Y_TOKEN for k in range(n)]
    tokens = {
        "type": "scatter",
        "x": xs.tolist(),
        "y": token_y,
        "mode": "markers+text",
        "text": token_text,
        "textposition": "middle center",
        "marker": {"size": 22, "color": CLEAR, "symbol": "square"},
        "customdata": [[int(t)] for t in steps],
        "hovertext": [
            f"{sub('x', t)} = “{esc(words[t - 1])}”{kind_note(tr.kinds[t - 1])}<br>click to select step {t}"
            for t in steps
        ],
        "hoverinfo": "text",
        "name": "words x_t",
    }
    outs = tr.outputs[steps - 1]  # (n,)
    outputs = {
        "type": "scatter",
        "x": xs.tolist(),
        "y": [Y_OUT] * n,
        "mode": "markers+text",
        "text": [f"{o:.2f}" for o in outs],
        "textposition": "top center",
        "textfont": {"size": 11},
        "marker": {
            "size": 12,
            "color": outs.tolist(),
            "colorscale": DIVERGING,
            "cmin": 0,
            "cmax": 1,
            "line": {"color": GREY, "width": 1},
        },
        "customdata": [[int(t)] for t in steps],
        "hovertext": [f"{sub('o', t)} = {o:.3f}: {verdict(o)} so far" for t, o in zip(steps, outs, strict=True)],
        "hoverinfo": "text",
        "name": "o_t",
    }
    # Arrows and the window's edge notes stay the same while a word is typed: background, under the rest.
    # The U, W, V labels stay on top with the copies: their hover says what a shared weight is.
    background = in_background(arrow_traces(arrows) + text_traces(notes, "labels"))
    data = [*background, strips, shared, copies, tokens, outputs]

    tickvals, ticktext = [Y_TOKEN, 0.5, Y_OUT], [sub("x", "t"), sub("s", "t"), sub("o", "t")]
    top = Y_OUT + 0.35
    if compare is not None:
        g = compare.outputs[np.minimum(steps, compare.T) - 1]  # (n,)
        data.append(
            {
                "type": "scatter",
                "x": xs.tolist(),
                "y": [Y_GOLDFISH] * n,
                "mode": "markers+text",
                "text": [f"{o:.2f}" for o in g],
                "textposition": "top center",
                "textfont": {"size": 10, "color": GREY},
                "marker": {"size": 9, "symbol": "circle-open", "color": GREY, "line": {"width": 2}},
                "customdata": [[int(t)] for t in steps],
                "hovertext": [
                    f"goldfish {sub('o', t)} = {o:.3f}: the word alone, no memory"
                    for t, o in zip(steps, g, strict=True)
                ],
                "hoverinfo": "text",
                "name": "goldfish o_t",
            }
        )
        tickvals.append(Y_GOLDFISH)
        ticktext.append("goldfish")
        top = Y_GOLDFISH + 0.35

    k_sel = int(t_sel - first)
    shapes = [
        {
            "type": "rect",
            "x0": k_sel - 0.46,
            "x1": k_sel + 0.46,
            "y0": (Y_TOKEN_LOW if stagger else Y_TOKEN) - 0.2,
            "y1": top - 0.05,
            "line": {"color": HIGHLIGHT, "width": 2},
            "fillcolor": "rgba(204,121,167,0.10)",
            "layer": "below",
        }
    ]
    shapes += [  # thin outline of each copy's box
        {"type": "rect", "x0": x - HALF, "x1": x + HALF, "y0": 0, "y1": 1, "line": {"color": GREY, "width": 1}}
        for x in xs
    ]
    shown = f", steps {first}–{last} of {tr.T}" if n < tr.T else ""
    title = f"Unrolled: the same cell once per word{shown} (t = {t_sel} selected)"
    layout = base_layout(
        FIG_HEIGHT,
        title,
        xaxis={
            "range": [-1.45, n - 1 + (1.45 if last < tr.T else 0.6)],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
            "tickvals": xs.tolist(),
            "ticktext": [str(t) for t in steps],
            "tickfont": {"size": 10, "color": GREY},
        },
        yaxis={
            "range": [(Y_TOKEN_LOW if stagger else Y_TOKEN) - 0.3, top + 0.1],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
            "tickvals": tickvals,
            "ticktext": ticktext,
        },
        shapes=shapes,
        margin={"l": 56, "r": 8, "t": 40, "b": 24},
    )
    return spec(data, layout)


def unrolled_figure(tr: Trace, step: int | None = None, *, compare: Trace | None = None, window: int = 16) -> go.Figure:
    """The cell unrolled over the words, `window` copies around step t (1..T; None = T, clamped)."""
    return figure_from(unrolled_spec(tr, step, compare=compare, window=window))
