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
    CLEAR,
    DIVERGING,
    FAINT,
    GREY,
    HIGHLIGHT,
    NEGATIVE,
    POSITIVE,
    Spec,
    base_layout,
    clamp_step,
    colour,
    esc,
    figure_from,
    in_background,
    short,
    spec,
    sub,
    verdict,
)

if TYPE_CHECKING:
    from rnnviz.corpus import Corpus
    from rnnviz.trace import Trace

ColorBy = Literal["label", "o"]

MAX_CORPUS_POINTS = 300  # each drawn point costs the browser time on every keystroke
MAX_PREFIX_POINTS = 1500  # the every-prefix map: drawn only when asked for
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
    """How states map to the drawn axes: p = (s - origin) @ basis.T, and the readout in plane units."""

    kind: Literal["neurons", "pca", "units"]
    origin: np.ndarray  # (H,)
    basis: np.ndarray  # (D, H), D = 2 (or 3 for the 3-D map)
    titles: tuple[str, ...]  # (D,)
    readout: tuple[np.ndarray, float] | None  # (w (D,), b): o = sigmoid(w . p + b) within the plane

    def project(self, states: np.ndarray) -> np.ndarray:
        return (states - self.origin) @ self.basis.T  # (N, H) -> (N, D)


def check_components(components: tuple[int, ...], available: int) -> tuple[int, ...]:
    """Distinct principal axes 0..available-1 (0 is PC1); a clear error otherwise."""
    picked = tuple(int(k) for k in components)
    if len(set(picked)) != len(picked) or any(not 0 <= k < available for k in picked):
        names = ", ".join(f"PC{k + 1}" for k in picked)
        raise ValueError(f"Pick {len(picked)} different components out of PC1..PC{available} (got {names}).")
    return picked


def plane_for(tr: Trace, corpus: Corpus | None = None, components: tuple[int, ...] | None = None) -> Plane:
    """The neurons themselves for H = 2, else the corpus PCA plane, else the first units.

    `components` picks the principal axes (0 is PC1; default (0, 1)); three of them give a 3-D space.
    For H = 2 the neurons are drawn in 2-D whatever `components` says: they are the exact picture.
    """
    h = tr.H
    dims = 2 if components is None else len(components)
    zero = np.zeros(h)
    if h == 2 and dims == 2:
        titles = (f"neuron 1 ({sub('s', 't')}[0])", f"neuron 2 ({sub('s', 't')}[1])")
        return Plane("neurons", zero, np.eye(2), titles, (tr.V.astype(float), float(tr.c)))
    if dims > 2 and h < dims:
        raise ValueError(f"A {dims}-D view needs at least {dims} hidden units; this model has {h}.")
    if corpus is not None and corpus.H == h and corpus.components.shape[0] >= dims:
        picked = check_components(components or (0, 1), corpus.components.shape[0])
        basis = corpus.components[list(picked)].astype(float)  # (D, H)
        pct = 100 * np.asarray(corpus.explained, dtype=float)
        titles = tuple(f"PC{k + 1} ({pct[k]:.0f}% of variance)" for k in picked)
        w = basis @ tr.V  # (D,) the part of V lying in the plane
        share = float(np.linalg.norm(w) / max(np.linalg.norm(tr.V), 1e-12))
        readout = (w, float(tr.V @ corpus.mean + tr.c)) if share >= MIN_READOUT_SHARE else None
        return Plane("pca", corpus.mean.astype(float), basis, titles, readout)
    if dims > 2 and corpus is not None and corpus.H == h:
        raise ValueError(
            f"The corpus file holds {corpus.components.shape[0]} principal axes; a {dims}-D view needs {dims}."
        )
    basis = np.eye(dims, h)  # the first D units
    note = "no corpus, so no PCA" if h > 1 else "only 1 unit"
    titles = tuple(
        f"unit {k + 1} ({sub('s', 't')}[{k}]; {note if k == 0 else f'first {dims} of {h}'})" if k < h else ""
        for k in range(dims)
    )
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


def _coords(pts: np.ndarray, digits: int | None = None) -> dict[str, list[float]]:
    """{"x": ..., "y": ...} (and "z" for 3-D points) of points (N, D)."""
    if digits is not None:
        pts = pts.round(digits)
    return {axis: pts[:, k].tolist() for k, axis in enumerate("xyz"[: pts.shape[1]])}


def corpus_traces(
    plane: Plane, corpus: Corpus, color_by: ColorBy = "label", prefixes: bool = False
) -> tuple[list[np.ndarray], list[dict[str, Any]]]:
    """The corpus states as faint points: (every projected state, for the axes; the traces drawn).

    Each set is thinned by a fixed stride, so the same points are drawn on every keystroke.
    """
    dims = plane.basis.shape[0]
    kind = "scatter" if dims == 2 else "scatter3d"
    sets = [(corpus.final_states, corpus.labels, corpus.outputs, "reviews end", MAX_CORPUS_POINTS, 4, 0.3)]
    if prefixes and corpus.prefix_states is not None:
        assert corpus.prefix_labels is not None and corpus.prefix_outputs is not None
        sets.insert(  # drawn first, under the final states
            0,
            (
                corpus.prefix_states,
                corpus.prefix_labels,
                corpus.prefix_outputs,
                "reviews, every prefix",
                MAX_PREFIX_POINTS,
                3,
                0.18,
            ),
        )
    points, traces = [], []
    for states, labels, outputs, what, cap, size, opacity in sets:
        pc = plane.project(states.astype(float))  # (N, D)
        points.append(pc)  # the axes fit every state of a drawn set
        every = -(-len(pc) // cap)
        size = size - 1 if dims == 3 else size
        if color_by == "o":
            keep = np.arange(len(pc))[::every]
            o_name = sub("o", "T" if what == "reviews end" else "t")
            traces.append(
                {
                    "type": kind,
                    **_coords(pc[keep], 4),
                    "mode": "markers",
                    "marker": {
                        "size": size,
                        "color": outputs[keep].round(4).tolist(),
                        "colorscale": DIVERGING,
                        "cmin": 0,
                        "cmax": 1,
                        "opacity": opacity,
                    },
                    "hoverinfo": "skip",
                    "name": f"{what}, coloured by {o_name}",
                    "showlegend": True,
                }
            )
            continue
        for label, name, col in ((0, "negative", NEGATIVE), (1, "positive", POSITIVE)):
            keep = np.flatnonzero(labels == label)[::every]  # (N',) within each kind of review
            traces.append(
                {
                    "type": kind,
                    **_coords(pc[keep], 4),
                    "mode": "markers",
                    "marker": {"size": size, "color": col, "opacity": opacity},
                    "hoverinfo": "skip",
                    "name": f"{name} {what}",
                    "showlegend": True,
                }
            )
    return points, traces


def projection_spec(
    tr: Trace,
    step: int | None = None,
    *,
    corpus: Corpus | None = None,
    compare: Trace | None = None,
    components: tuple[int, ...] | None = None,
    color_by: ColorBy = "label",
    prefixes: bool = False,
    dims: Literal[2, 3] = 2,
) -> Spec:
    """The projection view as plain dicts; `projection_figure` wraps it in a Plotly figure."""
    if dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, not {dims!r}.")
    if color_by not in ("label", "o"):
        raise ValueError(f"color_by must be 'label' or 'o', not {color_by!r}.")
    if components is None:
        components = (0, 1, 2)[:dims] if dims == 3 else None
    elif len(components) != dims:
        raise ValueError(f"A {dims}-D view takes {dims} components, not {len(components)}.")
    t_sel = clamp_step(tr, step)
    plane = plane_for(tr, corpus, components)
    p = plane.project(tr.hidden)  # (T+1, D)
    steps = np.arange(1, tr.T + 1)  # (T,)
    words = tr.labels  # as a person reads them

    points = [p]
    data: list[dict[str, Any]] = []
    corpus_data: list[dict[str, Any]] = []
    use_corpus = corpus is not None and corpus.H == tr.H and plane.kind != "units"
    if use_corpus:
        assert corpus is not None
        corpus_points, corpus_data = corpus_traces(plane, corpus, color_by, prefixes)
        points += corpus_points
    g = plane.project(compare.hidden[1:]) if compare is not None else None  # (T', D)
    if g is not None:
        points.append(g)
    if dims == 3:
        return _projection_3d(tr, t_sel, plane, p, points, corpus_data, compare, g)
    xr, yr = _axis_range(points, plane)
    data += in_background(_readout_traces(plane, xr, yr) + corpus_data)  # the same while the reader types

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
    return spec(data, layout)


def projection_figure(
    tr: Trace,
    step: int | None = None,
    *,
    corpus: Corpus | None = None,
    compare: Trace | None = None,
    components: tuple[int, ...] | None = None,
    color_by: ColorBy = "label",
    prefixes: bool = False,
    dims: Literal[2, 3] = 2,
) -> go.Figure:
    """s_0, s_1, ... s_T as a labelled path in a plane (neurons for H = 2, corpus PCA otherwise).

    The corpus map behind it: `components` picks the principal axes (0 is PC1; default PC1/PC2, or
    PC1..PC3 for `dims=3`), `color_by` colours the corpus states by their review's label or by o, and
    `prefixes` adds the states inside the reviews (every prefix, as sampled in the corpus file).
    `dims=3` draws the same in 3-D (needs H >= 3); the readout boundary o = 0.5 is then a plane.
    """
    return figure_from(
        projection_spec(
            tr,
            step,
            corpus=corpus,
            compare=compare,
            components=components,
            color_by=color_by,
            prefixes=prefixes,
            dims=dims,
        )
    )


def boundary_polygon(w: np.ndarray, b: float, ranges: list[list[float]]) -> np.ndarray:
    """Where the plane w . p + b = 0 (o = 0.5) cuts the box `ranges` (3 x [lo, hi]): polygon (N, 3), N in 0, 3..6.

    The plane meets the box's 12 edges in at most 6 points; ordered by angle around their centre.
    """
    lo, hi = np.array([r[0] for r in ranges]), np.array([r[1] for r in ranges])
    corners = np.array([[(lo, hi)[(c >> k) & 1][k] for k in range(3)] for c in range(8)])  # (8, 3)
    side = corners @ w + b  # (8,)
    cuts = []
    for c0 in range(8):
        for k in range(3):
            c1 = c0 | (1 << k)
            if c1 == c0 or (side[c0] > 0) == (side[c1] > 0):
                continue
            f = side[c0] / (side[c0] - side[c1])
            cuts.append(corners[c0] + f * (corners[c1] - corners[c0]))
    if len(cuts) < 3:
        return np.zeros((0, 3))
    poly = np.array(cuts)  # (N, 3)
    centre = poly.mean(axis=0)
    n = w / np.linalg.norm(w)
    u = np.cross(n, np.eye(3)[int(np.abs(n).argmin())])
    u /= np.linalg.norm(u)
    v = np.cross(n, u)
    angle = np.arctan2((poly - centre) @ v, (poly - centre) @ u)
    return poly[np.argsort(angle)]


def _projection_3d(
    tr: Trace,
    t_sel: int,
    plane: Plane,
    p: np.ndarray,
    points: list[np.ndarray],
    corpus_data: list[dict[str, Any]],
    compare: Trace | None,
    g: np.ndarray | None,
) -> Spec:
    """The projection in three principal axes: the same marks as Scatter3d, the o = 0.5 boundary as a plane."""
    steps = np.arange(1, tr.T + 1)  # (T,)
    words = tr.labels
    allp = np.concatenate(points)  # (N, 3)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    pad = 0.08 * np.maximum(hi - lo, 1e-3)
    ranges = [[float(lo[k] - pad[k]), float(hi[k] + pad[k])] for k in range(3)]

    data: list[dict[str, Any]] = []
    if plane.readout is not None:
        w, b = plane.readout
        poly = boundary_polygon(np.asarray(w, dtype=float), b, ranges)  # (N, 3)
        if len(poly) >= 3:
            data.append(
                {
                    "type": "mesh3d",
                    **_coords(poly, 5),
                    "i": [0] * (len(poly) - 2),  # a fan of triangles from the first corner
                    "j": list(range(1, len(poly) - 1)),
                    "k": list(range(2, len(poly))),
                    "color": GREY,
                    "opacity": 0.25,
                    "hoverinfo": "name",
                    "name": "o = 0.5 (readout boundary, in this space)",
                    "showlegend": True,
                }
            )
    data += corpus_data
    past, future = p[: t_sel + 1], p[t_sel:]
    line = {"type": "scatter3d", "mode": "lines", "hoverinfo": "skip", "showlegend": False}
    data.append({**line, **_coords(past), "line": {"color": GREY, "width": 5}, "name": "path so far"})
    if len(future) > 1:
        data.append(
            {
                **line,
                **_coords(future),
                "line": {"color": GREY, "width": 3, "dash": "dot"},
                "name": "path still to come",
            }
        )
    if g is not None:
        assert compare is not None
        n_g = min(compare.T, tr.T)
        data.append(
            {
                "type": "scatter3d",
                **_coords(g[:n_g]),
                "mode": "lines+markers",
                "line": {"color": GREY, "width": 2, "dash": "dash"},
                "marker": {"symbol": "circle-open", "size": 4, "color": GREY},
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
    labels = [
        esc(short(tok, 14)) if label_all or abs(t - t_sel) <= LABEL_AROUND else ""
        for t, tok in zip(steps, words, strict=True)
    ]
    hover = [
        f"t = {t}: “{esc(tok)}”<br>{sub('o', t)} = {o:.3f} {verdict(o)}"
        for t, tok, o in zip(steps, words, tr.outputs, strict=True)
    ]
    for lo_t, hi_t, opacity, name in ((1, t_sel, 1.0, "words read"), (t_sel + 1, tr.T, 0.35, "words still to come")):
        if lo_t > hi_t:
            continue
        sl = slice(lo_t - 1, hi_t)
        data.append(
            {
                "type": "scatter3d",
                **_coords(p[lo_t : hi_t + 1]),
                "mode": "markers+text",
                "text": labels[sl],
                "textposition": "top center",
                "textfont": {"size": 11},
                "opacity": opacity,
                "marker": {
                    "size": 5,
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
            "type": "scatter3d",
            **_coords(p[:1]),
            "mode": "markers+text",
            "text": [sub("s", 0)],
            "textposition": "bottom center",
            "marker": {"symbol": "x", "size": 5, "color": GREY},
            "hovertext": [f"{sub('s', 0)} = 0: the state before any word"],
            "hoverinfo": "text",
            "name": "s_0",
            "showlegend": False,
        }
    )
    data.append(
        {
            "type": "scatter3d",
            **_coords(p[t_sel : t_sel + 1]),
            "mode": "markers",
            "marker": {"symbol": "circle-open", "size": 11, "color": HIGHLIGHT, "line": {"width": 3}},
            "customdata": [[t_sel]],
            "hovertext": [hover[t_sel - 1]],
            "hoverinfo": "text",
            "name": "selected step",
            "showlegend": False,
        }
    )
    axis = {
        "showbackground": False,
        "backgroundcolor": CLEAR,
        "gridcolor": FAINT,
        "zerolinecolor": FAINT,
        "showspikes": False,
    }
    scene = {
        f"{name}axis": {**axis, "range": r, "title": {"text": title, "font": {"size": 11}}}
        for name, r, title in zip("xyz", ranges, plane.titles, strict=True)
    }
    title = f"State space in 3-D: {sub('s', 't')} word by word, t = {t_sel}: “{esc(short(words[t_sel - 1], 20))}”"
    layout = base_layout(
        FIG_HEIGHT + 180,
        title,
        scene={
            **scene,
            "bgcolor": CLEAR,
            "aspectmode": "cube",  # PCA axes get the room, as in 2-D
            "dragmode": "turntable",
            "camera": {"eye": {"x": 1.45, "y": -1.5, "z": 0.8}},
        },
        showlegend=bool(corpus_data) or g is not None or plane.readout is not None,
        legend={"orientation": "h", "y": -0.05, "x": 0, "font": {"size": 10}, "bgcolor": "rgba(0,0,0,0)"},
        margin={"l": 8, "r": 8, "t": 40, "b": 20},
    )
    return spec(data, layout)
