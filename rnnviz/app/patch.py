"""A chart's figure as a patch on one the page already holds: what changed, not the whole figure again.

Plain JSON data in, plain JSON data out (no streamlit), so the page (rnnviz/app/frontend/live_chart.js applies
the same four kinds), the tests and bench/load.py can rebuild a figure from a patch. A patch is a JSON list
whose first item names its kind:

    ["v", value]          the value itself (a new key, or a value of another kind)
    ["d", {key: patch}, [removed keys]]     a dict: its changed keys
    ["l", {index: patch}]                   a list of the same length whose items are dicts or lists
    ["t", k, tail]                          a list that keeps the first k items and ends with `tail`

While a reader types, most of a view stays as it was (styles, names, axes, the shapes) and a value per word
changes only from the word typed on (an RNN reads left to right), so a keystroke's patch is a small part of
its figure.
"""

from __future__ import annotations

from typing import Any

Patch = list[Any]


def diff(old: Any, new: Any) -> Patch | None:
    """The patch that turns `old` into `new` (both plain JSON data), or None if they are equal."""
    if old == new:
        return None
    if isinstance(old, dict) and isinstance(new, dict):
        changed = {}
        for key, value in new.items():
            if key not in old:
                changed[key] = ["v", value]
            elif (p := diff(old[key], value)) is not None:
                changed[key] = p
        return ["d", changed, [key for key in old if key not in new]]
    if isinstance(old, list) and isinstance(new, list):
        if len(old) == len(new) and all(isinstance(item, dict | list) for item in new):
            pairs = enumerate(zip(old, new, strict=True))
            return ["l", {str(i): p for i, (a, b) in pairs if (p := diff(a, b)) is not None}]
        k = 0
        for a, b in zip(old, new, strict=False):  # the shorter one's length
            if a != b:
                break
            k += 1
        if k:
            return ["t", k, new[k:]]
    return ["v", new]


def apply(old: Any, patch: Patch) -> Any:
    """`old` with `patch` applied (diff's inverse); `old` itself is not changed."""
    kind = patch[0]
    if kind == "v":
        return patch[1]
    if kind == "d":
        out = {key: value for key, value in old.items() if key not in patch[2]}
        for key, p in patch[1].items():
            out[key] = apply(old.get(key), p)
        return out
    if kind == "l":
        out = list(old)
        for index, p in patch[1].items():
            out[int(index)] = apply(old[int(index)], p)
        return out
    if kind == "t":
        return [*old[: patch[1]], *patch[2]]
    raise ValueError(f"not a figure patch: {kind!r}")
