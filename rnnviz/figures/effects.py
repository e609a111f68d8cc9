"""The word-effects view: how much each word moved o, by two measures, on the words and as bars.

`effects` comes from rnnviz.analysis.word_effects (WordEffects: plain numpy fields). The two measures:
"at its step" is o_t - o_{t-1}; "if left out" is o_T - o_T(without the word). Word cells and bars carry
`customdata` [[t]].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.style import DIVERGING, FAINT, GREY, base_layout, esc, figure, short, sub

if TYPE_CHECKING:
    from rnnviz.analysis import WordEffects
    from rnnviz.trace import Trace

AT_STEP = f"at its step: {sub('o', 't')} − {sub('o', 't-1')}"
LEFT_OUT = f"if left out: {sub('o', 'T')} − {sub('o', 'T')} without it"
AT_STEP_COLOUR = "#56B4E9"  # sky blue, filled bars
LEFT_OUT_COLOUR = "#009E73"  # bluish green, hatched bars: told apart by pattern as well as colour
MAX_ALL_TICKS = 40


def word_effects_figure(tr: Trace, effects: WordEffects) -> go.Figure:
    """Top: the words, coloured by each measure (two rows). Bottom: both measures as grouped bars."""
    if len(effects.tokens) != tr.T:
        raise ValueError(f"effects are for {len(effects.tokens)} words, the trace has {tr.T}")
    steps = list(range(1, tr.T + 1))
    at, out = effects.at_step.astype(float), effects.left_out.astype(float)
    words = [esc(short(w, 12)) for w in tr.labels]
    hover_at, hover_out = _hovers(tr, effects)
    show_text = tr.T <= MAX_ALL_TICKS
    heat = _heatmap(steps, words if show_text else None, (out, at), (hover_out, hover_at))
    bars = [
        {
            "type": "bar",
            "x": steps,
            "y": vals.round(4).tolist(),
            "marker": {"color": col, "pattern": {"shape": shape, "fgcolor": GREY, "size": 5}},
            "customdata": [[t] for t in steps],
            "hovertext": hover,
            "hoverinfo": "text",
            "name": name,
            "xaxis": "x",
            "yaxis": "y",
        }
        for vals, col, shape, hover, name in (
            (at, AT_STEP_COLOUR, "", hover_at, AT_STEP),
            (out, LEFT_OUT_COLOUR, "/", hover_out, LEFT_OUT),
        )
    ]
    tickvals = steps if show_text else steps[:: max(1, tr.T // MAX_ALL_TICKS + 1)]
    layout = base_layout(
        420,
        f"Word effects: how much each word moved o (final {sub('o', 'T')} = {effects.final:.3f})",
        barmode="group",
        bargap=0.25,
        showlegend=True,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "font": {"size": 11}},
        xaxis={
            "tickvals": tickvals,
            "ticktext": [words[t - 1] for t in tickvals],
            "range": [0.5, tr.T + 0.5],
            "fixedrange": True,
            "showgrid": False,
            "automargin": True,
        },
        yaxis={
            "domain": [0, 0.6],
            "title": {"text": "change in o", "font": {"size": 11}},
            "gridcolor": FAINT,
            "zeroline": True,
            "zerolinecolor": GREY,
            "fixedrange": True,
        },
        yaxis2={"domain": [0.7, 0.95], "fixedrange": True, "showgrid": False, "tickfont": {"size": 10}},
        margin={"l": 80, "r": 16, "t": 80, "b": 40},
    )
    return figure([heat, *bars], layout)


def _hovers(tr: Trace, effects: WordEffects) -> tuple[list[str], list[str]]:
    """Hover text of each word: how o moved at its step, and what leaving it out would change."""
    full = [esc(w) for w in tr.labels]
    at, out = effects.at_step.astype(float), effects.left_out.astype(float)
    hover_at = [
        f"t = {t}: “{w}”<br>o went from {o - d:.3f} to {o:.3f} at this word: {d:+.3f}"
        for t, w, o, d in zip(range(1, tr.T + 1), full, tr.outputs.astype(float), at, strict=True)
    ]
    hover_out = [
        f"“{w}” left out: final o would be {fw:.3f} instead of {effects.final:.3f}; the word adds {d:+.3f}"
        for w, fw, d in zip(full, effects.final_without.astype(float), out, strict=True)
    ]
    return hover_at, hover_out


def _heatmap(
    steps: list[int], words: list[str] | None, rows: tuple[np.ndarray, np.ndarray], hovers: tuple[list[str], list[str]]
) -> dict[str, Any]:
    """The words in two rows (left out, at its step), each cell coloured by that effect on one symmetric scale."""
    lim = max(float(np.abs(np.concatenate(rows)).max()), 0.05)
    return {
        "type": "heatmap",
        "x": steps,
        "y": ["if left out", "at its step"],
        "z": [r.round(4).tolist() for r in rows],
        "zmin": -lim,
        "zmax": lim,
        "colorscale": DIVERGING,
        "text": [words, words] if words is not None else None,
        "texttemplate": "%{text}" if words is not None else None,
        "textfont": {"size": 11},
        "customdata": [[[t] for t in steps], [[t] for t in steps]],
        "hovertext": list(hovers),
        "hoverinfo": "text",
        "xgap": 2,
        "ygap": 2,
        "showscale": True,
        "colorbar": {
            "title": {"text": "change in o", "side": "right", "font": {"size": 10}},
            "len": 0.3,
            "y": 1.0,
            "yanchor": "top",
            "thickness": 10,
            "tickfont": {"size": 9},
        },
        "xaxis": "x",
        "yaxis": "y2",
        "name": "words coloured by effect",
    }
