"""The positivity view: o_t, the positivity of the sentence so far, against the step t.

Click-to-select: the o_t markers (and the goldfish markers, and the highlighted marker) carry
`customdata` whose first element is the step t (1..T) they stand for; so do the words under the
axis: their tick labels sit on a strip of their own (a second y axis, "y2") under one clear
bar per word, so a click on a word selects its step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.mark import output_marker, selected_ring
from rnnviz.figures.style import (
    CLEAR,
    FAINT,
    GREY,
    HIGHLIGHT,
    NEGATIVE,
    POSITIVE,
    Spec,
    base_layout,
    clamp_step,
    esc,
    figure_from,
    kind_note,
    legend_row,
    spec,
    sub,
    token_label,
    verdict,
)

if TYPE_CHECKING:
    from rnnviz.trace import Trace

ALL_TICKS_UP_TO = 40  # longer texts label every k-th word (and the selected one); hover shows all
FIG_HEIGHT = 300
WORDS_PX = (26, 70)  # height of the word strip under the axis: level words, tilted ones
MARGIN_B = 4


def tick_steps(n_steps: int, step: int) -> list[int]:
    """The steps whose word is written under the x axis: all of them, or a readable subset."""
    if n_steps <= ALL_TICKS_UP_TO:
        return list(range(1, n_steps + 1))
    every = int(np.ceil(n_steps / ALL_TICKS_UP_TO * 1.5))
    ticks = set(range(1, n_steps + 1, every)) | {step}
    return sorted(t for t in ticks if t == step or abs(t - step) > every // 2)  # room beside the selected word


def positivity_spec(tr: Trace, step: int | None = None, *, compare: Trace | None = None) -> Spec:
    """The positivity view as plain dicts; `positivity_figure` wraps it in a Plotly figure."""
    t_sel = clamp_step(tr, step)
    outs = tr.outputs.astype(float)  # (T,)
    hover = [
        f"t = {t}: “{esc(tok)}”{kind_note(kind)}<br>{sub('o', t)} = {o:.3f}, {verdict(o)} so far"
        for t, tok, kind, o in zip(range(1, tr.T + 1), tr.labels, tr.kinds, outs, strict=True)
    ]
    data = [_goldfish_curve(tr, compare)] if compare is not None else []
    data.append(_curve(tr, hover, with_goldfish=compare is not None))
    data.append(selected_ring((t_sel, float(outs[t_sel - 1])), t_sel, hover[t_sel - 1], 18))
    final = float(outs[-1])
    cut = f" (first {tr.T} of {tr.n_tokens_total} words)" if tr.truncated else ""
    title = f"Positivity so far: {sub('o', 't')}; verdict {sub('o', 'T')} = {final:.3f} {verdict(final)}{cut}"
    data.append(_word_strip(tr))
    layout = positivity_layout(tr, t_sel, title, height=FIG_HEIGHT, top=60 if compare is not None else 40,
                               legend=compare is not None)  # fmt: skip
    return spec(data, layout)


def positivity_layout(tr: Trace, t_sel: int, title: str, *, height: int, top: int, legend: bool) -> dict[str, Any]:
    """The o_t axes under the word strip (shared with the two-model chart in figures/compare.py): o_t from 0 to 1,
    the positive and negative halves, the words along the bottom, the selected step marked."""
    ticks = tick_steps(tr.T, t_sel)
    strip_px = WORDS_PX[1] if len(ticks) > 6 else WORDS_PX[0]
    strip = strip_px / (height - top - MARGIN_B)  # of the plot's height
    return base_layout(
        height,
        title,
        xaxis=_word_axis(tr, ticks, t_sel),
        yaxis={
            "range": [-0.05, 1.05],
            "tickvals": [0, 0.5, 1],
            "ticktext": ["0", "0.5", "1"],
            "title": {"text": sub("o", "t"), "font": {"size": 12}},
            "gridcolor": FAINT,
            "zeroline": False,
            "fixedrange": True,
            "domain": [strip, 1],
        },
        yaxis2={"domain": [0, strip], "range": [0, 1], "visible": False, "fixedrange": True},
        shapes=_halves(t_sel),
        annotations=_side_notes(),
        showlegend=legend,
        legend={**legend_row(1.0), "yanchor": "bottom"},
        # The word ticks hang into the strip (Plotly tilts them itself when they crowd; no automargin: too slow).
        margin={"l": 48, "r": 22, "t": top, "b": MARGIN_B},
    )


def _curve(tr: Trace, hover: list[str], *, with_goldfish: bool) -> dict[str, Any]:
    """o_t against t: a grey line through markers coloured by o_t, each carrying its step."""
    steps = list(range(1, tr.T + 1))
    outs = tr.outputs.astype(float)  # (T,)
    return {
        "type": "scatter",
        "x": steps,
        "y": outs.tolist(),
        "mode": "lines+markers",
        "line": {"color": GREY, "width": 2},
        "marker": output_marker(outs, 9 if tr.T <= 60 else 5),
        "customdata": [[t] for t in steps],
        "hovertext": hover,
        "hoverinfo": "text",
        "name": "o_t (with memory)" if with_goldfish else "o_t",
    }


def _word_strip(tr: Trace) -> dict[str, Any]:
    """One clear bar per step over the strip where the words are written: a click on a word selects its step.

    Bars, not markers: a bar is hit anywhere inside its column, and the columns meet without overlapping.
    """
    steps = list(range(1, tr.T + 1))
    return {
        "type": "bar",
        "x": steps,
        "y": [1] * tr.T,
        "xaxis": "x",
        "yaxis": "y2",
        "width": 1,
        "marker": {"color": CLEAR, "line": {"width": 0}},
        "customdata": [[t] for t in steps],
        "hovertext": [
            f"{sub('x', t)} = “{esc(w)}”{kind_note(k)}<br>click to select step {t}"
            for t, w, k in zip(steps, tr.labels, tr.kinds, strict=True)
        ],
        "hoverinfo": "text",
        "showlegend": False,
        "name": "words x_t",
    }


def _goldfish_curve(tr: Trace, compare: Trace) -> dict[str, Any]:
    """The goldfish run's o_t (each word alone, no memory), dashed."""
    n_g = min(compare.T, tr.T)
    steps = list(range(1, n_g + 1))
    g = compare.outputs[:n_g].astype(float)
    return {
        "type": "scatter",
        "x": steps,
        "y": g.tolist(),
        "mode": "lines+markers",
        "line": {"color": GREY, "width": 1.5, "dash": "dash"},
        "marker": {"symbol": "circle-open", "size": 7, "color": GREY},
        "customdata": [[t] for t in steps],
        "hovertext": [
            f"goldfish {sub('o', t)} = {o:.3f}: the word alone, no memory" for t, o in zip(steps, g, strict=False)
        ],
        "hoverinfo": "text",
        "name": "goldfish (no memory)",
    }


def _word_axis(tr: Trace, ticks: list[int], t_sel: int) -> dict[str, Any]:
    """The step axis labelled with the words at `ticks`, the selected one bold."""
    limit = 14 if len(ticks) <= 8 else 10  # Plotly tilts crowded labels; shorter ones rarely need it
    ticktext = [token_label(tr.labels[t - 1], tr.kinds[t - 1], limit) for t in ticks]
    return {
        "range": [0.5, tr.T + 0.5],
        "tickvals": ticks,
        "ticktext": [f"<b>{s}</b>" if t == t_sel else s for s, t in zip(ticktext, ticks, strict=True)],
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
        "automargin": False,  # a second layout pass doubled the draw time
    }


def _halves(t_sel: int) -> list[dict[str, Any]]:
    """Faint positive / negative halves, the o = 0.5 line and a dotted line at the selected step."""
    half = 0.5
    band = {"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "opacity": 0.08, "line": {"width": 0}, "layer": "below"}
    return [
        {**band, "y0": half, "y1": 1.05, "fillcolor": POSITIVE},
        {**band, "y0": -0.05, "y1": half, "fillcolor": NEGATIVE},
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": half,
            "y1": half,
            "line": {"color": GREY, "width": 1.5, "dash": "dash"},
        },
        {
            "type": "line",
            "x0": t_sel,
            "x1": t_sel,
            "y0": -0.05,
            "y1": 1.05,
            "line": {"color": HIGHLIGHT, "width": 1.5, "dash": "dot"},
            "layer": "below",
        },
    ]


def _side_notes() -> list[dict[str, Any]]:
    """'positive' and 'negative' in the right margin, turned on their side: never on top of a point."""
    note = {"xref": "paper", "x": 1, "showarrow": False, "xanchor": "left", "yanchor": "middle", "xshift": 2}
    return [
        {**note, "y": y, "text": text, "textangle": -90, "font": {"size": 10, "color": GREY}}
        for y, text in ((0.75, "positive ↑"), (0.25, "↓ negative"))
    ]


def positivity_figure(tr: Trace, step: int | None = None, *, compare: Trace | None = None) -> go.Figure:
    """o_t against t with the 0.5 line; step t (1..T; None = T, clamped) highlighted."""
    return figure_from(positivity_spec(tr, step, compare=compare))
