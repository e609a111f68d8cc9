"""The shared parameters as small heatmaps with their numbers: U, W, b, V and c, the same at every step.

W is drawn whole (rnn-2's 2x2 with its four numbers; for 64 units a heatmap with the numbers on hover). U has
E columns per row, embedding dimensions with no meaning of their own, so it is drawn compactly as the length
of each row, |U_j| (how strongly unit j listens to the word), and the panel's title says so. b is b_ih + b_hh
(the two biases PyTorch keeps always act as one sum). Gated cells stack their gates' blocks (GRU r|z|n, LSTM
i|f|g|o) in U, W and b; the blocks are named on the W axis and in the hover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rnnviz.figures.style import HIDDEN_SCALE, base_layout, figure_from, hidden_axis, spec

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from rnnviz.cell import CellParams
    from rnnviz.figures.style import Spec

NUMBERS_UP_TO = 4  # hidden units: write every number in its cell (more: on hover)
BLOCKS = {"rnn": ("",), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}


def weight_panels(params: CellParams) -> list[tuple[str, np.ndarray, str]]:
    """(title, matrix (rows, cols), what it is) of each panel, left to right."""
    p = params
    rows = "unit and gate" if p.arch != "rnn" else "unit"
    return [
        ("W", p.W, f"W: the memory's weights (row: {rows} of the step, column: unit of s<sub>t-1</sub>)"),
        ("|U| rows", np.linalg.norm(p.U, axis=1)[:, None], f"|U row|: the length of U's row (E = {p.E} numbers)"),
        ("b", (p.b + p.b_hh)[:, None], "b: the bias"),
        ("V", p.V[:, None], "V: the readout weight of each unit"),
        ("c", np.array([[p.c]]), "c: the readout bias"),
    ]


def _rows_note(params: CellParams, n_rows: int) -> str:
    """Which rows belong to which gate's block (gated cells), for the hover."""
    if n_rows != params.W.shape[0] or params.arch == "rnn":
        return ""
    h = params.H
    return "<br>rows: " + ", ".join(f"{g} {k * h + 1}–{(k + 1) * h}" for k, g in enumerate(BLOCKS[params.arch]))


def _panel(params: CellParams, name: str, m: np.ndarray, what: str, ax: str) -> dict[str, Any]:
    """One heatmap on axes x{ax}, y{ax} in HIDDEN_SCALE around 0 (not sentiment colours), numbers written or hovered.

    Rows and columns are numbered from 1 (y0 = x0 = 1), so the hover names the entry, e.g. W[2, 1].
    """
    big = float(np.abs(m).max()) or 1.0
    small = params.H <= NUMBERS_UP_TO
    where = "[%{y}, %{x}]" if name == "W" else "" if m.size == 1 else "[%{y}]"
    trace = {
        "type": "heatmap",
        "z": np.round(m, 4).tolist(),
        "x0": 1,
        "y0": 1,
        "zmin": -big,
        "zmax": big,
        "colorscale": HIDDEN_SCALE,
        "showscale": False,
        "xgap": 1 if small else 0,
        "ygap": 1 if small else 0,
        "hovertemplate": f"{name}{where} = %{{z:+.3f}}<br>{what}{_rows_note(params, m.shape[0])}<extra></extra>",
        "xaxis": f"x{ax}",
        "yaxis": f"y{ax}",
        "name": name,
    }
    if small or m.size == 1:
        trace.update(texttemplate="%{z:+.2f}", textfont={"size": 12})
    return trace


def weight_spec(params: CellParams) -> Spec:
    """U, W, b, V and c side by side as heatmaps (see the module docstring), as plain dicts."""
    panels = weight_panels(params)
    widths = np.array([3.0 if name == "W" else 1.0 for name, _, _ in panels])
    gap = 0.05
    share = widths / widths.sum() * (1 - gap * (len(panels) - 1))  # of the width, each panel's
    starts = np.concatenate([[0.0], np.cumsum(share[:-1])]) + gap * np.arange(len(panels))
    data, axes = [], {}
    for k, (name, m, what) in enumerate(panels):
        ax = "" if k == 0 else str(k + 1)
        data.append(_panel(params, name, m, what, ax))
        domain = [float(starts[k]), float(min(1.0, starts[k] + share[k]))]
        axes[f"xaxis{ax}"] = hidden_axis(
            domain=domain, visible=True, showticklabels=False, title={"text": name}, side="top"
        )
        axes[f"yaxis{ax}"] = hidden_axis(autorange="reversed", anchor=f"x{ax}")
    gated = params.arch != "rnn"
    if gated:  # name the gates' blocks beside W's rows
        blocks = BLOCKS[params.arch]
        centres = [(g + 0.5) * params.H + 0.5 for g in range(len(blocks))]  # rows are numbered from 1
        axes["yaxis"].update(visible=True, showticklabels=True, tickvals=centres, ticktext=list(blocks))
    title = "The shared parameters: the same U, W, V, b, c at every step and in every copy of the cell"
    margin = {"l": 28 if gated else 8, "r": 8, "t": 72, "b": 8}
    layout = base_layout(230 if params.H <= NUMBERS_UP_TO else 360, title, margin=margin, **axes)
    layout["title"].update(y=1, yref="container", yanchor="top", pad={"t": 8})  # above the panels' names
    return spec(data, layout)


def weight_figure(params: CellParams) -> go.Figure:
    """The Plotly figure of `weight_spec`."""
    return figure_from(weight_spec(params))
