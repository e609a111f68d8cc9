"""The unrolled view: one copy of the same cell per word, each passing s_t on to the next.

Click-to-select: the token labels, the o_t markers and the hidden-state strips carry `customdata`
whose first element is the step t (1..T) they stand for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.mark import (
    Arrow,
    Label,
    Wire,
    arrow_traces,
    label,
    output_marker,
    shared_labels,
    text_traces,
    weight_about,
    weight_at,
)
from rnnviz.figures.style import (
    CLEAR,
    GREY,
    HIDDEN_SCALE,
    HIGHLIGHT,
    Spec,
    base_layout,
    clamp_step,
    esc,
    figure_from,
    in_background,
    kind_note,
    neuron,
    s_of,
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
CUT_GAP = 0.09  # half the gap in a memory link cut by the goldfish, in steps
CUT_LINKS = "memory links cut (goldfish)"
STILL_TO_COME = "still to come"  # the veil over the copies after the selected step (the page gives it its background)
VEIL = "rgba(255,255,255,0.72)"

CUT_NOTE = "<br>the memory link, cut for the goldfish (each word starts again from s<sub>0</sub>)"


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


class Window(NamedTuple):
    """The copies shown: steps first..last of the trace (copy k at x = k), with step t_sel selected."""

    tr: Trace
    t_sel: int
    first: int
    last: int

    @property
    def steps(self) -> np.ndarray:
        return np.arange(self.first, self.last + 1)  # (n,)

    @property
    def xs(self) -> np.ndarray:
        return np.arange(self.last - self.first + 1, dtype=float)  # (n,)

    @property
    def stagger(self) -> bool:
        return len(self.xs) > STAGGER_ABOVE

    @property
    def bottom(self) -> float:
        return Y_TOKEN_LOW if self.stagger else Y_TOKEN


def unrolled_spec(tr: Trace, step: int | None = None, *, compare: Trace | None = None, window: int = 16) -> Spec:
    """The unrolled view as plain dicts; `unrolled_figure` wraps it in a Plotly figure."""
    t_sel = clamp_step(tr, step)
    w = Window(tr, t_sel, *window_range(tr.T, t_sel, window))
    # Arrows and the window's edge notes stay the same while a word is typed: background, under the rest.
    # The U, W, V labels stay on top with the copies: their hover says what a shared weight is.
    arrows, notes, shared = _wiring(w, cut=compare is not None)
    background = in_background(arrow_traces(arrows) + text_traces(notes, "labels"))
    if compare is not None:  # the goldfish has no memory: the links s_{t-1} -> s_t are drawn cut
        background += in_background([_cut_links(w)])
    data = [*background, _strips(w), *shared, _copies(w), _tokens(w), _outputs(w), _message(w)]
    rows = [(Y_TOKEN, sub("x", "t")), (0.5, sub("s", "t")), (Y_OUT, sub("o", "t"))]
    if compare is not None:
        data.append(_goldfish_row(w, compare))
        rows.append((Y_GOLDFISH, "goldfish"))
    return spec(data, _layout(w, rows, cut=compare is not None))


def _message(w: Window) -> dict[str, Any]:
    """s_{t-1} as one dot arriving at the selected copy; `meta.along` is the way it came along the W arrow from the
    copy before (or from the left edge), which Play in the page animates (rnnviz/app/frontend/live_chart.js)."""
    x = float(w.t_sel - w.first)
    start = x - 1 + HALF if w.t_sel > w.first else -0.52
    end = x - HALF - 0.06
    mean = float(np.mean(w.tr.hidden[w.t_sel - 1]))
    return {
        "type": "scatter",
        "x": [end],
        "y": [0.5],
        "mode": "markers",
        "marker": {
            "color": [mean],
            "colorscale": HIDDEN_SCALE,
            "cmin": -1,
            "cmax": 1,
            "size": 10,
            "line": {"color": GREY, "width": 1},
        },
        "hoverinfo": "skip",
        "name": "message s_{t-1}",
        "showlegend": False,
        "meta": {"along": {"x": [start, end], "y": [0.5, 0.5]}},
    }


def _strips(w: Window) -> dict[str, Any]:
    """One heatmap for every copy's hidden units, neuron 1 on top (as in the loop): brick edges alternate box / gap,
    gaps are empty (NaN)."""
    # numpy arrays, not nested lists: Plotly deep-copies every trace and lists of lists cost ~10x more.
    steps, xs, h = w.steps, w.xs, w.tr.H
    n = len(steps)
    edges = np.stack([xs - HALF, xs + HALF], axis=1).ravel()  # (2n,)
    states = w.tr.hidden[steps]  # (n, H)
    z = np.full((h, 2 * n - 1), np.nan)  # (H, 2n-1)
    z[:, ::2] = states.T[::-1]  # row r is neuron H - r: Plotly draws row 0 at the bottom
    heads = [f"t = {t}: “{esc(w.tr.labels[t - 1])}”<br>" for t in steps]
    hover = np.full((h, 2 * n - 1), "", dtype=object)  # (H, 2n-1)
    for k, t in enumerate(steps):
        hover[::-1, 2 * k] = [f"{heads[k]}{neuron(u)}: {s_of(t, u)} = {v:+.3f}" for u, v in enumerate(states[k])]
    return {
        "type": "heatmap",
        "x": edges,
        "y": np.linspace(0.0, 1.0, h + 1),
        "z": z,
        "zmin": -1,
        "zmax": 1,
        "colorscale": HIDDEN_SCALE,
        "showscale": False,
        "hoverongaps": False,
        "hovertext": hover.astype(str),
        "hoverinfo": "text",
        "name": "hidden state s_t",
    }


def _copies(w: Window) -> dict[str, Any]:
    """Heatmap cells cannot be selected in Plotly, so each copy gets one clickable (clear) marker."""
    words = w.tr.labels
    return {
        "type": "scatter",
        "x": w.xs.tolist(),
        "y": [0.5] * len(w.xs),
        "mode": "markers",
        "marker": {"size": 20, "color": CLEAR, "symbol": "square"},
        "customdata": [[int(t)] for t in w.steps],
        "hovertext": [
            f"{sub('s', t)}: the state after “{esc(words[t - 1])}” ({w.tr.H} units)<br>click to select step {t}"
            for t in w.steps
        ],
        "hoverinfo": "text",
        "name": "copies of the cell",
    }


def _cut_links(w: Window) -> dict[str, Any]:
    """The memory links with the goldfish on: a dashed stub either side of a gap with scissors, no arrowhead."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x in w.xs:  # the link into each copy, from the one before it (or from s_0)
        left, right = (float(x) - 1 + HALF, float(x) - HALF - 0.06) if x else (-0.52, -HALF - 0.06)
        mid = (left + right) / 2
        xs += [left, mid - CUT_GAP, None, mid + CUT_GAP, right, None]
        ys += [0.5, 0.5, None, 0.5, 0.5, None]
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "line": {"color": GREY, "width": 1.5, "dash": "dot"},
        "hoverinfo": "skip",
        "showlegend": False,
        "name": CUT_LINKS,
    }


def _wiring(w: Window, cut: bool = False) -> tuple[list[Arrow], list[Label], list[dict[str, Any]]]:
    """Every arrow (x_t up through U, s_t up through V, s_{t-1} across through W), the notes at the window's
    ends, and the U, W, V labels (a text trace per weight, with hover). `cut`: the goldfish is on, so the memory
    links (s_{t-1} across through W) are left out here and drawn cut by `_cut_links`."""
    n = len(w.xs)
    arrows: list[Arrow] = []
    places: list[tuple[float, float, str, str]] = []  # x, y, weight, text position
    steps: list[int] = []  # the step of the copy each label belongs to
    wires: dict[str, list[Wire]] = {"U": [], "W": [], "V": []}
    for k in range(n):
        x, t = float(w.xs[k]), int(w.steps[k])
        wires["U"].append((x, Y_TOKEN + 0.2, x, -0.07))
        wires["V"].append((x, 1.02, x, Y_OUT - 0.17))
        # Into each copy the memory comes from the copy before it (into the first: s_0, or the earlier steps).
        wires["W"].append((x - 1 + HALF, 0.5, x - HALF - 0.06, 0.5) if k else (-0.52, 0.5, -HALF - 0.06, 0.5))
        places += [(x + 0.09, (Y_TOKEN + 0.2 - 0.07) / 2, "U", "middle right"),
                   (x + 0.09, (1.02 + Y_OUT - 0.17) / 2, "V", "middle right"),
                   (x - 0.5 if k else -0.4, 0.7, "W", "middle center")]  # fmt: skip
        steps += [t, t, t]
    arrows += [(x0, y0, x1, y1, "triangle-up") for x0, y0, x1, y1 in wires["U"] + wires["V"]]
    if not cut:
        arrows += [(x0, y0, x1, y1, "triangle-right") for x0, y0, x1, y1 in wires["W"]]
    start_text = f"{sub('s', 0)}<br>= 0" if w.first == 1 else f"… {w.first - 1}<br>earlier"
    notes = [label(-0.95, 0.5, start_text, size=10)]
    if w.last < w.tr.T and not cut:
        arrows.append((n - 1 + HALF, 0.5, n - 1 + 0.52, 0.5, "triangle-right"))
        notes.append(label(n - 1 + 0.95, 0.5, f"{w.tr.T - w.last}<br>later …", size=10))
    about = {name: weight_about(w.tr, name, "on every copy and on the loop") for name in "UWV"}
    at = [weight_at(w.tr, name, t) + (CUT_NOTE if cut and name == "W" else "")
          for (_, _, name, _), t in zip(places, steps, strict=True)]  # fmt: skip
    if cut:  # no memory link to light: the goldfish's are cut
        wires["W"] = []
    return arrows, notes, shared_labels(places, at, about, wires, size=11, color=GREY)


def _tokens(w: Window) -> dict[str, Any]:
    """The words x_t under the copies (the selected one bold), clickable; crowded ones alternate two rows."""
    tr, steps = w.tr, w.steps
    limit = _label_limit(len(steps))
    words = tr.labels  # as a person reads them
    text = [token_label(words[t - 1], tr.kinds[t - 1], limit) for t in steps]
    text = [f"<b>{s}</b>" if t == w.t_sel else s for s, t in zip(text, steps, strict=True)]
    return {
        "type": "scatter",
        "x": w.xs.tolist(),
        "y": [Y_TOKEN_LOW if w.stagger and k % 2 else Y_TOKEN for k in range(len(steps))],
        "mode": "markers+text",
        "text": text,
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


def _outputs(w: Window) -> dict[str, Any]:
    """o_t above each copy, coloured and written out."""
    outs = w.tr.outputs[w.steps - 1]  # (n,)
    hover = [f"{sub('o', t)} = {o:.3f}: {verdict(o)} so far" for t, o in zip(w.steps, outs, strict=True)]
    return _output_row(w, outs, Y_OUT, output_marker(outs, 12), {"size": 11}, hover, "o_t")


def _goldfish_row(w: Window, compare: Trace) -> dict[str, Any]:
    """The goldfish run's o_t (each word alone) in a row above the real ones."""
    g = compare.outputs[np.minimum(w.steps, compare.T) - 1]  # (n,)
    hover = [f"goldfish {sub('o', t)} = {o:.3f}: the word alone, no memory" for t, o in zip(w.steps, g, strict=True)]
    marker = {"size": 9, "symbol": "circle-open", "color": GREY, "line": {"width": 2}}
    return _output_row(w, g, Y_GOLDFISH, marker, {"size": 10, "color": GREY}, hover, "goldfish o_t")


def _output_row(
    w: Window, outs: np.ndarray, y: float, marker: dict[str, Any], font: dict[str, Any], hover: list[str], name: str
) -> dict[str, Any]:
    """A row of outputs at height y, one selectable marker per copy with its value written above."""
    return {
        "type": "scatter",
        "x": w.xs.tolist(),
        "y": [y] * len(outs),
        "mode": "markers+text",
        "text": [f"{o:.2f}" for o in outs],
        "textposition": "top center",
        "textfont": font,
        "marker": marker,
        "customdata": [[int(t)] for t in w.steps],
        "hovertext": hover,
        "hoverinfo": "text",
        "name": name,
    }


def _layout(w: Window, rows: list[tuple[float, str]], cut: bool = False) -> dict[str, Any]:
    """Axes as a canvas with the rows named on the left, the selected copy's band and every copy's box."""
    n, xs = len(w.xs), w.xs
    top = rows[-1][0] + 0.35
    k_sel = int(w.t_sel - w.first)
    selected = {"type": "rect", "x0": k_sel - 0.46, "x1": k_sel + 0.46, "y0": w.bottom - 0.2, "y1": top - 0.05}
    selected.update(line={"color": HIGHLIGHT, "width": 2}, fillcolor="rgba(204,121,167,0.10)", layer="below")
    boxes = [  # thin outline of each copy's box
        {"type": "rect", "x0": x - HALF, "x1": x + HALF, "y0": 0, "y1": 1, "line": {"color": GREY, "width": 1}}
        for x in xs
    ]
    veil = []
    if k_sel < n - 1:  # the copies still to come, dimmed: the chain fills copy by copy as the words are read
        veil.append({"type": "rect", "x0": k_sel + 0.5, "x1": n - 1 + 0.5, "y0": -0.08, "y1": top - 0.05,
                     "fillcolor": VEIL, "line": {"width": 0}, "layer": "above", "name": STILL_TO_COME})  # fmt: skip
    shown = f", steps {w.first}–{w.last} of {w.tr.T}" if n < w.tr.T else ""
    canvas = {"fixedrange": True, "showgrid": False, "zeroline": False}
    return base_layout(
        FIG_HEIGHT,
        f"Unrolled: the same cell once per word{shown} (t = {w.t_sel} selected)"
        + (" · goldfish: memory links cut" if cut else ""),
        xaxis={
            "range": [-1.45, n - 1 + (1.45 if w.last < w.tr.T else 0.6)],
            **canvas,
            "tickvals": xs.tolist(),
            "ticktext": [str(t) for t in w.steps],
            "tickfont": {"size": 10, "color": GREY},
        },
        yaxis={
            "range": [w.bottom - 0.3, top + 0.1],
            **canvas,
            "tickvals": [y for y, _ in rows],
            "ticktext": [name for _, name in rows],
        },
        shapes=[selected, *boxes, *veil],
        margin={"l": 56, "r": 8, "t": 40, "b": 24},
    )


def unrolled_figure(tr: Trace, step: int | None = None, *, compare: Trace | None = None, window: int = 16) -> go.Figure:
    """The cell unrolled over the words, `window` copies around step t (1..T; None = T, clamped)."""
    return figure_from(unrolled_spec(tr, step, compare=compare, window=window))
