"""The projection view: the hidden state as a point moving through state space, one step per word.

Click-to-select: the word points, the highlighted point and the goldfish points carry `customdata`
whose first element is the step t (1..T) they stand for. s_0 and the corpus points carry none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.style import (
    DIVERGING,
    FAINT,
    GREY,
    HIGHLIGHT,
    NEGATIVE,
    POSITIVE,
    base_layout,
    clamp_step,
    colour,
    esc,
    figure,
    short,
    sub,
    verdict,
)

if TYPE_CHECKING:
    from rnnviz.corpus import Corpus
    from rnnviz.trace import Trace

MAX_CORPUS_POINTS = 300  # each drawn point costs the browser time on every keystroke
BAND_LEVELS = (0.1, 0.25, 0.5, 0.75, 0.9)  # readout levels between the background bands
LABEL_ALL_UP_TO = 20  # longer texts label only the words near the selected step
LABEL_AROUND = 4
MIN_READOUT_SHARE = 0.3  # draw the readout in a PCA plane only if the plane holds this much of V
FIG_HEIGHT = 420
# Label placement works in an assumed plot area of this many pixels (a half-width column): it only
# needs to know which labels would collide, not where they land exactly.
PLOT_PX = (420.0, 300.0)
CHAR_PX, LINE_PX, MARKER_PX = 6.6, 15.0, 12.0  # 11 px text, 10 px markers
POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "bottom left")


@dataclass(frozen=True)
class Plane:
    """How states map to the two drawn axes: p = (s - origin) @ basis.T, and the readout in plane units."""

    kind: Literal["neurons", "pca", "units"]
    origin: np.ndarray  # (H,)
    basis: np.ndarray  # (2, H)
    titles: tuple[str, str]
    readout: tuple[np.ndarray, float] | None  # (w (2,), b): o = sigmoid(w . p + b) within the plane

    def project(self, states: np.ndarray) -> np.ndarray:
        return (states - self.origin) @ self.basis.T  # (N, H) -> (N, 2)


def plane_for(tr: Trace, corpus: Corpus | None = None) -> Plane:
    """The neurons themselves for H = 2, else the corpus PCA plane, else the first two units."""
    h = tr.H
    zero = np.zeros(h)
    if h == 2:
        titles = (f"neuron 1 ({sub('s', 't')}[0])", f"neuron 2 ({sub('s', 't')}[1])")
        return Plane("neurons", zero, np.eye(2), titles, (tr.V.astype(float), float(tr.c)))
    if corpus is not None and corpus.H == h and corpus.components.shape[0] >= 2:
        basis = corpus.components[:2].astype(float)  # (2, H)
        pct = 100 * np.asarray(corpus.explained[:2], dtype=float)
        titles = (f"PC1 ({pct[0]:.0f}% of variance)", f"PC2 ({pct[1]:.0f}% of variance)")
        w = basis @ tr.V  # (2,) the part of V lying in the plane
        share = float(np.linalg.norm(w) / max(np.linalg.norm(tr.V), 1e-12))
        readout = (w, float(tr.V @ corpus.mean + tr.c)) if share >= MIN_READOUT_SHARE else None
        return Plane("pca", corpus.mean.astype(float), basis, titles, readout)
    basis = np.zeros((2, h))
    basis[0, 0] = 1.0
    if h > 1:
        basis[1, 1] = 1.0
    note = "no corpus, so no PCA" if h > 1 else "only 1 unit"
    titles = (f"unit 1 ({sub('s', 't')}[0]; {note})", f"unit 2 ({sub('s', 't')}[1]; first 2 of {h})" if h > 1 else "")
    return Plane("units", zero, basis, titles, None)


def _axis_range(points: list[np.ndarray], plane: Plane) -> tuple[list[float], list[float]]:
    if plane.kind != "pca":
        return [-1.1, 1.1], [-1.1, 1.1]
    allp = np.concatenate(points)  # (N, 2)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    pad = 0.08 * np.maximum(hi - lo, 1e-3)
    return [float(lo[0] - pad[0]), float(hi[0] + pad[0])], [float(lo[1] - pad[1]), float(hi[1] + pad[1])]


def clip_halfplane(poly: np.ndarray, w: np.ndarray, k: float, keep_above: bool) -> np.ndarray:
    """The part of convex polygon `poly` (N, 2) where w . p >= k (or <= k): Sutherland-Hodgman, one edge."""
    side = poly @ w - k  # (N,)
    if not keep_above:
        side = -side
    out = []
    for j in range(len(poly)):
        a, b, sa, sb = poly[j], poly[(j + 1) % len(poly)], side[j], side[(j + 1) % len(poly)]
        if sa >= 0:
            out.append(a)
        if (sa >= 0) != (sb >= 0):
            out.append(a + (b - a) * (sa / (sa - sb)))
    return np.array(out).reshape(-1, 2)


def readout_bands(plane: Plane, xr: list[float], yr: list[float]) -> list[tuple[float, float, np.ndarray]]:
    """The plot box cut into bands between the readout's levels: [(o_lo, o_hi, polygon (N, 2)), ...].

    o = sigmoid(w . p + b) is constant along straight lines, so each band between two levels is the
    box clipped by two half-planes: a few filled polygons instead of a contour over a grid (which
    cost the browser ~100 ms per keystroke). Empty bands are left out.
    """
    assert plane.readout is not None
    w, b = plane.readout
    box = np.array([[xr[0], yr[0]], [xr[1], yr[0]], [xr[1], yr[1]], [xr[0], yr[1]]], dtype=float)
    logit = [float(np.log(o / (1 - o))) for o in BAND_LEVELS]  # o -> w . p + b at that level
    bands = []
    edges = [0.0, *BAND_LEVELS, 1.0]
    for j in range(len(edges) - 1):
        poly = box
        if j > 0:
            poly = clip_halfplane(poly, w, logit[j - 1] - b, keep_above=True)
        if j < len(BAND_LEVELS) and len(poly):
            poly = clip_halfplane(poly, w, logit[j] - b, keep_above=False)
        if len(poly) >= 3:
            bands.append((edges[j], edges[j + 1], poly))
    return bands


def _readout_traces(plane: Plane, xr: list[float], yr: list[float]) -> list[dict[str, Any]]:
    """Background: the readout o = sigmoid(w . p + b) as filled bands, and its o = 0.5 line."""
    if plane.readout is None:
        return []
    w, b = plane.readout
    approx = "" if plane.kind == "neurons" else " (within this plane)"
    background = []
    for lo, hi, poly in readout_bands(plane, xr, yr):
        background.append(
            {
                "type": "scatter",
                "x": [*poly[:, 0].round(5).tolist(), float(poly[0, 0])],
                "y": [*poly[:, 1].round(5).tolist(), float(poly[0, 1])],
                "mode": "lines",
                "fill": "toself",
                "fillcolor": colour((lo + hi) / 2),
                "opacity": 0.3,
                "line": {"width": 0},
                "hoveron": "fills",
                "hoverinfo": "name",
                "name": f"readout o = σ(V·s + c) in {lo:.2f}–{hi:.2f}{approx}",
                "showlegend": False,
            }
        )
    # o = 0.5 where w . p + b = 0: two points of that line across the wider of the two spans.
    if abs(w[1]) >= abs(w[0]):
        lx = np.array(xr)
        ly = -(b + w[0] * lx) / w[1]
    else:
        ly = np.array(yr)
        lx = -(b + w[1] * ly) / w[0]
    line = {
        "type": "scatter",
        "x": lx.tolist(),
        "y": ly.tolist(),
        "mode": "lines",
        "line": {"color": GREY, "width": 2, "dash": "dash"},
        "hoverinfo": "skip",
        "name": "o = 0.5" + (" (in this plane)" if approx else ""),
        "showlegend": True,
    }
    return [*background, line] if np.isfinite(lx).all() and np.isfinite(ly).all() else background


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
    points = [(x - r, y - r, x + r, y + r) for x, y in px]  # every point blocks its own spot
    placed: list[tuple[float, float, float, float]] = []
    ahead = [k for k in dict.fromkeys(first) if 0 <= k < len(texts)]
    order = ahead + [k for k in range(len(texts)) if k not in ahead]
    out: list[str | None] = [None] * len(texts)

    def overlaps(box: tuple[float, ...], others: list[tuple[float, float, float, float]]) -> int:
        return sum(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in others)

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
            cost = 100 * overlaps(box, placed) + overlaps(box, points[:k] + points[k + 1 :])
            if best is None or cost < best[0]:
                best = (cost, pos, box)
            if not cost:
                break
        assert best is not None
        if best[0] == 0 or (k in ahead and best[0] < 100):  # s_0 and the selected word always get a label
            out[k] = best[1]
            placed.append(best[2])
    return out


def projection_figure(
    tr: Trace, step: int | None = None, *, corpus: Corpus | None = None, compare: Trace | None = None
) -> go.Figure:
    """s_0, s_1, ... s_T as a labelled path in a plane (neurons for H = 2, corpus PCA otherwise)."""
    t_sel = clamp_step(tr, step)
    plane = plane_for(tr, corpus)
    p = plane.project(tr.hidden)  # (T+1, 2)
    steps = np.arange(1, tr.T + 1)  # (T,)
    words = tr.labels  # as a person reads them

    points = [p]
    data: list[dict[str, Any]] = []
    corpus_traces: list[dict[str, Any]] = []
    use_corpus = corpus is not None and corpus.H == tr.H and plane.kind != "units"
    if use_corpus:
        assert corpus is not None
        pc = plane.project(corpus.final_states)  # (N, 2)
        points.append(pc)  # the axes fit every corpus state, drawn or not
        every = -(-len(pc) // MAX_CORPUS_POINTS)  # a fixed stride: the same points on every keystroke
        for label, name, col in ((0, "negative", NEGATIVE), (1, "positive", POSITIVE)):
            mask = np.flatnonzero(corpus.labels == label)[::every]  # (N',) within each kind of review
            corpus_traces.append(
                {
                    "type": "scatter",
                    "x": pc[mask, 0].round(4).tolist(),
                    "y": pc[mask, 1].round(4).tolist(),
                    "mode": "markers",
                    "marker": {"size": 4, "color": col, "opacity": 0.3},
                    "hoverinfo": "skip",
                    "name": f"{name} reviews end",
                    "showlegend": True,
                }
            )
    g = plane.project(compare.hidden[1:]) if compare is not None else None  # (T', 2)
    if g is not None:
        points.append(g)
    xr, yr = _axis_range(points, plane)
    data += _readout_traces(plane, xr, yr)
    data += corpus_traces

    past, future = p[: t_sel + 1], p[t_sel:]  # the path so far includes s_0
    data.append(
        {
            "type": "scatter",
            "x": past[:, 0].tolist(),
            "y": past[:, 1].tolist(),
            "mode": "lines",
            "line": {"color": GREY, "width": 2.5},
            "hoverinfo": "skip",
            "name": "path so far",
            "showlegend": False,
        }
    )
    if len(future) > 1:
        data.append(
            {
                "type": "scatter",
                "x": future[:, 0].tolist(),
                "y": future[:, 1].tolist(),
                "mode": "lines",
                "line": {"color": GREY, "width": 1.5, "dash": "dot"},
                "opacity": 0.5,
                "hoverinfo": "skip",
                "name": "path still to come",
                "showlegend": False,
            }
        )

    if g is not None:
        assert compare is not None
        n_g = min(compare.T, tr.T)
        data.append(
            {
                "type": "scatter",
                "x": g[:n_g, 0].tolist(),
                "y": g[:n_g, 1].tolist(),
                "mode": "lines+markers",
                "line": {"color": GREY, "width": 1, "dash": "dash"},
                "marker": {"symbol": "circle-open", "size": 8, "color": GREY},
                "customdata": [[int(t)] for t in steps[:n_g]],
                "hovertext": [
                    f"goldfish t = {t}: “{esc(tok)}” alone, no memory<br>{sub('o', t)} = {o:.3f}"
                    for t, tok, o in zip(steps[:n_g], compare.labels, compare.outputs, strict=False)
                ],
                "hoverinfo": "text",
                "name": "goldfish (no memory)",
                "showlegend": True,
            }
        )

    label_all = tr.T <= LABEL_ALL_UP_TO
    raw = [
        short(tok, 14) if label_all or abs(t - t_sel) <= LABEL_AROUND else ""
        for t, tok in zip(steps, words, strict=True)
    ]
    # s_0 and the selected word are placed first; the rest take the room left, or go without a label.
    where = label_positions(p, ["s0", *raw], xr, yr, square=plane.kind != "pca", first=(0, t_sel))
    s0_position, where = where[0] or "bottom center", where[1:]
    labels = [esc(text) if pos else "" for text, pos in zip(raw, where, strict=True)]
    positions = [pos or "top center" for pos in where]
    hover = [
        f"t = {t}: “{esc(tok)}”<br>({p[t, 0]:+.2f}, {p[t, 1]:+.2f})<br>{sub('o', t)} = {o:.3f} {verdict(o)}"
        for t, tok, o in zip(steps, words, tr.outputs, strict=True)
    ]
    for lo, hi, opacity, name in ((1, t_sel, 1.0, "words read"), (t_sel + 1, tr.T, 0.35, "words still to come")):
        if lo > hi:
            continue
        sl = slice(lo - 1, hi)
        data.append(
            {
                "type": "scatter",
                "x": p[lo : hi + 1, 0].tolist(),
                "y": p[lo : hi + 1, 1].tolist(),
                "mode": "markers+text",
                "text": labels[sl],
                "textposition": positions[sl],
                "textfont": {"size": 11},
                "opacity": opacity,
                "marker": {
                    "size": 10,
                    "color": tr.outputs[sl].tolist(),
                    "colorscale": DIVERGING,
                    "cmin": 0,
                    "cmax": 1,
                    "line": {"color": GREY, "width": 1},
                },
                "customdata": [[int(t)] for t in steps[sl]],
                "hovertext": hover[sl],
                "hoverinfo": "text",
                "name": name,
                "showlegend": False,
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": [float(p[0, 0])],
            "y": [float(p[0, 1])],
            "mode": "markers+text",
            "text": [sub("s", 0)],
            "textposition": s0_position,
            "marker": {"symbol": "x-thin", "size": 12, "color": GREY, "line": {"color": GREY, "width": 2}},
            "hovertext": [f"{sub('s', 0)} = 0: the state before any word"],
            "hoverinfo": "text",
            "name": "s_0",
            "showlegend": False,
        }
    )
    data.append(
        {
            "type": "scatter",
            "x": [float(p[t_sel, 0])],
            "y": [float(p[t_sel, 1])],
            "mode": "markers",
            "marker": {"symbol": "circle-open", "size": 22, "color": HIGHLIGHT, "line": {"width": 3}},
            "customdata": [[t_sel]],
            "hovertext": [hover[t_sel - 1]],
            "hoverinfo": "text",
            "name": "selected step",
            "showlegend": False,
        }
    )

    show_legend = use_corpus or g is not None or plane.readout is not None
    axis = {
        "showgrid": True,
        "gridcolor": FAINT,
        "zeroline": True,
        "zerolinecolor": FAINT,
        "fixedrange": True,
        "constrain": "domain",  # equal units on both axes shrink the plot, never stretch the range
    }
    # Neurons share one unit, so both axes keep it; PCA axes get the room (PC2 often holds little variance).
    square = {"scaleanchor": "x", "scaleratio": 1} if plane.kind != "pca" else {}
    title = f"State space: {sub('s', 't')} word by word, t = {t_sel}: “{esc(short(words[t_sel - 1], 20))}”"
    layout = base_layout(
        FIG_HEIGHT,
        title,
        xaxis={**axis, "range": xr, "title": {"text": plane.titles[0], "font": {"size": 11}}},
        yaxis={
            **axis,
            "range": yr,
            "title": {"text": plane.titles[1], "font": {"size": 11}},
            **square,
        },
        showlegend=show_legend,
        legend={"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 10}, "bgcolor": "rgba(0,0,0,0)"},
        margin={"l": 52, "r": 8, "t": 40, "b": 40},
    )
    return figure(data, layout)
