"""Shared look of every view: colour-blind-safe colours, escaping, step clamping and the base layout."""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

if TYPE_CHECKING:
    from rnnviz.trace import Trace

# Okabe-Ito colours: safe for the common colour-vision deficiencies, readable on light and dark themes.
NEGATIVE = "#0072B2"  # blue: negative sentiment, negative hidden values
POSITIVE = "#E69F00"  # orange: positive sentiment, positive hidden values
NEUTRAL = "#BBBBBB"  # 0 for hidden values, 0.5 for o_t
HIGHLIGHT = "#CC79A7"  # the selected step
GREY = "#8C8C8C"  # arrows, guides and secondary text: mid-grey reads on white and on near-black
FAINT = "rgba(140,140,140,0.25)"  # grid lines
CLEAR = "rgba(0,0,0,0)"

_STOPS = ((0.0, "#0072B2"), (0.25, "#56B4E9"), (0.5, NEUTRAL), (0.75, "#F0C55A"), (1.0, "#D55E00"))
# Blue -> grey -> orange. One scale for hidden values in [-1, 1] and for o_t in [0, 1].
DIVERGING: list[list[Any]] = [[p, c] for p, c in _STOPS]

GATE_LABELS = {
    "r": "r reset",
    "z": "z update",
    "n": "n candidate",
    "i": "i input",
    "f": "f forget",
    "g": "g candidate",
    "o": "o output",
    "cell": "c cell state",
}
TANH_GATES = frozenset({"n", "g", "cell"})  # range [-1, 1]; every other gate is a sigmoid in [0, 1]

_KIND_NOTE = {"known": "", "pieces": "built from word pieces", "unknown": "unknown word"}


def esc(text: str) -> str:
    """Escape user text for Plotly labels, which render a subset of HTML."""
    return html.escape(str(text), quote=True)


def clamp_step(tr: Trace, step: int | None) -> int:
    """The step t in 1..T that a view shows: None means T, anything outside is clamped."""
    if step is None:
        return tr.T
    return max(1, min(tr.T, int(step)))


def short(token: str, limit: int) -> str:
    """A token cut to `limit` characters with an ellipsis (raw text; escape afterwards)."""
    return token if len(token) <= limit else token[: max(1, limit - 1)] + "…"


def token_label(token: str, kind: str, limit: int | None = None) -> str:
    """Escaped display text of a token: italic if built from pieces, a trailing '?' if unknown."""
    text = esc(short(token, limit) if limit else token)
    if kind == "pieces":
        return f"<i>{text}</i>"
    if kind == "unknown":
        return f"{text}?"
    return text


def kind_note(kind: str) -> str:
    note = _KIND_NOTE.get(kind, "")
    return f" ({note})" if note else ""


def _hex(c: str) -> np.ndarray:
    return np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


_STOP_POS = np.array([p for p, _ in _STOPS])
_STOP_RGB = np.stack([_hex(c) for _, c in _STOPS])  # (5, 3)


def colour(u: float) -> str:
    """The DIVERGING colour at u in [0, 1] (0 blue, 0.5 grey, 1 orange) as an rgb() string."""
    u = float(np.clip(u, 0.0, 1.0))
    rgb = [np.interp(u, _STOP_POS, _STOP_RGB[:, k]) for k in range(3)]
    return "rgb({:.0f},{:.0f},{:.0f})".format(*rgb)


def verdict(o: float) -> str:
    return "positive" if o >= 0.5 else "negative"


def sub(name: str, index: int | str) -> str:
    """Notation with a subscript: sub('s', 't-1') -> s<sub>t-1</sub>."""
    return f"{name}<sub>{index}</sub>"


def base_layout(height: int, title: str, **extra: Any) -> dict[str, Any]:
    """Compact, transparent, theme-neutral layout shared by the views (autosized for narrow screens)."""
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 14}},
        "height": height,
        "autosize": True,
        "margin": {"l": 48, "r": 16, "t": 44, "b": 40},
        "paper_bgcolor": CLEAR,
        "plot_bgcolor": CLEAR,
        "font": {"size": 12},
        "hovermode": "closest",
        "showlegend": False,
        "dragmode": False,
    }
    layout.update(extra)
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            # Plotly's default ("hide past div") measures every tick label on every draw to hide the ones
            # that stick out: 40% of the positivity view's redraw. The fixed margins keep labels inside.
            axis.setdefault("ticklabeloverflow", "allow")
    return layout


def hidden_axis(**extra: Any) -> dict[str, Any]:
    """An axis used as a drawing canvas: no ticks, no grid, no zoom."""
    axis: dict[str, Any] = {
        "visible": False,
        "fixedrange": True,
        "showgrid": False,
        "zeroline": False,
    }
    axis.update(extra)
    return axis


BACKGROUND = {"layer": "background"}  # trace `meta`: under everything else, and the same while the reader types


def in_background(traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark traces that do not change while the reader types (they must come first in the figure's data).

    Live charts draw them once in a plot of their own under the rest, and redraw them only when they change;
    a Plotly figure draws them as usual.
    """
    return [{**trace, "meta": BACKGROUND} for trace in traces]


Label = dict[str, Any]  # a text label: x, y, text, xanchor, yanchor, font
_TEXT_SIDE = {"left": "right", "right": "left", "center": "center"}  # annotation xanchor -> side of the point
_TEXT_ROW = {"bottom": "top", "top": "bottom", "middle": "middle"}  # annotation yanchor -> row of the point


def label(x: float, y: float, text: str, *, xanchor: str = "center", yanchor: str = "middle", **font: Any) -> Label:
    """A text label at (x, y) in data units, anchored like an annotation; `font` may give size and color."""
    return {"x": x, "y": y, "text": text, "xanchor": xanchor, "yanchor": yanchor, "font": font}


def text_traces(labels: list[Label], name: str, size: int = 12) -> list[dict[str, Any]]:
    """Labels as scatter text traces (one per font colour; None is the theme's): what annotations would show.

    Plotly draws every annotation twice on each redraw (once only to measure it for autoranging, even on
    fixed axes); a text trace is drawn once. The rolled view's labels took 10 of its 17 ms per keystroke.
    """
    by_colour: dict[str | None, list[Label]] = {}
    for lab in labels:
        by_colour.setdefault(lab["font"].get("color"), []).append(lab)
    traces = []
    for colour_, group in by_colour.items():
        trace: dict[str, Any] = {
            "type": "scatter",
            "x": [lab["x"] for lab in group],
            "y": [lab["y"] for lab in group],
            "mode": "text",
            "text": [lab["text"] for lab in group],
            "textposition": [f"{_TEXT_ROW[lab['yanchor']]} {_TEXT_SIDE[lab['xanchor']]}" for lab in group],
            "textfont": {"size": [lab["font"].get("size", size) for lab in group]},
            "hoverinfo": "skip",
            "cliponaxis": False,
            "showlegend": False,
            "name": name,
        }
        if colour_ is not None:
            trace["textfont"]["color"] = colour_
        traces.append(trace)
    return traces


Arrow = tuple[float, float, float, float, str]  # x0, y0, x1, y1 in data units; the head's marker symbol


def arrow_traces(arrows: list[Arrow], *, width: float = 1.5, head: int = 7) -> list[dict[str, Any]]:
    """Arrows as two traces, whatever their number: one line trace (None breaks the segments) and one of heads."""
    lx: list[float | None] = []
    ly: list[float | None] = []
    for x0, y0, x1, y1, _ in arrows:
        lx += [x0, x1, None]
        ly += [y0, y1, None]
    lines = {"type": "scatter", "x": lx, "y": ly, "mode": "lines", "line": {"color": GREY, "width": width}}
    heads = {
        "type": "scatter",
        "x": [a[2] for a in arrows],
        "y": [a[3] for a in arrows],
        "mode": "markers",
        "marker": {"symbol": [a[4] for a in arrows], "size": head, "color": GREY},
    }
    for trace, what in ((lines, "arrows"), (heads, "arrowheads")):
        trace.update(hoverinfo="skip", showlegend=False, name=what)
    return [lines, heads]


def _validate_from_now_on(obj: Any) -> None:
    obj._validate = True
    for child in obj._compound_props.values():
        if child is not None:
            _validate_from_now_on(child)
    for children in obj._compound_array_props.values():
        for child in children or ():
            _validate_from_now_on(child)


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A Figure from plain dicts, built without Plotly's per-property validation.

    Validation costs several times more than building the view, and figures are rebuilt on every
    keystroke; the tests validate every view instead. Validation is switched back on afterwards, so
    a caller's own `update_layout(...)` is checked and coerced as usual.
    """
    fig = go.Figure(data=data, layout=layout, _validate=False)
    fig._validate = True
    for obj in (fig.layout, *fig.data):
        _validate_from_now_on(obj)
    return fig


Spec = dict[str, Any]  # a figure as plain data: {"data": [trace dicts], "layout": {...}}


def spec(data: list[dict[str, Any]], layout: dict[str, Any]) -> Spec:
    """A view as plain dicts, before any Plotly object exists (what the live charts send to the page)."""
    return {"data": data, "layout": layout}


def figure_from(view: Spec) -> go.Figure:
    """The Plotly figure of a view's spec (what notebooks, exports and tests get)."""
    return figure(view["data"], view["layout"])


def jsonable(obj: Any) -> Any:
    """`obj` with numpy arrays and scalars turned into lists and Python numbers, and NaN / infinity into None
    (JSON has no NaN: browsers reject it; Plotly reads null as a gap), ready for json.dumps."""
    # The C encoder walks the lists; parse_constant sees only the NaN / Infinity tokens, never text.
    return json.loads(json.dumps(obj, default=_numpy_value), parse_constant=lambda _: None)


def _numpy_value(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")
