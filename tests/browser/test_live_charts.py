"""The live charts: the four views stay mounted while the reader types and redraw in place.

Unit checks of what Python sends (rnnviz.app.live_charts), and Chromium checks of what a reader
relies on: one plot per view that survives keystrokes, one redraw per keystroke, Streamlit's look
in light and dark, plotly.js served by the app itself, and a clear note if it cannot load.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from support import APP, needs_browser, open_context, streamlit_server, wait_idle

import rnnviz
import rnnviz.figures as F  # noqa: N812
from rnnviz.app import CHART_KEYS, TEXT_KEY, token_notes
from rnnviz.app.explain import EXPLAIN_CHARTS
from rnnviz.app.live_charts import COMPONENT, background_count, chart_data, drawn_figures, figure_spec
from rnnviz.figures import BACKGROUND

KEYS = list(CHART_KEYS.values())


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON: a browser would reject this chart's data")


# -- what Python sends ----------------------------------------------------------------------------
def test_view_specs_become_strict_json_with_gaps_as_null():
    tr = rnnviz.trace(rnnviz.load_inference_model("rnn-2"), "NaN is a word too , not a gap")
    for name, build in F.SPECS.items():
        spec = figure_spec(build(tr, 3))
        text = json.dumps(spec, allow_nan=False)  # raises on NaN / Infinity
        assert "nan" in text or name == "rolled"  # the typed word (lower-cased) survives as text
    gaps = figure_spec({"data": [{"x": np.array([0.0, np.nan, 1.0]), "y": [1.0, float("inf"), np.float32(2)]}]})
    assert gaps["data"][0] == {"x": [0.0, None, 1.0], "y": [1.0, None, 2.0]}


def test_figure_spec_is_plain_json_without_the_default_template():
    tr = rnnviz.trace(rnnviz.load_model("rnn-2"), "not a good film")
    fig = F.unrolled(tr, 3)
    spec = figure_spec(fig)
    assert "template" not in spec["layout"]  # the page applies Streamlit's look instead
    assert json.loads(json.dumps(spec)) == spec  # numpy arrays became lists
    assert spec["layout"]["title"] == json.loads(fig.to_json())["layout"]["title"]
    assert len(spec["data"]) == len(fig.data)
    assert len(json.dumps(spec)) < len(fig.to_json())


def test_only_the_projections_unchanging_traces_are_background():
    model, corpus = rnnviz.load_inference_model("rnn-2"), rnnviz.load_corpus("rnn-2")
    tr = rnnviz.trace(model, "the plot was dull but the acting was wonderful")
    spec = F.projection_spec(tr, 4, corpus=corpus)
    n = background_count(spec)
    names = [t["name"] for t in spec["data"][:n]]
    assert n == 9 and sum(name.startswith("readout") for name in names) == 6, names  # bands, o = 0.5, corpus
    assert {"o = 0.5", "negative reviews end", "positive reviews end"} <= set(names)
    assert all(t.get("meta") != BACKGROUND for t in spec["data"][n:])  # path, words, s_0, the selected step
    # Nothing that follows the typing is background: the same for another sentence and step.
    other = F.projection_spec(rnnviz.trace(model, "a dull , dull film"), 2, corpus=corpus)
    assert json.dumps(figure_spec(other)["data"][:n]) == json.dumps(figure_spec(spec)["data"][:n])
    for name in ("rolled", "positivity"):
        assert background_count(F.SPECS[name](tr, 4)) == 0, name
    unrolled = F.unrolled_spec(tr, 4)
    n = background_count(unrolled)
    assert [t["name"] for t in unrolled["data"][:n]] == ["arrows", "arrowheads", "labels"]  # the U, W, V stay on top
    retyped = F.unrolled_spec(rnnviz.trace(model, "the plot was dull but the acting was wonderfully"), 4)
    assert json.dumps(figure_spec(retyped)["data"][:n]) == json.dumps(figure_spec(unrolled)["data"][:n])
    gru = rnnviz.trace(rnnviz.load_inference_model("gru-64"), "the plot was dull")
    assert background_count(F.projection_spec(gru, 2, corpus=rnnviz.load_corpus("gru-64"))) == 9
    three_d = F.projection_spec(gru, 2, corpus=rnnviz.load_corpus("gru-64"), dims=3)
    assert background_count(three_d) == 0  # a 3-D scene draws as one plot
    # Background traces only count while they come first: they are drawn under everything else.
    late = {"data": [{"type": "scatter"}, {"type": "scatter", "meta": BACKGROUND}], "layout": {}}
    assert background_count(late) == 0


def test_the_four_views_are_live_charts_with_their_figures():
    at = AppTest.from_file(APP, default_timeout=60).run()
    first = chart_data(at.get("bidi_component")[0].proto)  # a figure sent whole, with plotly.js and its config
    at.text_input(key=TEXT_KEY).set_value("the plot was dull but the acting was wonderful").run()
    assert not at.exception
    elements = at.get("bidi_component")
    assert {e.proto.component_name for e in elements} == {COMPONENT}
    figures = drawn_figures(elements)
    assert sorted(set(figures) - EXPLAIN_CHARTS) == sorted(KEYS)  # the four views, beside the explainer's panel
    assert figures[CHART_KEYS["rolled"]]["layout"]["title"]["text"].endswith("“wonderful”")
    ticks = figures[CHART_KEYS["positivity"]]["layout"]["xaxis"]["ticktext"]
    assert [t.replace("<b>", "").replace("</b>", "") for t in ticks][-1] == "wonderful"
    for element in elements:  # strict JSON, as browsers parse it: no NaN or Infinity
        assert element.proto.WhichOneof("data") == "bytes"  # JSON encoded once by the script, decoded by the page
        json.loads(element.proto.bytes, parse_constant=_refuse)
    assert first["src"].startswith("component/") and first["src"].split("?")[0].endswith("/plotly.min.js")
    assert first["config"]["displayModeBar"] is False
    for element in elements:  # a patch comes without them: the page keeps them with the keyframe
        data = chart_data(element.proto)
        assert data["module"].split("?")[0].endswith("/live_chart.js")
        assert ("src" in data) == ("figure" in data) == ("patch" not in data)
    assert len(elements[0].proto.js_content) < 300  # the module travels once, not with every run


def test_without_plotly_js_the_views_fall_back_to_streamlit_charts(monkeypatch, tmp_path):
    from rnnviz.app import live_charts

    monkeypatch.setattr(live_charts, "PLOTLY_DIR", tmp_path)  # a plotly install without plotly.min.js
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key=TEXT_KEY).set_value("a fine film").run()
    assert not at.exception and not at.error
    assert not drawn_figures(at.get("bidi_component"))
    charts = {c.proto.id.split("-", 2)[-1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    assert sorted(set(charts) - EXPLAIN_CHARTS) == sorted(KEYS)
    assert charts[CHART_KEYS["rolled"]]["layout"]["title"]["text"].endswith("“film”")


def test_clicked_step_reads_both_kinds_of_chart():
    at = AppTest.from_string(
        """
import streamlit as st
from types import SimpleNamespace
from rnnviz.app.live_charts import clicked_step
st.session_state["live"] = SimpleNamespace(step=3)
st.session_state["plotly"] = SimpleNamespace(selection=SimpleNamespace(points=[{"customdata": [5, "x"]}]))
st.session_state["junk"] = SimpleNamespace(step="five")
st.session_state["out"] = [clicked_step(k) for k in ("live", "plotly", "junk", "missing")]
"""
    ).run()
    assert at.session_state["out"] == [3, 5, None, None]  # live chart, st.plotly_chart, bad value, no click


# -- in the browser ----------------------------------------------------------------------------------
COUNT_DRAWS = """(keys) => {
    window.__draws = {};
    for (const k of keys) {
        const gd = document.querySelector('.st-key-' + k + ' .js-plotly-plot');
        gd.__mark = k;  // survives only if the plot is kept
        if (!gd.__counted) {
            gd.__counted = true;
            gd.on('plotly_afterplot', () => { window.__draws[k] = (window.__draws[k] || 0) + 1; });
        }
    }
}"""
STATE = """(keys) => keys.map(k => {
    const gd = document.querySelector('.st-key-' + k + ' .js-plotly-plot');
    return {mark: gd ? gd.__mark || null : null, title: gd ? (gd.querySelector('.gtitle') || {}).textContent : null};
})"""


def open_page(chromium_browser, url: str, **context):
    """A fresh context on `url`, once every view has drawn: (context, page)."""
    ctx, page = open_context(chromium_browser, **context)
    page.goto(url)
    for key in KEYS:
        page.wait_for_selector(f".st-key-{key} .js-plotly-plot .main-svg", state="attached")
    wait_idle(page)
    return ctx, page


def wait_title(page, word: str) -> None:
    page.wait_for_function(
        """([k, w]) => { const t = document.querySelector('.st-key-' + k + ' .gtitle');
            return t && t.textContent.endsWith('“' + w + '”'); }""",
        arg=[CHART_KEYS["rolled"], word],
    )
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")


# Typed letter by letter, "lou" is read from its pieces: a note about it appears above the views and goes
# again at "loud". The views must keep their plots all the same (an element appearing above them used to
# shift their places on the page, and Streamlit remounted every chart).
NOTED_WORD = "loud"


def test_the_typed_word_makes_a_note_come_and_go():
    model = rnnviz.load_inference_model("rnn-2")
    notes = [bool(token_notes(*_tokens_kinds(model, "a fine " + NOTED_WORD[:n]))) for n in range(1, 5)]
    assert notes == [False, False, True, False]


def _tokens_kinds(model, text: str) -> tuple[list[str], list[str]]:
    tr = rnnviz.trace(model, text)
    return tr.tokens, tr.kinds


def type_word(page, word: str, after_first: Callable[[], object] | None = None) -> None:
    """Type a space and `word` at the end of the text box, key by key, each time until the views show it."""
    page.locator(f".st-key-{TEXT_KEY} input").click()
    page.keyboard.press("End")
    page.keyboard.press(" ")
    for i, letter in enumerate(word, start=1):
        page.keyboard.press(letter)
        wait_title(page, word[:i])
        if i == 1 and after_first is not None:
            page.wait_for_timeout(300)
            after_first()


@pytest.mark.browser
@needs_browser
def test_views_stay_mounted_and_redraw_once_per_keystroke(chromium_browser, app_url):
    ctx, page = open_page(chromium_browser, app_url + "?text=a%20fine")
    try:
        page.evaluate(COUNT_DRAWS, KEYS)
        type_word(page, NOTED_WORD)
        page.wait_for_timeout(500)
        state = page.evaluate(STATE, KEYS)
        assert [s["mark"] for s in state] == KEYS  # the same plot elements, never remounted
        assert not page.locator(".rnnviz-chart-loading").count()  # the loading note went with the first draw
        assert state[0]["title"].endswith(f"“{NOTED_WORD}”")
        draws = page.evaluate("() => window.__draws")
        # 5 keys: at most one draw per chart per key (st.plotly_chart drew each twice, into a new element)
        assert set(draws) == set(KEYS), draws
        assert all(1 <= n <= 5 for n in draws.values()), draws
    finally:
        ctx.close()


RESET_DRAWS = "(k) => { document.querySelector('.st-key-' + k + ' .rnnviz-chart-bg').__draws = 0; }"
LAYERS = """(k) => {
    const fg = document.querySelector('.st-key-' + k + ' .rnnviz-chart');
    const bg = document.querySelector('.st-key-' + k + ' .rnnviz-chart-bg');
    const area = (gd) => ['xaxis', 'yaxis'].map(a => [gd._fullLayout[a]._offset, gd._fullLayout[a]._length]
        .concat(gd._fullLayout[a].range)).flat().map(v => Math.round(v * 100) / 100);
    if (bg && !bg.__counted) {
        bg.__counted = true;
        bg.__mark = 'kept';
        bg.__draws = 0;
        bg.on('plotly_afterplot', () => { bg.__draws += 1; });
    }
    return {
        first: document.querySelector('.st-key-' + k + ' .js-plotly-plot') === fg,
        fg: area(fg), bg: bg ? area(bg) : null, mark: bg ? bg.__mark || null : null, draws: bg ? bg.__draws : null,
        fgText: fg.textContent, bgText: bg ? bg.textContent : '',
        title: (fg.querySelector('.gtitle') || {}).textContent || '',
    };
}"""


@pytest.mark.browser
@needs_browser
@pytest.mark.parametrize(
    ("view", "model", "background_text"),
    [
        ("projection", "rnn-2", "negative reviews end"),
        ("projection", "gru-64", "o = 0.5"),
        ("unrolled", "rnn-2", "= 0"),  # s_0 = 0 before the first copy
    ],
)
def test_background_is_drawn_once_under_the_chart_and_lines_up(chromium_browser, app_url, view, model, background_text):
    key = CHART_KEYS[view]
    ctx, page = open_page(chromium_browser, app_url + f"?text=a%20fine&model={model}")
    try:
        start = page.evaluate(LAYERS, key)
        assert start["first"]  # the plot that changes comes first: what a reader (and the benchmark) reads
        assert start["bg"] == start["fg"], start  # the same plot area, axes and ranges: the path sits on the map
        assert background_text in start["bgText"] and background_text not in start["fgText"]
        assert "fine" in start["fgText"]
        # A new word gives the unrolled view a copy (a new background); then the word only grows.
        type_word(page, NOTED_WORD, after_first=lambda: page.evaluate(RESET_DRAWS, key))
        page.wait_for_timeout(300)
        typed = page.evaluate(LAYERS, key)
        assert typed["mark"] == "kept" and typed["draws"] == 0, typed  # never redrawn while the word is typed
        assert NOTED_WORD in typed["fgText"] and typed["bg"] == typed["fg"]
        if view == "projection":
            assert typed["title"].endswith(f"“{NOTED_WORD}”")
        page.set_viewport_size({"width": 900, "height": 900})  # narrower: both plots resize, and still line up
        page.wait_for_function(
            "([k, a]) => { const r = (" + LAYERS + ")(k); return r.fg.join() !== a.join() && r.fg.join() === "
            "r.bg.join(); }",
            arg=[key, typed["fg"]],
        )
    finally:
        ctx.close()


@pytest.mark.browser
@needs_browser
def test_plotly_js_is_served_by_the_app(chromium_browser, app_url):
    ctx, page = open_page(chromium_browser, app_url)
    try:
        src = page.evaluate("() => [...document.scripts].map(s => s.src).find(s => s.includes('plotly.min.js'))")
        assert src and src.startswith(app_url.rstrip("/")), src  # same origin: nothing from the internet
        with urllib.request.urlopen(src, timeout=10) as resp:
            assert resp.status == 200
            assert "javascript" in resp.headers["Content-Type"]
            assert b"plotly.js" in resp.read(400)
    finally:
        ctx.close()


@pytest.mark.browser
@needs_browser
def test_charts_draw_under_a_base_url_path(chromium_browser):
    """Behind a path prefix (--server.baseUrlPath, or a host that serves the app under one) the charts still load."""
    with streamlit_server(env={"STREAMLIT_SERVER_BASE_URL_PATH": "demo/rnnviz"}) as server:
        ctx, page = open_page(chromium_browser, server.url + "demo/rnnviz/?text=a%20fine%20film")
        try:
            assert not page.locator(".rnnviz-chart-error").count()
            src = page.evaluate("() => [...document.scripts].map(s => s.src).find(s => s.includes('plotly.min.js'))")
            assert "/demo/rnnviz/component/" in src, src
            title = page.locator(f".st-key-{CHART_KEYS['rolled']} .gtitle").text_content()
            assert title.endswith("“film”"), title
        finally:
            ctx.close()


@pytest.mark.browser
@needs_browser
def test_dark_theme_reaches_the_charts(chromium_browser, app_url):
    colours = {}
    for scheme in ("light", "dark"):
        ctx, page = open_page(chromium_browser, app_url, color_scheme=scheme)
        try:
            colours[scheme] = page.evaluate(
                "(k) => getComputedStyle(document.querySelector('.st-key-' + k + ' .gtitle')).fill",
                CHART_KEYS["rolled"],
            )
        finally:
            ctx.close()

    def brightness(css: str) -> float:
        r, g, b = (float(x) for x in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
        return (r + g + b) / 3

    assert brightness(colours["light"]) < 100 < brightness(colours["dark"]), colours


@pytest.mark.browser
@needs_browser
def test_charts_explain_when_plotly_cannot_load(chromium_browser):
    with streamlit_server() as server:  # a fresh server: no cached plotly.js in this browser context
        ctx = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = ctx.new_page()
            page.set_default_timeout(30_000)
            page.route("**/plotly.min.js*", lambda route: route.abort())
            page.goto(server.url + "?text=a%20fine%20film")
            page.wait_for_selector(".rnnviz-chart-error")
            views = ".rnnviz-chart-error:not(.st-key-explain *)"  # the four views (the explainer panel's too, besides)
            page.wait_for_function("(s) => document.querySelectorAll(s).length === 4", arg=views)
            notes = page.locator(".rnnviz-chart-error").all_text_contents()
            assert not page.locator(".rnnviz-chart-loading").count()  # replaced by the explanation
            assert all("could not be drawn" in n and "Reload the page" in n for n in notes), notes
            assert not page.locator('[data-testid="stException"]').count()
            # the rest of the page still works: the step readout follows the text
            assert "film" in page.locator("body").inner_text()
        finally:
            ctx.close()


@pytest.mark.browser
@needs_browser
def test_charts_say_they_are_loading_while_plotly_arrives(chromium_browser):
    with streamlit_server() as server:  # a fresh server and context: plotly.js is not cached yet
        ctx = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = ctx.new_page()
            page.set_default_timeout(30_000)
            page.route("**/plotly.min.js*", lambda route: (time.sleep(2), route.continue_()))  # a slow network
            page.goto(server.url + "?text=a%20fine%20film")
            page.wait_for_selector(".rnnviz-chart-loading")
            assert "Loading the chart" in page.locator(".rnnviz-chart-loading").first.text_content()
            page.wait_for_function("() => document.querySelectorAll('.rnnviz-chart .main-svg').length >= 4")
            page.wait_for_selector(".rnnviz-chart-loading", state="detached")
            assert not page.locator(".rnnviz-chart-error").count()
        finally:
            ctx.close()


# -- what a keystroke sends and draws -------------------------------------------------------------
def test_a_background_travels_once_until_it_changes():
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["text"] = "a fine film"
    at.query_params["model"] = "rnn-2"
    at.run()
    key = CHART_KEYS["projection"]

    def sent() -> tuple[dict, dict]:
        proto = next(e.proto for e in at.get("bidi_component") if e.proto.id.endswith(key))
        return chart_data(proto), drawn_figures(at.get("bidi_component"))[key]

    first, whole = sent()
    n = first["background"]
    assert n > 0 and first["background_sent"] is True and first["back"] == whole["data"][:n]
    assert len(first["figure"]["data"]) == len(whole["data"]) - n  # the background travels beside the figure
    at.text_input(key=TEXT_KEY).set_value("a fine film indeed").run()
    typed, whole_typed = sent()
    assert typed["background_sent"] is False and typed["background_hash"] == first["background_hash"]
    assert "back" not in typed  # the map stays on the page, unsent
    assert whole_typed["data"][:n] == whole["data"][:n]
    assert len(json.dumps(typed)) < len(json.dumps(first)) - 2000
    at.segmented_control(key="model").set_value("gru-64").run()
    other, _ = sent()
    assert other["background_sent"] is True and other["background_hash"] != first["background_hash"]


CHART_DATA = "(k) => { const d = document.querySelector('.st-key-' + k + ' .rnnviz-chart').__rnnviz.data; " \
    "return {sent: d.background_sent, hash: d.background_hash, n: d.figure.data.length}; }"  # fmt: skip


@pytest.mark.browser
@needs_browser
def test_the_page_keeps_the_background_while_typing_and_redraws_it_for_a_new_model(chromium_browser, app_url):
    key = CHART_KEYS["projection"]
    ctx, page = open_page(chromium_browser, app_url + "?text=a%20fine&model=rnn-2")
    try:
        start = page.evaluate(CHART_DATA, key)
        assert start["sent"] is True
        type_word(page, NOTED_WORD, after_first=lambda: page.evaluate(RESET_DRAWS, key))
        page.wait_for_timeout(300)
        typed, layers = page.evaluate(CHART_DATA, key), page.evaluate(LAYERS, key)
        assert typed["sent"] is False and typed["hash"] == start["hash"]  # the script sent the map by hash alone
        assert typed["n"] == start["n"]  # ... and the page put it back
        assert layers["draws"] == 0 and "negative reviews end" in layers["bgText"]
        page.locator(".st-key-model button", has_text="gru-64").click()
        page.wait_for_function(  # gru-64's map: 64 units seen along their two main directions
            "(k) => (document.querySelector('.st-key-' + k + ' .rnnviz-chart-bg') || {}).textContent"
            ".includes('main direction 1')",
            arg=key,
        )
        after = page.evaluate(LAYERS, key)
        assert after["draws"] >= 1 and after["bgText"] != layers["bgText"] and after["bg"] == after["fg"], after
        assert page.evaluate(CHART_DATA, key)["hash"] != start["hash"]
    finally:
        ctx.close()


STALE_DRAWS = """(k) => {
    const gd = document.querySelector('.st-key-' + k + ' .rnnviz-chart');
    window.__drawn = [];
    // As a draw starts (the text box as it is then; keys typed while plotly.js draws come after it).
    gd.on('plotly_beforeplot', () => {
        const box = document.querySelector('.st-key-text input');
        const title = gd.layout.title && gd.layout.title.text || '';
        window.__drawn.push({title, box: box.value});
    });
}"""


@pytest.mark.browser
@needs_browser
def test_a_burst_of_keys_draws_no_text_the_box_has_moved_past(chromium_browser, app_url):
    ctx, page = open_page(chromium_browser, app_url + "?text=a%20fine")
    try:
        page.evaluate(STALE_DRAWS, CHART_KEYS["rolled"])
        page.locator(f".st-key-{TEXT_KEY} input").click()
        page.keyboard.press("End")
        page.keyboard.type(" wonderfully", delay=40)
        wait_title(page, "wonderfully")
        page.wait_for_timeout(500)
        drawn = page.evaluate("() => window.__drawn")
        assert drawn and drawn[-1]["title"].endswith("“wonderfully”"), drawn
        stale = [d for d in drawn if not d["title"].endswith("“" + d["box"].split()[-1] + "”")]
        # Each sentence drawn was the box's text when its draw began, but one: a chart that has waited 1.5 s for the
        # newer run draws what it has (on this busy machine a run can take that long). Without the skip, most were.
        assert len(stale) <= 1, drawn
    finally:
        ctx.close()


# What the page holds of each chart: whether the script's data was a patch, and the figure the page drew from it.
PATCHED = """(keys) => keys.map((k) => {
    const d = document.querySelector('.st-key-' + k + ' .rnnviz-chart').__rnnviz.data;
    return {patch: !!d.patch, keyframe: d.keyframe, title: (d.figure.layout.title || {}).text || ''}; })"""
POSITIVITY_TICK = """(k) => { const t = [...document.querySelectorAll('.st-key-' + k + ' .js-plotly-plot .xtick text')];
    return t.length ? t[t.length - 1].textContent : null; }"""


@pytest.mark.browser
@needs_browser
def test_keystrokes_draw_from_patches_and_a_page_that_lost_its_keyframes_gets_figures_whole(chromium_browser, app_url):
    ctx, page = open_page(chromium_browser, app_url + "?text=a%20fine&model=rnn-2")
    try:
        whole = page.evaluate(PATCHED, KEYS)
        assert not any(c["patch"] for c in whole)
        type_word(page, "film")
        # type_word waits for the first view; the others draw in the same or the next frames
        page.wait_for_function(f"(k) => ({POSITIVITY_TICK})(k) === 'film'", arg=CHART_KEYS["positivity"])
        typed = page.evaluate(PATCHED, KEYS)
        assert all(c["patch"] for c in typed), typed  # every view drew "film" from a patch on what it held
        assert typed[0]["title"].endswith("“film”")
        assert page.evaluate(POSITIVITY_TICK, CHART_KEYS["positivity"]) == "film"
        page.evaluate("() => window.__rnnvizKeyframes.clear()")  # as if the page had dropped them all
        page.keyboard.press("s")
        wait_title(page, "films")  # the page asked for every figure whole, and drew it
        page.wait_for_function(f"(k) => ({POSITIVITY_TICK})(k) === 'films'", arg=CHART_KEYS["positivity"])
        page.wait_for_timeout(300)
        again = page.evaluate(PATCHED, KEYS)  # each chart's request reruns the page: the others patch anew on theirs
        assert all(c["keyframe"] != t["keyframe"] for c, t in zip(again, typed, strict=True))
    finally:
        ctx.close()
