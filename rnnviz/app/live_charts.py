"""Plotly charts that stay mounted while the reader types: one Streamlit component per view.

`st.plotly_chart` gives a chart a new identity whenever its figure changes, so every keystroke
threw each view's plot away and drew it from scratch (twice: once to measure its width, once to
fit it). This component keeps one plotly.js plot per view and updates it in place with
`Plotly.react`. The figures are the same ones `rnnviz.figures` builds for notebooks and exports:
the component only changes how they reach the page.

plotly.js is the copy inside the installed `plotly` package, served by Streamlit's own component
file route (`/component/<name>/plotly.min.js`, cached by the browser), so nothing is fetched from
the internet and the version always matches the plotly that built the figure. That route serves a
whole folder, and plotly's package_data holds much more than plotly.min.js (datasets, templates): the
route is given a folder of its own holding that one file (a hard link, else a copy; see plotly_js_dir).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
import os
import shutil
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components_v1
import streamlit.components.v2 as components_v2

from rnnviz.app.keys import PLAY_INTERVAL_S, TEXT_KEY
from rnnviz.app.patch import apply, diff
from rnnviz.figures.frame import Frame
from rnnviz.figures.style import BACKGROUND, Spec, figure_from, json_text

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"  # plotly.min.js ships here
CACHE_ENV = "RNNVIZ_CACHE_DIR"  # where the folder served for plotly.js lives (default ~/.cache/rnnviz)
FRONTEND_DIR = Path(__file__).resolve().parent / "frontend"  # live_chart.js
PLOTLY_JS, MODULE_JS = "plotly.min.js", "live_chart.js"
# The component's own code only imports the real module, which is served (and cached) like plotly.js:
# inline code would travel with every run of the script, once per chart. Both URLs are relative to
# where Streamlit serves its own scripts, which holds the server's base path however the app is
# reached (a --server.baseUrlPath, or a host such as Community Cloud that serves it under a prefix).
# A chart's data comes as JSON bytes (the script encodes each figure once): decoded here, once per message (kept on
# the message's array), and handed to the module.
# (Several lines: Streamlit takes a one-line string with a "/" in it for a file path.)
JS = """
const b = (document.querySelector('script[src*="/static/js/index."]')?.src||location.href)
  .replace(/static[/]js[/].*$/,'');
export default async (c) => {
  const d = c.data.d ??= JSON.parse(new TextDecoder().decode(c.data));
  return (await import(new URL(d.module, b).href)).default(c, d);
};
"""
CONFIG = {"displayModeBar": False, "scrollZoom": False, "responsive": True}  # plotly.js config of every chart
_CONFIG_JSON = json.dumps(CONFIG, separators=(",", ":"))
COMPONENT = "rnnviz_live_chart"
_URLS = "_rnnviz_live_chart_urls"  # session state: where this server serves the two scripts
# The charts' styles come with the module too (live_chart.js puts them on the page once): css given here would travel
# with every run, once per chart, as the js does.
_mount = components_v2.component(COMPONENT, html="", js=JS, isolate_styles=False)


def _route(name: str, directory: Path, file: str, version: str) -> str:
    """Serve `directory` on Streamlit's component file route; `file`'s URL relative to the app's base."""
    component = components_v1.declare_component(name, path=str(directory))  # registers for this server
    return f"component/{component.name}/{file}?v={version}"


def urls() -> dict[str, str]:
    """Where the page loads plotly.js and the chart module from (versioned, so browsers may cache them).

    Registers both folders with this server once per session (a registration outlives the session).
    """
    found = st.session_state.get(_URLS)
    if found is None:
        found = {
            "src": _route("plotlyjs", plotly_js_dir(), PLOTLY_JS, plotly.__version__),
            "module": _route("frontend", FRONTEND_DIR, MODULE_JS, _module_version()),
        }
        st.session_state[_URLS] = found
    return found


@functools.cache
def _serves_plotly_js(directory: Path) -> bool:
    """Whether the plotly package holds plotly.min.js and it can be served alone (looked up once, not on every
    keystroke)."""
    if not (directory / PLOTLY_JS).is_file():
        return False
    try:
        plotly_js_dir()
    except OSError:
        return False
    return True


@functools.cache
def plotly_js_dir() -> Path:
    """A folder holding only plotly.min.js, the one file of the plotly package the page needs (once per process).

    In $RNNVIZ_CACHE_DIR (default ~/.cache/rnnviz), named by plotly's version; the file is a hard link to the
    package's copy where the file system allows, else a copy (a symlink would not do: Streamlit refuses files
    that resolve outside the served folder). OSError if it cannot be made.
    """
    root = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "rnnviz")
    folder = root / f"plotlyjs-{plotly.__version__}"
    source, target = PLOTLY_DIR / PLOTLY_JS, folder / PLOTLY_JS
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{PLOTLY_JS}.{os.getpid()}"
        partial.unlink(missing_ok=True)
        try:
            os.link(source, partial)
        except OSError:
            shutil.copyfile(source, partial)
        os.replace(partial, target)  # atomic: another server process may be reading it
    return folder


@functools.cache
def _module_version() -> str:
    return hashlib.sha256((FRONTEND_DIR / MODULE_JS).read_bytes()).hexdigest()[:12]


def figure_spec(figure: go.Figure | Spec) -> dict[str, Any]:
    """The figure as plain JSON data without plotly.py's default template: the page applies Streamlit's look.

    A view's spec (rnnviz.figures.SPECS) is converted directly; a Plotly figure goes through its JSON.
    """
    if isinstance(figure, dict):
        spec = json.loads(json_text(figure))
    else:
        spec = json.loads(pio.to_json(figure, validate=False))
    spec.get("layout", {}).pop("template", None)
    return spec


def play_data(frames: list[Frame], start: int, token: float, interval_s: float = PLAY_INTERVAL_S) -> dict[str, Any]:
    """What a chart needs to play by itself: its frame for every step (rnnviz.figures.frame.step_frames), the
    step it starts at, and the play's name (every chart of the page runs one clock per name)."""
    return {"frames": frames, "start": int(start), "token": token, "interval_ms": round(1000 * interval_s)}


def live_chart(
    figure: go.Figure | Spec,
    key: str,
    on_step: Callable[[], None] | None = None,
    *,
    step: int | None = None,
    n_steps: int | None = None,
    play: dict[str, Any] | None = None,
    on_nudge: Callable[[], None] | None = None,
) -> None:
    """Draw `figure` (a Plotly figure or a view's spec) in a chart that keeps its plot across reruns.

    A click on a point whose `customdata` starts with a step t calls `on_step`; `clicked_step(key)`
    reads t. So do the arrow keys (one step back or on, in every chart of the page; `step` is the one drawn,
    of `n_steps`) and the end of a play (`play`: play_data), which the browser animates with no run per step.
    Dragging the projection's handle on s_t (rnnviz.figures.projection, `nudge=True`) calls `on_nudge`;
    `nudged_state(key)` reads where it was left.
    Falls back to st.plotly_chart if the plotly package has no plotly.min.js to serve.
    """
    if not _serves_plotly_js(PLOTLY_DIR):  # an unusual plotly install: Streamlit's own chart still works
        fallback_chart(figure, key, on_step)
        return
    # A view's spec goes out as it was built (numpy arrays and all), encoded to JSON once: no Plotly objects, no
    # round trip through json.loads, and Streamlit hashes the bytes instead of encoding the figure twice more.
    spec = figure if isinstance(figure, dict) else figure_spec(figure)
    height = spec.get("layout", {}).get("height")
    n_back = background_count(spec)
    data: dict[str, Any] = {"module": urls()["module"], "background": n_back}
    start = ""
    if n_back:  # the background goes apart from the figure (and only when the page lacks it), never in a patch
        back = json_text(spec["data"][:n_back])
        digest, send = _background_once(back, key)
        data.update(background_hash=digest, background_sent=send)
        start = f'"back":{back},' if send else ""
    text = st.session_state.get(TEXT_KEY)
    if isinstance(text, str):  # the text this run drew: the page skips drawing it once the box holds newer text
        data["text"] = {"key": TEXT_KEY, "hash": text_hash(text)}  # a hash: the text itself is up to 2,000 chars
    if step is not None:
        data.update(step=int(step), n_steps=int(n_steps or step))
    if play is not None:
        data["play"] = play
    layout = {k: v for k, v in spec.get("layout", {}).items() if k != "template"}
    figure_json = '{"data":' + json_text(spec.get("data", [])[n_back:]) + ',"layout":' + json_text(layout) + "}"
    _mount(
        key=key,
        data=(_patched(figure_json, key) + start + json_text(data)[1:]).encode(),  # the page decodes the bytes
        height=int(height) if height else "content",
        on_step_change=on_step or _ignore,
        on_nudge_change=on_nudge or _ignore,
        on_background_change=functools.partial(_resend_background, key),
        on_keyframe_change=functools.partial(_resend_keyframe, key),
    )


_KEYFRAME = "_rnnviz_live_chart_keyframes"  # session state: chart key -> the Keyframe the page keeps for it
PATCH_SHARE = 0.5  # a patch bigger than this share of its figure: the figure goes whole, as a new keyframe


@dataclass(frozen=True, eq=False)
class Keyframe:
    """A figure this session sent whole to a chart, by hash: later runs send patches on it."""

    digest: str
    figure: dict[str, Any]


# hash -> keyframe, for as long as a session keeps it (drawn_figures applies the patches a test reads)
_KEYFRAMES: weakref.WeakValueDictionary[str, Keyframe] = weakref.WeakValueDictionary()


def _patched(figure_json: str, key: str) -> str:
    """The start of chart `key`'s data as JSON: `"figure"`, or a `"patch"` on the keyframe this session last sent
    to that chart whole (which the page keeps), with the keyframe's hash."""
    figure = json.loads(figure_json)
    kept = st.session_state.setdefault(_KEYFRAME, {})
    if key in kept:
        patch = json_text(diff(kept[key].figure, figure) or ["d", {}, []])
        if len(patch) <= PATCH_SHARE * len(figure_json):
            return f'{{"patch":{patch},"keyframe":"{kept[key].digest}",'
    frame = Keyframe(hashlib.sha1(figure_json.encode()).hexdigest()[:16], figure)
    kept[key] = _KEYFRAMES.setdefault(frame.digest, frame)
    # plotly.js and its config go with the keyframe only: the page keeps them with it
    return f'{{"figure":{figure_json},"keyframe":"{frame.digest}","src":"{urls()["src"]}","config":{_CONFIG_JSON},'


@functools.lru_cache(maxsize=16)
def text_hash(text: str) -> str:
    """FNV-1a (32 bits) of the text's UTF-16 code units, in hex: what live_chart.js computes of the text box's value
    (JavaScript strings are UTF-16) to tell whether the box has moved past the text a run drew."""
    h = 0x811C9DC5
    units = text.encode("utf-16-le")
    for lo, hi in zip(units[::2], units[1::2], strict=True):
        h = ((h ^ (lo | hi << 8)) * 0x01000193) & 0xFFFFFFFF
    return format(h, "x")


def _resend_keyframe(key: str) -> None:
    """The page asked for chart `key`'s figure whole (it does not hold the keyframe a patch was on)."""
    st.session_state.get(_KEYFRAME, {}).pop(key, None)


_SENT = "_rnnviz_live_chart_backgrounds"  # session state: chart key -> the hash of the background last sent to it
_BACKGROUNDS: dict[str, str] = {}  # hash -> background traces as JSON, the last few (chart_data, drawn_figures)


def _background_once(back: str, key: str) -> tuple[str, bool]:
    """The hash of the chart's background (its first traces, as JSON), and whether to send the traces themselves:
    only when this session has not sent that background to this chart yet. The page keeps the backgrounds it was
    sent, so a keystroke that leaves the background as it was sends none of it (the projection's map is about half
    its spec)."""
    digest = hashlib.sha1(back.encode()).hexdigest()[:16]
    _BACKGROUNDS[digest] = back
    while len(_BACKGROUNDS) > 64:
        _BACKGROUNDS.pop(next(iter(_BACKGROUNDS)))
    sent = st.session_state.setdefault(_SENT, {})
    if sent.get(key) == digest:
        return digest, False
    sent[key] = digest
    return digest, True


def _resend_background(key: str) -> None:
    """The page asked for chart `key`'s background again (it does not hold it): the next run sends it."""
    st.session_state.get(_SENT, {}).pop(key, None)


def live_readout(words: list[str], outputs: list[float], step: int, key: str, stands_for: str) -> None:
    """While the page plays: t, x_t and o_t of the step the views show and a bar of t of T, moved on by the page
    with them (no run of the script per word). `words` as a person reads them, o_t of each. It stands in for the
    widget whose key is `stands_for` (the step slider), hidden while the readout is on the page."""
    if not _serves_plotly_js(PLOTLY_DIR):  # no live charts either: the page does not play by itself
        return
    readout = {"words": list(words), "outputs": [round(float(o), 4) for o in outputs], "step": int(step),
               "n_steps": len(words), "hides": f".st-key-{stands_for}"}  # fmt: skip
    _mount(key=key, data=json_text({**urls(), "readout": readout}).encode(), height="content")


def nudged_state(key: str) -> tuple[int, float, float] | None:
    """(t, x, y): where the reader left the handle on s_t in chart `key` (the step it was on), if it was dragged."""
    value = getattr(st.session_state.get(key), "nudge", None)
    if not isinstance(value, dict):
        return None
    try:
        t, x, y = int(value["step"]), float(value["x"]), float(value["y"])
    except (KeyError, TypeError, ValueError):
        return None
    return (t, x, y) if math.isfinite(x) and math.isfinite(y) else None


def background_count(spec: Spec) -> int:
    """How many of the figure's first traces are background (`rnnviz.figures.BACKGROUND`): the page draws them
    once in a plot of their own under the rest, and redraws them only when they change, not on every keystroke."""
    n = 0
    for trace in spec.get("data", []):
        if trace.get("meta") != BACKGROUND or trace.get("type", "scatter") != "scatter":
            break
        n += 1
    return n


def fallback_chart(figure: go.Figure | Spec, key: str, on_step: Callable[[], None] | None = None) -> None:
    """The same view through st.plotly_chart (remounted on every change, but needs no plotly.js file of ours).

    A click calls `on_step`; read the step with `clicked_step(key)`, as for the live chart.
    """
    fig = figure_from(figure) if isinstance(figure, dict) else figure
    st.plotly_chart(fig, key=key, on_select=on_step or "ignore", selection_mode="points", config=CONFIG)


def clicked_step(key: str) -> int | None:
    """The step t a click on chart `key` picked (the first element of the point's customdata), if any."""
    value = st.session_state.get(key)
    if value is None:
        return None
    step = getattr(value, "step", None)  # a live chart's trigger
    if step is None:  # st.plotly_chart's selection event (the fallback)
        points = getattr(getattr(value, "selection", None), "points", None) or []
        custom = points[0].get("customdata") if points else None
        step = custom[0] if isinstance(custom, list | tuple) and custom else custom
    try:
        return int(step)
    except (TypeError, ValueError):
        return None


def _ignore() -> None:
    return None


def chart_data(proto: Any) -> dict[str, Any]:
    """What a live chart's element (a BidiComponent proto) gives the page: the data as a dict (sent as JSON bytes)."""
    return json.loads(proto.bytes if proto.WhichOneof("data") == "bytes" else proto.json)


def drawn_figures(elements: Any) -> dict[str, dict[str, Any]]:
    """Chart key -> figure dict for every live chart among Streamlit elements (AppTest's `at.get("bidi_component")`
    or BidiComponent protos): what the page was sent to draw. A patch is applied to its keyframe and a background
    the page already held is put back, both from this process's cache; protos from a server in another process
    keep only what that run sent (a patch stays {"patch": ...})."""
    out: dict[str, dict[str, Any]] = {}
    for element in elements:
        proto = getattr(element, "proto", element)
        if proto.component_name == COMPONENT:
            data = chart_data(proto)
            if "readout" in data:  # the play readout, not a chart
                continue
            out[proto.id.split("-", 2)[-1]] = _whole_figure(data)
    return out


def _whole_figure(data: dict[str, Any]) -> dict[str, Any]:
    """The figure a chart's data gives the page to draw: a patch applied to its keyframe, the background in front."""
    figure = data.get("figure")
    if figure is None:
        base = _KEYFRAMES.get(data.get("keyframe", ""))
        if base is None:  # sent by another process: only what this run sent
            return {"patch": data["patch"]}
        figure = apply(copy.deepcopy(base.figure), data["patch"])
    back = data.get("back")
    if back is None and data.get("background_sent") is False:  # the page already held it: put it back
        known = _BACKGROUNDS.get(data.get("background_hash", ""))
        back = json.loads(known) if known is not None else None
    return figure if back is None else {**figure, "data": back + figure["data"]}
