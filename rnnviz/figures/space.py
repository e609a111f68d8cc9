"""State-space geometry shared by the views that draw s_t as a point: planes, axis ranges, the readout.

A `Plane` maps hidden states to the drawn axes (the neurons themselves, a PCA plane or the first units)
and carries the readout o = sigmoid(V s + c) within it; from that come the readout's bands, its o = 0.5
line (2-D) or plane (3-D), and the corpus's states as a faint cloud.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from rnnviz.figures.mark import coords
from rnnviz.figures.style import DIVERGING, GREY, NEGATIVE, POSITIVE, colour, neuron, s_of, sub

if TYPE_CHECKING:
    from rnnviz.corpus import Corpus
    from rnnviz.trace import Trace

ColorBy = Literal["label", "o"]

MAX_CORPUS_POINTS = 300  # each drawn point costs the browser time on every keystroke
MAX_PREFIX_POINTS = 1500  # the every-prefix map: drawn only when asked for
BAND_LEVELS = (0.1, 0.25, 0.5, 0.75, 0.9)  # readout levels between the background bands
MIN_READOUT_SHARE = 0.3  # draw the readout in a PCA plane only if the plane holds this much of V
NEURON_RANGE = [-1.1, 1.1]  # tanh keeps every unit in (-1, 1)


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


def neuron_plane(V: np.ndarray, c: float) -> Plane:
    """The two neurons as the axes: the exact picture of a 2-unit state, readout included."""
    titles = (f"{neuron(0)} ({s_of('t', 0)})", f"{neuron(1)} ({s_of('t', 1)})")
    return Plane("neurons", np.zeros(2), np.eye(2), titles, (V.astype(float), float(c)))


def plane_readout(basis: np.ndarray, V: np.ndarray, b: float) -> tuple[np.ndarray, float] | None:
    """The readout within a PCA plane (w = the part of V in it, b), or None if the plane holds too little of V."""
    w = basis @ V  # (D,)
    share = float(np.linalg.norm(w) / max(np.linalg.norm(V), 1e-12))
    return (w, b) if share >= MIN_READOUT_SHARE else None


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
    if h == 2 and dims == 2:
        return neuron_plane(tr.V, tr.c)
    if dims > 2 and h < dims:
        raise ValueError(f"A {dims}-D view needs at least {dims} hidden units; this model has {h}.")
    if corpus is not None and corpus.H == h and corpus.components.shape[0] >= dims:
        picked = check_components(components or (0, 1), corpus.components.shape[0])
        basis = corpus.components[list(picked)].astype(float)  # (D, H)
        pct = 100 * np.asarray(corpus.explained, dtype=float)
        titles = tuple(f"PC{k + 1} ({pct[k]:.0f}% of variance)" for k in picked)
        readout = plane_readout(basis, tr.V, float(tr.V @ corpus.mean + tr.c))
        return Plane("pca", corpus.mean.astype(float), basis, titles, readout)
    if dims > 2 and corpus is not None and corpus.H == h:
        raise ValueError(
            f"The corpus file holds {corpus.components.shape[0]} principal axes; a {dims}-D view needs {dims}."
        )
    basis = np.eye(dims, h)  # the first D units
    note = "no corpus, so no PCA" if h > 1 else "only 1 unit"
    titles = tuple(
        f"{neuron(k)} ({s_of('t', k)}; {note if k == 0 else f'first {dims} of {h}'})" if k < h else ""
        for k in range(dims)
    )
    return Plane("units", np.zeros(h), basis, titles, None)


def fitted_plane(states: np.ndarray, V: np.ndarray, c: float) -> Plane:
    """The PCA plane of `states` (N, H) themselves (signs fixed: each axis's largest weight positive)."""
    mean = states.mean(axis=0)
    _, sing, vt = np.linalg.svd(states - mean, full_matrices=False)
    basis = vt[:2]  # (2, H)
    basis = basis * np.sign(basis[np.arange(2), np.abs(basis).argmax(axis=1)])[:, None]
    var = sing**2
    pct = 100 * var[:2] / max(float(var.sum()), 1e-12)
    titles = (f"PC1 ({pct[0]:.0f}% of variance)", f"PC2 ({pct[1]:.0f}% of variance)")
    return Plane("pca", mean, basis, titles, plane_readout(basis, V.astype(float), float(V @ mean + c)))


def padded_extent(points: list[np.ndarray]) -> list[list[float]]:
    """[lo, hi] per axis of everything in `points` (each (N, D)), padded by 8% of its span."""
    allp = np.concatenate([p for p in points if len(p)])  # (N, D)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    pad = 0.08 * np.maximum(hi - lo, 1e-3)
    return [[float(lo[k] - pad[k]), float(hi[k] + pad[k])] for k in range(allp.shape[1])]


def axis_range(points: list[np.ndarray], *, fixed: bool) -> tuple[list[float], list[float]]:
    """2-D axis ranges: the neurons' square [-1.1, 1.1] if `fixed`, else the padded extent of everything drawn."""
    if fixed:
        return list(NEURON_RANGE), list(NEURON_RANGE)
    xr, yr = padded_extent(points)
    return xr, yr


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


def band_traces(
    plane: Plane, xr: list[float], yr: list[float], *, what: str, opacity: float, digits: int, note: str = ""
) -> list[dict[str, Any]]:
    """The readout's bands as filled polygons, each coloured by its middle o and named "`what` in lo–hi`note`"."""
    if plane.readout is None:
        return []
    return [
        {
            "type": "scatter",
            "x": [*poly[:, 0].round(digits).tolist(), float(poly[0, 0])],
            "y": [*poly[:, 1].round(digits).tolist(), float(poly[0, 1])],
            "mode": "lines",
            "fill": "toself",
            "fillcolor": colour((lo + hi) / 2),
            "opacity": opacity,
            "line": {"width": 0},
            "hoveron": "fills",
            "hoverinfo": "name",
            "name": f"{what} in {lo:.2f}–{hi:.2f}{note}",
            "showlegend": False,
        }
        for lo, hi, poly in readout_bands(plane, xr, yr)
    ]


def boundary_trace(plane: Plane, xr: list[float], yr: list[float], name: str | None = None) -> list[dict[str, Any]]:
    """The readout's o = 0.5 line, where w . p + b = 0 in the plane (exact for 2 neurons); [] if none is drawn.

    Two points of the line across the wider of its two spans. The default name says whether it is exact.
    """
    if plane.readout is None:
        return []
    w, b = plane.readout
    if abs(w[1]) >= abs(w[0]):
        lx = np.array(xr)
        ly = -(b + w[0] * lx) / w[1]
    else:
        ly = np.array(yr)
        lx = -(b + w[1] * ly) / w[0]
    if not (np.isfinite(lx).all() and np.isfinite(ly).all()):
        return []
    if name is None:
        name = "o = 0.5 (readout boundary)" if plane.kind == "neurons" else "o = 0.5 (as seen in this plane)"
    return [
        {
            "type": "scatter",
            "x": lx.tolist(),
            "y": ly.tolist(),
            "mode": "lines",
            "line": {"color": GREY, "width": 2, "dash": "dash"},
            "hoverinfo": "skip",
            "name": name,
            "showlegend": True,
        }
    ]


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


def boundary_mesh(plane: Plane, ranges: list[list[float]]) -> list[dict[str, Any]]:
    """The o = 0.5 plane inside the 3-D box as a translucent mesh (a fan of triangles); [] if it misses the box."""
    if plane.readout is None:
        return []
    w, b = plane.readout
    poly = boundary_polygon(np.asarray(w, dtype=float), b, ranges)  # (N, 3)
    if len(poly) < 3:
        return []
    return [
        {
            "type": "mesh3d",
            **coords(poly, 5),
            "i": [0] * (len(poly) - 2),
            "j": list(range(1, len(poly) - 1)),
            "k": list(range(2, len(poly))),
            "color": GREY,
            "opacity": 0.25,
            "hoverinfo": "name",
            "name": "o = 0.5 (readout boundary, in this space)",
            "showlegend": True,
        }
    ]


def _corpus_sets(corpus: Corpus, prefixes: bool) -> list[tuple[Any, ...]]:
    """(states, labels, outputs, what, cap, marker size, opacity) of each set drawn; prefixes first, underneath."""
    sets = [(corpus.final_states, corpus.labels, corpus.outputs, "reviews end", MAX_CORPUS_POINTS, 4, 0.3)]
    if prefixes and corpus.prefix_states is not None:
        assert corpus.prefix_labels is not None and corpus.prefix_outputs is not None
        every_prefix = (corpus.prefix_states, corpus.prefix_labels, corpus.prefix_outputs, "reviews, every prefix")
        sets.insert(0, (*every_prefix, MAX_PREFIX_POINTS, 3, 0.18))
    return sets


def corpus_traces(
    plane: Plane, corpus: Corpus, color_by: ColorBy = "label", prefixes: bool = False
) -> tuple[list[np.ndarray], list[dict[str, Any]]]:
    """The corpus states as faint points: (every projected state, for the axes; the traces drawn).

    Each set is thinned by a fixed stride, so the same points are drawn on every keystroke.
    """
    dims = plane.basis.shape[0]
    kind = "scatter" if dims == 2 else "scatter3d"
    points, traces = [], []
    for states, labels, outputs, what, cap, size, opacity in _corpus_sets(corpus, prefixes):
        pc = plane.project(states.astype(float))  # (N, D)
        points.append(pc)  # the axes fit every state of a drawn set
        every = -(-len(pc) // cap)
        size = size - 1 if dims == 3 else size
        dots = {"type": kind, "mode": "markers", "hoverinfo": "skip", "showlegend": True}
        if color_by == "o":
            keep = np.arange(len(pc))[::every]
            marker = {"size": size, "color": outputs[keep].round(4).tolist(), "colorscale": DIVERGING}
            o_name = sub("o", "T" if what == "reviews end" else "t")
            marker.update(cmin=0, cmax=1, opacity=opacity)
            traces.append({**dots, **coords(pc[keep], 4), "marker": marker, "name": f"{what}, coloured by {o_name}"})
            continue
        for label, name, col in ((0, "negative", NEGATIVE), (1, "positive", POSITIVE)):
            keep = np.flatnonzero(labels == label)[::every]  # (N',) within each kind of review
            marker = {"size": size, "color": col, "opacity": opacity}
            traces.append({**dots, **coords(pc[keep], 4), "marker": marker, "name": f"{name} {what}"})
    return points, traces
