"""Marks shared by the views: the path through states, step points, the selected-step ring, s_0, word labels
(and where they go), the goldfish run, arrows and text labels.

Each returns plain trace dicts. Marks of points take an array (N, D): D = 2 gives `scatter`, D = 3 gives
`scatter3d`, so the 2-D and 3-D projections (and the dynamics view) draw the same marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from rnnviz.figures.style import DIVERGING, GREY, HIGHLIGHT, esc, short, sub, verdict

if TYPE_CHECKING:
    from rnnviz.trace import Trace

LABEL_ALL_UP_TO = 20  # longer texts label only the words near the selected step
# Label placement works in an assumed plot area of this many pixels (a half-width column): it only
# needs to know which labels would collide, not where they land exactly.
PLOT_PX = (420.0, 300.0)
CHAR_PX, LINE_PX, MARKER_PX = 6.6, 15.0, 12.0  # 11 px text, 10 px markers
POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "bottom left")

TraceDict = dict[str, Any]  # one Plotly trace as a plain dict


def coords(pts: np.ndarray, digits: int | None = None) -> dict[str, list[float]]:
    """{"x": ..., "y": ...} (and "z" for 3-D points) of points (N, D), rounded to `digits` if given."""
    if digits is not None:
        pts = pts.round(digits)
    return {axis: pts[:, k].tolist() for k, axis in enumerate("xyz"[: pts.shape[1]])}


def _kind(pts: np.ndarray) -> str:
    return "scatter" if pts.shape[1] == 2 else "scatter3d"


def output_marker(outputs: np.ndarray, size: float) -> dict[str, Any]:
    """Markers coloured by o_t on the DIVERGING scale (0 blue, 0.5 grey, 1 orange), outlined in grey."""
    return {
        "size": size,
        "color": np.asarray(outputs, dtype=float).tolist(),
        "colorscale": DIVERGING,
        "cmin": 0,
        "cmax": 1,
        "line": {"color": GREY, "width": 1},
    }


def line_trace(
    pts: np.ndarray,
    name: str,
    width: float,
    *,
    dash: str | None = None,
    opacity: float | None = None,
    digits: int | None = None,
) -> TraceDict:
    """A grey line through points (N, D), not hoverable."""
    line: dict[str, Any] = {"color": GREY, "width": width}
    if dash:
        line["dash"] = dash
    trace: TraceDict = {"type": _kind(pts), **coords(pts, digits), "mode": "lines", "line": line}
    if opacity is not None:
        trace["opacity"] = opacity
    return {**trace, "hoverinfo": "skip", "name": name, "showlegend": False}


def path_traces(p: np.ndarray, t_sel: int, widths: tuple[float, float], ahead_opacity: float | None) -> list[TraceDict]:
    """The path s_0 .. s_t (solid; it includes s_0) and, fainter and dotted, s_t .. s_T still to come."""
    past, future = p[: t_sel + 1], p[t_sel:]
    traces = [line_trace(past, "path so far", widths[0])]
    if len(future) > 1:
        traces.append(line_trace(future, "path still to come", widths[1], dash="dot", opacity=ahead_opacity))
    return traces


MAX_ARROWS = 30  # numbered arrowheads on a long path: more overlap unreadably (and cost ~50 ms a draw at T = 200)
ARROW_GAP = 0.05  # a thinned path's arrowheads keep this far apart, in units of the path's span


def arrow_steps(p: np.ndarray, t_sel: int) -> list[int]:
    """The steps t whose arrowhead is drawn: every step up to MAX_ARROWS; beyond, the newest first, each kept only
    where its midpoint lies ARROW_GAP (of the path's span) from those kept, at most MAX_ARROWS of them."""
    if t_sel <= MAX_ARROWS:
        return list(range(1, t_sel + 1))
    q = p[: t_sel + 1, :2]  # (t_sel + 1, 2)
    span = np.ptp(q, axis=0)
    mids = (q[:-1] + q[1:]) / 2 / np.where(span > 0, span, 1.0)  # (t_sel, 2): step t's midpoint is row t - 1
    kept: list[int] = []
    for t in range(t_sel, 0, -1):
        if not kept or np.min(np.hypot(*(mids[np.array(kept) - 1] - mids[t - 1]).T)) >= ARROW_GAP:
            kept.append(t)
            if len(kept) == MAX_ARROWS:
                break
    return sorted(kept)


def path_arrows(p: np.ndarray, t_sel: int, size: float = 9) -> TraceDict:
    """An arrowhead halfway along each step of the path so far (s_{t-1} -> s_t, t = 1..t_sel), numbered t.

    Plane (N, 2) points only. Each arrowhead follows the point before it in the trace (Plotly's angleref
    "previous"), so the trace alternates s_{t-1} (no marker) and the step's midpoint (the numbered arrowhead).
    A path longer than MAX_ARROWS steps keeps the newest arrowheads that do not crowd each other (arrow_steps).
    """
    steps = arrow_steps(p, t_sel)
    xs: list[float] = []
    ys: list[float] = []
    for t in steps:
        (x0, y0), (x1, y1) = p[t - 1, :2], p[t, :2]
        xs += [float(x0), float((x0 + x1) / 2)]
        ys += [float(y0), float((y0 + y1) / 2)]
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "markers+text",
        "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, size] * len(steps), "color": GREY},
        "text": [s for t in steps for s in ("", str(t))],
        "textposition": "top left",
        "textfont": {"size": 9, "color": GREY},
        "hoverinfo": "skip",
        "name": "path direction",
        "showlegend": False,
    }


def step_hover(tr: Trace, p: np.ndarray | None = None) -> list[str]:
    """Hover text of each step t: the word, o_t and its verdict (and the point's 2-D coordinates if `p` is given)."""
    steps = range(1, tr.T + 1)
    where = [f"({p[t, 0]:+.2f}, {p[t, 1]:+.2f})<br>" for t in steps] if p is not None else [""] * tr.T
    return [
        f"t = {t}: “{esc(tok)}”<br>{at}{sub('o', t)} = {o:.3f} {verdict(o)}"
        for t, tok, at, o in zip(steps, tr.labels, where, tr.outputs, strict=True)
    ]


def word_labels(words: Sequence[str], t_sel: int, around: int) -> list[str]:
    """Raw (unescaped) label of each step: every word of a short text, else the words near the selected step."""
    label_all = len(words) <= LABEL_ALL_UP_TO
    return [short(tok, 14) if label_all or abs(t - t_sel) <= around else "" for t, tok in enumerate(words, 1)]


def step_points(
    pts: np.ndarray,
    outputs: np.ndarray,
    steps: Sequence[int],
    *,
    text: list[str],
    textposition: str | list[str],
    hover: list[str],
    name: str,
    size: float,
    opacity: float | None = None,
    digits: int | None = None,
) -> TraceDict:
    """Word points (N, D) coloured by o_t, labelled, each carrying its step t as `customdata`."""
    trace: TraceDict = {
        "type": _kind(pts),
        **coords(pts, digits),
        "mode": "markers+text",
        "text": text,
        "textposition": textposition,
        "textfont": {"size": 11},
        "marker": output_marker(outputs, size),
        "customdata": [[int(t)] for t in steps],
        "hovertext": hover,
        "hoverinfo": "text",
        "name": name,
        "showlegend": False,
    }
    if opacity is not None:
        trace["opacity"] = opacity
    return trace


def read_and_ahead(
    tr: Trace, p: np.ndarray, t_sel: int, text: list[str], positions: str | list[str], hover: list[str], size: float
) -> list[TraceDict]:
    """The word points in two traces: the words read so far (1..t) and, faint, the words still to come."""
    traces = []
    for lo, hi, opacity, name in ((1, t_sel, 1.0, "words read"), (t_sel + 1, tr.T, 0.35, "words still to come")):
        if lo > hi:
            continue
        sl = slice(lo - 1, hi)
        where = positions[sl] if isinstance(positions, list) else positions
        traces.append(
            step_points(
                p[lo : hi + 1],
                tr.outputs[sl],
                range(lo, hi + 1),
                text=text[sl],
                textposition=where,
                hover=hover[sl],
                name=name,
                size=size,
                opacity=opacity,
            )
        )
    return traces


def s0_marker(point: np.ndarray, size: float, *, position: str = "bottom center", hover: bool = True) -> TraceDict:
    """s_0, the state before any word: a grey cross labelled s_0 (not selectable: it is no step)."""
    symbol = "x-thin" if len(point) == 2 else "x"
    marker: dict[str, Any] = {"symbol": symbol, "size": size, "color": GREY}
    if symbol == "x-thin":  # a thin cross is drawn by its outline only
        marker["line"] = {"color": GREY, "width": 2}
    trace: TraceDict = {
        "type": _kind(point[None]),
        **coords(point[None].astype(float)),
        "mode": "markers+text",
        "text": [sub("s", 0)],
        "textposition": position,
        "marker": marker,
    }
    if hover:
        trace.update(hovertext=[f"{sub('s', 0)} = 0: the state before any word"], hoverinfo="text")
    else:
        trace["hoverinfo"] = "skip"
    return {**trace, "name": "s_0", "showlegend": False}


def selected_ring(point: Sequence[float], t_sel: int, hover: str, size: float) -> TraceDict:
    """The ring round the selected step t's mark (2-D, or 3-D for three coordinates)."""
    kind = "scatter" if len(point) == 2 else "scatter3d"
    return {
        "type": kind,
        **{axis: [v] for axis, v in zip("xyz", point, strict=False)},
        "mode": "markers",
        "marker": {"symbol": "circle-open", "size": size, "color": HIGHLIGHT, "line": {"width": 3}},
        "customdata": [[t_sel]],
        "hovertext": [hover],
        "hoverinfo": "text",
        "name": "selected step",
        "showlegend": False,
    }


def goldfish_path(g: np.ndarray, tr: Trace, compare: Trace, *, width: float, size: float) -> TraceDict:
    """The goldfish run's states (forget=True: each word alone), dashed, one selectable point per step."""
    n_g = min(compare.T, tr.T)
    steps = range(1, n_g + 1)
    return {
        "type": _kind(g),
        **coords(g[:n_g]),
        "mode": "lines+markers",
        "line": {"color": GREY, "width": width, "dash": "dash"},
        "marker": {"symbol": "circle-open", "size": size, "color": GREY},
        "customdata": [[t] for t in steps],
        "hovertext": [
            f"goldfish t = {t}: “{esc(tok)}” alone, no memory<br>{sub('o', t)} = {o:.3f}"
            for t, tok, o in zip(steps, compare.labels, compare.outputs, strict=False)
        ],
        "hoverinfo": "text",
        "name": "goldfish (no memory)",
        "showlegend": True,
    }


def label_positions(
    xy: np.ndarray, texts: list[str], xr: list[float], yr: list[float], *, square: bool, first: tuple[int, ...] = ()
) -> list[str | None]:
    """Where each point's label goes (a Plotly textposition), or None where it would collide.

    Greedy, in pixel space: the points in `first` are placed first (and keep a label even over a
    point), then the others in order; each takes the first of POSITIONS whose box overlaps no placed
    label and no point. `texts` are the raw (unescaped) labels; "" needs no place.
    """
    sx = PLOT_PX[0] / max(xr[1] - xr[0], 1e-9)
    sy = PLOT_PX[1] / max(yr[1] - yr[0], 1e-9)
    if square:
        sx = sy = min(sx, sy)
    px = np.c_[(xy[:, 0] - xr[0]) * sx, (xy[:, 1] - yr[0]) * sy]  # (N, 2), y up
    r = MARKER_PX / 2
    points = np.c_[px - r, px + r]  # (N, 4): every point blocks its own spot (x0, y0, x1, y1)
    placed: list[tuple[float, float, float, float]] = []
    ahead = [k for k in dict.fromkeys(first) if 0 <= k < len(texts)]
    order = ahead + [k for k in range(len(texts)) if k not in ahead]
    out: list[str | None] = [None] * len(texts)

    def overlaps(box: tuple[float, ...], others: list[tuple[float, float, float, float]]) -> int:
        return sum(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in others)

    def points_under(box: tuple[float, ...], k: int) -> int:  # the points under the box, point k's own left out
        hit = (box[0] < points[:, 2]) & (points[:, 0] < box[2]) & (box[1] < points[:, 3]) & (points[:, 1] < box[3])
        return int(hit.sum()) - int(hit[k])

    for k in order:
        if not texts[k]:
            continue
        w, h = CHAR_PX * len(texts[k]) + 2, LINE_PX
        x, y = px[k]
        best: tuple[int, str, tuple[float, float, float, float]] | None = None
        for pos in POSITIONS:
            v, u = pos.split()
            bx = {"center": x - w / 2, "right": x + r, "left": x - r - w}[u]
            by = {"top": y + r, "bottom": y - r - h, "middle": y - h / 2}[v]
            box = (bx, by, bx + w, by + h)
            # another label in the way is far worse than a point under the text
            cost = 100 * overlaps(box, placed) + points_under(box, k)
            if best is None or cost < best[0]:
                best = (cost, pos, box)
            if not cost:
                break
        assert best is not None
        if best[0] == 0 or (k in ahead and best[0] < 100):  # s_0 and the selected word always get a label
            out[k] = best[1]
            placed.append(best[2])
    return out


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


# -- the shared weights U, W, V: pointed at on one copy, lit on every copy and on the loop --------------------
SHARED_WEIGHT = "shared weight"  # the traces of U, W, V labels in the rolled and unrolled views: "shared weight W"
Wire = tuple[float, float, float, float]  # a straight piece of an arrow that carries a weight: x0, y0, x1, y1


def _numbers(values: np.ndarray) -> str:
    """A small vector or matrix written out, a row per line: [+0.671 −0.863]."""
    rows = values if values.ndim == 2 else values[None]
    return "<br>".join("[" + " ".join(f"{v:+.3f}" for v in row) + "]" for row in rows).replace("-", "−")


def _vector(v: np.ndarray) -> str:
    """A part of the update at one step: its entries for up to 4 units, else its length."""
    if len(v) <= 4:
        return "(" + ", ".join(f"{x:+.3f}" for x in v) + ")"
    return f"a vector of length {float(np.linalg.norm(v)):.2f}"


WEIGHT_ROLE = {
    "U": "the input weights: how each word x<sub>t</sub> moves the state",
    "W": "the memory weights: how s<sub>t−1</sub> carries into s<sub>t</sub>",
    "V": "the readout weights: o<sub>t</sub> = σ(V s<sub>t</sub> + c)",
}


def weight_about(tr: Trace, weight: str, where: str) -> str:
    """What a label of U, W or V says when pointed at, the same on every copy: what the weight does, that it is
    shared (`where`), and its numbers: every entry of a small one (rnn-2's 2x2 W), shape and length of a large one."""
    lines = [f"<b>{weight}</b>: {WEIGHT_ROLE[weight]}", f"the same {weight} {where}"]
    shared = tr.shared.get(weight)
    if shared is not None:
        size = "×".join(str(n) for n in shared.shape)
        if shared.values is not None:
            lines.append(f"{weight} ({size}) =<br>{_numbers(shared.values)}")
        else:
            lines.append(f"{weight}: {size} numbers, length ‖{weight}‖ = {shared.norm:.2f}")
        if weight == "V":
            lines.append(f"c = {tr.c:+.3f}")
    return "<br>".join(lines)


def weight_at(tr: Trace, weight: str, t: int) -> str:
    """What U, W or V did at step t: its part of that step's update (U x_t, W s_{t-1}, V s_t)."""
    if weight == "U":
        return f"at t = {t}: U {sub('x', t)} = {_vector(tr.input_part[t - 1])}"
    if weight == "W":
        return f"at t = {t}: W {sub('s', t - 1)} = {_vector(tr.memory_part[t - 1])}"
    return f"at t = {t}: V {sub('s', t)} = {float(tr.hidden[t] @ tr.V):+.3f}"


def shared_labels(
    places: list[tuple[float, float, str, str]],
    at: list[str],
    about: dict[str, str],
    wires: dict[str, list[Wire]],
    size: int,
    color: str | None = None,
) -> list[TraceDict]:
    """The U, W, V labels as one text trace per weight (named `shared weight W`), from `places` (x, y, weight,
    textposition): each label's hover is its weight's `about` (sent once, in `meta`) and its own line `at` (what
    the weight did at that label's step). `meta` also holds the weight's wires (the arrows it sits on): while the
    reader points at one label, the page lights that weight's labels and wires in every view (live_chart.js).
    """
    font: dict[str, Any] = {"size": size}
    if color is not None:
        font["color"] = color
    traces = []
    for w in dict.fromkeys(name for _, _, name, _ in places):
        mine = [k for k, (_, _, name, _) in enumerate(places) if name == w]
        traces.append(
            {
                "type": "scatter",
                "x": [places[k][0] for k in mine],
                "y": [places[k][1] for k in mine],
                "mode": "text",
                "text": f"<b>{w}</b>",
                "textposition": places[mine[0]][3],
                "textfont": font,
                "hovertext": [at[k] for k in mine],
                "hovertemplate": "%{meta.about}<br>%{hovertext}<extra></extra>",
                "hoverlabel": {"align": "left"},
                "cliponaxis": False,
                "showlegend": False,
                "name": f"{SHARED_WEIGHT} {w}",
                "meta": {"weight": w, "about": about[w], "wires": [[round(v, 3) for v in wire] for wire in wires[w]]},
            }
        )
    return traces
