"""The projection view: the hidden state as a point moving through state space, one step per word.

Click-to-select: the word points, the highlighted point and the goldfish points carry `customdata`
whose first element is the step t (1..T) they stand for. s_0 and the corpus points carry none.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypedDict, Unpack

import numpy as np
import plotly.graph_objects as go

from rnnviz.figures.mark import (
    coords,
    goldfish_path,
    label_positions,
    output_marker,
    path_arrows,
    path_traces,
    read_and_ahead,
    s0_marker,
    selected_ring,
    step_hover,
    word_labels,
)
from rnnviz.figures.space import (
    ColorBy,
    Plane,
    axis_range,
    band_traces,
    boundary_mesh,
    boundary_trace,
    corpus_traces,
    padded_extent,
    plane_for,
)
from rnnviz.figures.style import (
    CLEAR,
    FAINT,
    GREY,
    HIGHLIGHT,
    Spec,
    base_layout,
    clamp_step,
    esc,
    figure_from,
    grid_axis,
    in_background,
    legend_row,
    short,
    spec,
    sub,
)

if TYPE_CHECKING:
    from rnnviz.corpus import Corpus
    from rnnviz.trace import Trace

LABEL_AROUND = 4  # words labelled on each side of the selected step in a long text
FIG_HEIGHT = 340
LEGEND_ROW_PX = 17  # one row of the legend under the plot
REAL_PATH = "with memory (path so far)"  # the legend's names for the two runs' paths
GOLDFISH_PATH = "goldfish path (no memory)"
NUDGE = "nudge s_t"  # the handle on the selected state that the reader drags (rnnviz/app/frontend/live_chart.js)
WHAT_IF = "what if"  # the rest of the sentence read on from a state set by hand
NUDGE_PX = 13  # the handle's radius


class ProjectionOptions(TypedDict, total=False):
    """The keyword options of projection_spec and projection_figure (defaults in projection_spec)."""

    corpus: Corpus | None
    compare: Trace | None
    components: tuple[int, ...] | None
    color_by: ColorBy
    prefixes: bool
    dims: Literal[2, 3]
    advanced: bool
    what_if: Trace | None
    nudge: bool


class MarkSizes(NamedTuple):
    """How big the sentence's marks are drawn: in 2-D pixels, or in 3-D (where markers look larger)."""

    path: tuple[float, float]  # line width of the path so far, of the path still to come
    ahead_opacity: float | None  # of the path still to come
    goldfish: tuple[float, float]  # line width, marker size
    word: float
    s0: float
    ring: float


FLAT = MarkSizes(path=(2.5, 1.5), ahead_opacity=0.5, goldfish=(1, 8), word=10, s0=12, ring=22)
DEEP = MarkSizes(path=(5, 3), ahead_opacity=None, goldfish=(2, 4), word=5, s0=5, ring=11)


class Scene(NamedTuple):
    """What both the 2-D and the 3-D view draw: the sentence's states and everything else in the space."""

    tr: Trace
    t_sel: int
    plane: Plane
    p: np.ndarray  # (T+1, D) the sentence's states, s_0 first
    points: list[np.ndarray]  # everything drawn, for the axis ranges
    corpus_data: list[dict[str, Any]]
    compare: Trace | None
    g: np.ndarray | None  # (T', D) the goldfish run's states

    @property
    def legend(self) -> bool:
        return bool(self.corpus_data) or self.g is not None or self.plane.readout is not None


def plain_title(title: str) -> str:
    """A principal axis's title in plain words: "PC1 (34% of variance)" -> "main direction 1 (34% of the spread)"."""
    return re.sub(r"PC(\d+) \((\d+)% of variance\)", r"main direction \1 (\2% of the spread)", title)


def _components(dims: int, color_by: str, components: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """The principal axes to draw, after checking the options; a clear error for a wrong one."""
    if dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, not {dims!r}.")
    if color_by not in ("label", "o"):
        raise ValueError(f"color_by must be 'label' or 'o', not {color_by!r}.")
    if components is None:
        return (0, 1, 2)[:dims] if dims == 3 else None
    if len(components) != dims:
        raise ValueError(f"A {dims}-D view takes {dims} components, not {len(components)}.")
    return components


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
    advanced: bool = True,
    what_if: Trace | None = None,
    nudge: bool = False,
) -> Spec:
    """The projection view as plain dicts; `projection_figure` wraps it in a Plotly figure.

    `advanced=False` names principal axes in plain words ("main direction 1 (34% of the spread)", not "PC1").
    `nudge` (2-D only) puts a handle on the selected state s_t that the page lets the reader drag; `what_if`
    (rnnviz.trace.what_if at the selected step) draws how the rest of the sentence reads on from the state
    set by hand, beside the real path, the handle on that state.
    """
    components = _components(dims, color_by, components)
    plane = plane_for(tr, corpus, components)
    if not advanced:
        plane = replace(plane, titles=tuple(plain_title(title) for title in plane.titles))
    p = plane.project(tr.hidden)  # (T+1, D)
    points = [p]
    corpus_data: list[dict[str, Any]] = []
    if corpus is not None and corpus.H == tr.H and plane.kind != "units":
        corpus_points, corpus_data = corpus_traces(plane, corpus, color_by, prefixes)
        points += corpus_points
    g = plane.project(compare.hidden[1:]) if compare is not None else None  # (T', D)
    if g is not None:
        points.append(g)
    scene = Scene(tr, clamp_step(tr, step), plane, p, points, corpus_data, compare, g)
    if dims == 3:
        return _deep(scene)
    flat = _flat(scene)
    if what_if is not None and what_if.nudged_at == scene.t_sel and what_if.T == tr.T:
        q = plane.project(what_if.hidden)  # (T+1, 2)
        flat["data"].insert(len(flat["data"]) - 1, _what_if(what_if, q, tr))  # under the selected ring
        at = q[scene.t_sel]
    else:
        at = p[scene.t_sel]
    if nudge:
        flat["layout"]["shapes"] = [*flat["layout"].get("shapes", []), _handle(at)]
    return flat


def _handle(at: np.ndarray) -> dict[str, Any]:
    """The handle on s_t the reader drags (an editable shape the size of the ring, round on any axes)."""
    r = NUDGE_PX
    return {
        "type": "circle",
        "xsizemode": "pixel",
        "ysizemode": "pixel",
        "xanchor": float(at[0]),
        "yanchor": float(at[1]),
        "x0": -r,
        "x1": r,
        "y0": -r,
        "y1": r,
        "fillcolor": "rgba(204,121,167,0.18)",
        "line": {"color": HIGHLIGHT, "width": 1.5, "dash": "dot"},
        "editable": True,
        "name": NUDGE,
    }


def _what_if(wi: Trace, q: np.ndarray, tr: Trace) -> dict[str, Any]:
    """The what-if path: from the state set by hand at step t (q[t]) through the states the cell reads on to, each
    point coloured by its o, the last labelled with the o_T it ends on (beside the real one)."""
    t = int(wi.nudged_at or 1)
    steps = range(t, wi.T + 1)
    outs = wi.outputs[t - 1 :]
    hover = [
        f"what if: t = {k}: “{esc(tr.labels[k - 1])}”<br>({q[k, 0]:+.2f}, {q[k, 1]:+.2f})<br>"
        f"{sub('o', k)} = {wi.outputs[k - 1]:.3f} (real {tr.outputs[k - 1]:.3f})"
        for k in steps
    ]
    hover[0] = f"{sub('s', t)} set by hand<br>" + hover[0]
    text = [""] * len(hover)
    text[-1] = f"what if: {sub('o', wi.T)} = {wi.final:.2f}"
    return {
        "type": "scatter",
        **coords(q[t:]),
        "mode": "lines+markers+text",
        "line": {"color": HIGHLIGHT, "width": 2.5, "dash": "dash"},
        "marker": output_marker(outs, 9),
        "text": text,
        "textposition": "bottom center",
        "textfont": {"size": 11, "color": HIGHLIGHT},
        "hovertext": hover,
        "hoverinfo": "text",
        "cliponaxis": False,
        "name": WHAT_IF,
        "showlegend": False,
    }


def _marks(scene: Scene, sizes: MarkSizes, text: list[str], positions: str | list[str], s0_position: str) -> list:
    """The sentence's marks, the same in 2-D and 3-D: its path, the goldfish run, the words, s_0, the ring."""
    tr, t_sel, p = scene.tr, scene.t_sel, scene.p
    hover = step_hover(tr, p if p.shape[1] == 2 else None)
    data = path_traces(p, t_sel, sizes.path, sizes.ahead_opacity)
    if scene.g is not None:
        assert scene.compare is not None
        data.append(goldfish_path(scene.g, tr, scene.compare, width=sizes.goldfish[0], size=sizes.goldfish[1]))
    data += read_and_ahead(tr, p, t_sel, text, positions, hover, sizes.word)
    data.append(s0_marker(p[0], sizes.s0, position=s0_position))
    data.append(selected_ring(p[t_sel].tolist(), t_sel, hover[t_sel - 1], sizes.ring))
    return data


def by_name(traces: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(trace for trace in traces if trace.get("name") == name)


def _legend_key(trace: dict[str, Any], name: str) -> dict[str, Any]:
    """A legend entry alone, drawn in the style of `trace`: no points, the same while the reader types."""
    style = {k: trace[k] for k in ("type", "mode", "line", "marker") if k in trace}
    marker = style.get("marker")
    if marker and not isinstance(marker.get("color"), str):  # coloured per step: the key takes one colour
        style["marker"] = {**marker, "color": GREY}
    return {**style, "name": name, "x": [None], "y": [None], "hoverinfo": "skip", "showlegend": True}


def _title(scene: Scene, what: str) -> str:
    word = esc(short(scene.tr.labels[scene.t_sel - 1], 20))
    return f"{what}: {sub('s', 't')} word by word, t = {scene.t_sel}: “{word}”"


def _flat(scene: Scene) -> Spec:
    """The projection in a plane: readout bands and the o = 0.5 line behind the path, labels placed apart."""
    plane, t_sel = scene.plane, scene.t_sel
    xr, yr = axis_range(scene.points, fixed=plane.kind != "pca")
    note = "" if plane.kind == "neurons" else " (within this plane)"
    readout = band_traces(plane, xr, yr, what="readout o = σ(V·s + c)", opacity=0.3, digits=5, note=note)
    readout += boundary_trace(plane, xr, yr, name="o = 0.5" + (" (in this plane)" if note else ""))
    background = in_background(readout + scene.corpus_data)  # the same while the reader types

    raw = word_labels(scene.tr.labels, t_sel, LABEL_AROUND)
    # s_0 and the selected word are placed first; the rest take the room left, or go without a label.
    where = label_positions(scene.p, ["s0", *raw], xr, yr, square=plane.kind != "pca", first=(0, t_sel))
    s0_position, where = where[0] or "bottom center", where[1:]
    text = [esc(word) if pos else "" for word, pos in zip(raw, where, strict=True)]
    positions = [pos or "top center" for pos in where]
    marks = _marks(scene, FLAT, text, positions, s0_position)
    if scene.g is not None:  # live charts draw the legend with the background: the two runs' keys go there
        keys = [_legend_key(marks[0], REAL_PATH), _legend_key(by_name(marks, "goldfish (no memory)"), GOLDFISH_PATH)]
        marks = [{**trace, "showlegend": False} for trace in marks]
        background += in_background(keys)
    data = [*background, path_arrows(scene.p, t_sel), *marks]

    # The legend sits at the figure's foot, two entries a row, with room made for every row (none is cut off).
    rows = -(-sum(1 for trace in data if trace.get("showlegend")) // 2)
    legend = {
        **legend_row(0),
        "yref": "container",
        "yanchor": "bottom",
        "entrywidth": 0.5,
        "entrywidthmode": "fraction",
    }
    # Neurons share one unit, so both axes keep it; PCA axes get the room (PC2 often holds little variance).
    square = {"scaleanchor": "x", "scaleratio": 1} if plane.kind != "pca" else {}
    layout = base_layout(
        FIG_HEIGHT + LEGEND_ROW_PX * rows,
        _title(scene, "Projection"),
        # constrain: equal units on both axes shrink the plot, never stretch the range
        xaxis=grid_axis(xr, plane.titles[0], constrain="domain"),
        yaxis=grid_axis(yr, plane.titles[1], constrain="domain", **square),
        showlegend=scene.legend,
        legend=legend,
        margin={"l": 52, "r": 8, "t": 40, "b": 48 + LEGEND_ROW_PX * rows},
    )
    return spec(data, layout)


def _deep(scene: Scene) -> Spec:
    """The projection in three principal axes: the same marks as Scatter3d, the o = 0.5 boundary as a plane."""
    ranges = padded_extent(scene.points)
    text = [esc(word) for word in word_labels(scene.tr.labels, scene.t_sel, LABEL_AROUND)]
    data = boundary_mesh(scene.plane, ranges) + scene.corpus_data
    data += _marks(scene, DEEP, text, "top center", "bottom center")
    axis = {"showbackground": False, "backgroundcolor": CLEAR, "gridcolor": FAINT, "zerolinecolor": FAINT}
    scene_layout = {
        f"{name}axis": {**axis, "showspikes": False, "range": r, "title": {"text": title, "font": {"size": 11}}}
        for name, r, title in zip("xyz", ranges, scene.plane.titles, strict=True)
    }
    layout = base_layout(
        FIG_HEIGHT + 180,
        _title(scene, "Projection in 3-D"),
        scene={
            **scene_layout,
            "bgcolor": CLEAR,
            "aspectmode": "cube",  # PCA axes get the room, as in 2-D
            "dragmode": "turntable",
            "camera": {"eye": {"x": 1.45, "y": -1.5, "z": 0.8}},
        },
        showlegend=scene.legend,
        legend=legend_row(-0.05),
        margin={"l": 8, "r": 8, "t": 40, "b": 20},
    )
    return spec(data, layout)


def projection_figure(tr: Trace, step: int | None = None, **options: Unpack[ProjectionOptions]) -> go.Figure:
    """s_0, s_1, ... s_T as a labelled path in a plane (neurons for H = 2, corpus PCA otherwise).

    The options are projection_spec's (ProjectionOptions). The corpus map behind the path: `components`
    picks the principal axes (0 is PC1; default PC1/PC2, or PC1..PC3 for `dims=3`), `color_by` colours
    the corpus states by their review's label or by o, and `prefixes` adds the states inside the reviews
    (every prefix, as sampled in the corpus file). `compare` is the goldfish run drawn beside the path.
    `dims=3` draws the same in 3-D (needs H >= 3); the readout boundary o = 0.5 is then a plane.
    """
    return figure_from(projection_spec(tr, step, **options))
