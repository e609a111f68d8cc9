"""Shared look of every view: colour-blind-safe colours, escaping, step clamping and the base layout."""

from __future__ import annotations

import functools
import html
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import diverging, sample_colorscale

if TYPE_CHECKING:
    from rnnviz.trace import Trace

# Okabe-Ito colours: safe for the common colour-vision deficiencies, readable on light and dark themes.
NEGATIVE = "#0072B2"  # blue: negative sentiment (o_t, labels, the readout's regions); never a hidden value
POSITIVE = "#E69F00"  # orange: positive sentiment; never a hidden value
NEUTRAL = "#BBBBBB"  # 0.5 for o_t
HIGHLIGHT = "#CC79A7"  # the selected step
GREY = "#8C8C8C"  # arrows, guides and secondary text: mid-grey reads on white and on near-black
FAINT = "rgba(140,140,140,0.25)"  # grid lines
CLEAR = "rgba(0,0,0,0)"

# Blue -> grey -> orange: sentiment only (o_t in [0, 1], effects on o); `colour` samples it.
DIVERGING: list[list[Any]] = [[0.0, "#0072B2"], [0.25, "#56B4E9"], [0.5, NEUTRAL], [0.75, "#F0C55A"], [1.0, "#D55E00"]]
# Purple -> grey -> green (ColorBrewer PRGn, colour-blind safe): hidden values in [-1, 1] only. A neuron's sign
# is not a sentiment (a neuron with a negative readout weight pushes o down when it is positive), so its
# colours are not the sentiment ones. `hidden_colour` samples it.
# Its near-white middle becomes a light grey, so a unit at 0 still shows on a light page.
HIDDEN_SCALE: list[list[Any]] = [
    [k / (len(diverging.PRGn) - 1), "rgb(221,221,221)" if k == len(diverging.PRGn) // 2 else c]
    for k, c in enumerate(diverging.PRGn)
]

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


def colour(u: float) -> str:
    """The DIVERGING colour at u in [0, 1] (0 blue, 0.5 grey, 1 orange) as an rgb() string."""
    return _diverging_at(min(1.0, max(0.0, float(u))))


def hidden_colour(v: float) -> str:
    """The HIDDEN_SCALE colour of a hidden value v in [-1, 1] (-1 purple, 0 light grey, 1 green) as an rgb() string."""
    return _hidden_at(min(1.0, max(0.0, (float(v) + 1) / 2)))


# Plotly checks and parses the whole scale on every call, and a view asks for dozens of colours per keystroke.
@functools.lru_cache(maxsize=4096)
def _diverging_at(u: float) -> str:
    return sample_colorscale(DIVERGING, [u])[0]


@functools.lru_cache(maxsize=4096)
def _hidden_at(u: float) -> str:
    return sample_colorscale(HIDDEN_SCALE, [u])[0]


def neuron(k: int) -> str:
    """Hidden unit k (counted from 0 in code) as every label names it: neuron 1 .. neuron H."""
    return f"neuron {int(k) + 1}"


def s_of(t: int | str, k: int) -> str:
    """s_t[k] as every label writes it, the unit numbered from 1: s_of(3, 0) -> s<sub>3</sub>[1]."""
    return f"{sub('s', t)}[{int(k) + 1}]"


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


def grid_axis(span: list[float], title: str, **extra: Any) -> dict[str, Any]:
    """A fixed axis with a faint grid and zero line, its range and title (state-space views)."""
    axis: dict[str, Any] = {
        "showgrid": True,
        "gridcolor": FAINT,
        "zeroline": True,
        "zerolinecolor": FAINT,
        "fixedrange": True,
        "range": span,
        "title": {"text": title, "font": {"size": 11}},
    }
    axis.update(extra)
    return axis


def legend_row(y: float, size: int = 10) -> dict[str, Any]:
    """A horizontal legend at height y of the plot (below it for y < 0), on a clear background."""
    return {"orientation": "h", "y": y, "x": 0, "font": {"size": size}, "bgcolor": CLEAR}


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


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A Figure from plain dicts, checked by Plotly's validators (the live charts send the spec instead)."""
    return go.Figure(data=data, layout=layout)


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


def json_text(obj: Any) -> str:
    """`obj` as compact, strict JSON text (what `json.dumps(jsonable(obj))` gives), encoded once: numpy arrays and
    scalars as lists and numbers, NaN and infinity as null."""
    text = json.dumps(obj, default=_numpy_value, separators=(",", ":"))
    if "NaN" in text or "Infinity" in text:  # a gap (or a word typed as "NaN"): the exact, slower way
        text = json.dumps(jsonable(obj), separators=(",", ":"), allow_nan=False)
    return text


def _numpy_value(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f" and not np.isfinite(obj).all():  # gaps (a heatmap's NaN columns) as null
            return np.where(np.isfinite(obj), obj, None).tolist()
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")
