"""A view's frames for Play: what changes in its spec from the drawn step to every step t, for the browser to animate.

A frame is the difference between the view's spec at the drawn step (the base) and its spec at step t:
`{"traces": [i, ...], "data": [trace, ...], "layout": {key: value}}` replaces the traces at those indices and
those top-level layout keys (a key the base has and step t lacks comes as None). When the number of traces
differs, `{"keep": k, "rest": [trace, ...], "layout": {...}}` keeps the base's first k traces and replaces the
rest. Frame t-1 (0-based) is step t, so len(frames) == T.
Pure: no I/O, no plotly objects; the specs are the builders' own (rnnviz.figures.SPECS).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rnnviz.figures.style import Spec, jsonable
from rnnviz.trace import Trace

Frame = dict[str, Any]


def frame_between(base: Spec, spec: Spec) -> Frame:
    """The changes that turn `base` into `spec` (both JSON-ready specs)."""
    data, new = base.get("data", []), spec.get("data", [])
    layout, new_layout = base.get("layout", {}), spec.get("layout", {})
    keys = sorted(set(layout) | set(new_layout))
    changes = {k: new_layout.get(k) for k in keys if layout.get(k) != new_layout.get(k)}
    if len(data) != len(new):  # the traces the two share first (the background, the path) stay; the rest come whole
        keep = next((i for i, (a, b) in enumerate(zip(data, new, strict=False)) if a != b), min(len(data), len(new)))
        return {"keep": keep, "rest": new[keep:], "layout": changes}
    changed = [i for i, (a, b) in enumerate(zip(data, new, strict=True)) if a != b]
    return {"traces": changed, "data": [new[i] for i in changed], "layout": changes}


def apply_frame(base: Spec, frame: Frame) -> Spec:
    """The spec a frame stands for (what the browser draws): the inverse of frame_between."""
    data = list(base.get("data", []))
    if "keep" in frame:
        data = data[: frame["keep"]] + frame["rest"]
    else:
        for i, trace in zip(frame["traces"], frame["data"], strict=True):
            data[i] = trace
    layout = {k: v for k, v in {**base.get("layout", {}), **frame["layout"]}.items() if v is not None}
    return {**base, "data": data, "layout": layout}


def step_frames(build: Callable[..., Spec], tr: Trace, step: int, **options: Any) -> tuple[Spec, list[Frame]]:
    """The view's spec at `step` (the base, JSON-ready) and one frame per step t = 1..T against it."""
    base = jsonable(build(tr, step, **options))
    frames = []
    for t in range(1, tr.T + 1):
        spec = base if t == step else jsonable(build(tr, t, **options))
        frames.append(frame_between(base, spec))
    return base, frames
