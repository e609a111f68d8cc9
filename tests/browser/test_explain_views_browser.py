"""In a real browser: pointing at U, W or V lights it in every view with no run of the script; while playing, the
step readout moves with the views and the chain fills copy by copy; dragging s_t reads the sentence on from there.

Drives Debian's /usr/bin/chromium with Playwright (never `playwright install`).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from support import needs_browser, open_app, slider_value, wait_idle

from rnnviz.app import CHART_KEYS, PLAY_KEY, STEP_KEY
from rnnviz.app.touch import NUDGE_RESET_KEY

pytestmark = [pytest.mark.browser, needs_browser]
SENTENCE = "this movie is not good at all"  # T = 7
LINK = "?text=" + quote(SENTENCE) + "&model=rnn-2&step=4"

# Where label k of weight `w` is drawn on the screen (the middle of its letter).
LABEL_JS = """([key, w, k]) => {
  const gd = document.querySelector(`.st-key-${key} .rnnviz-chart`);
  const i = gd.data.findIndex((d) => d.meta && d.meta.weight === w);
  const group = [...gd.querySelectorAll('.scatterlayer .trace')].find((g) => g.__data__[0].trace.index === i);
  const r = group.querySelectorAll('.textpoint text')[k].getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
}"""
# The lit shapes each chart draws now: {name: count}.
LIT_JS = """(keys) => keys.map((k) => {
  const gd = document.querySelector(`.st-key-${k} .rnnviz-chart`);
  const out = {};
  for (const s of gd.layout.shapes || []) if ((s.name || '').startsWith('lit ')) out[s.name] = (out[s.name] || 0) + 1;
  return out;
})"""
LOOP_AND_CHAIN = [CHART_KEYS["rolled"], CHART_KEYS["unrolled"]]


@pytest.fixture
def app_page(new_page):
    return new_page(height=1300, timeout_ms=30_000)  # the loop and the whole chain on one screen


def test_pointing_at_w_on_one_copy_lights_w_on_every_copy_and_on_the_loop(app_page, app_url):
    page = app_page
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(f)))
    open_app(page, app_url, LINK)
    page.wait_for_timeout(500)
    sent.clear()  # what opening the page sent
    page.mouse.move(*page.evaluate(LABEL_JS, [CHART_KEYS["unrolled"], "W", 3]))  # the W into copy 4
    page.wait_for_function("(keys) => (window.__rnnvizPlayer || {}).lit === 'W'", arg=LOOP_AND_CHAIN)
    page.wait_for_timeout(300)
    loop, chain = page.evaluate(LIT_JS, LOOP_AND_CHAIN)
    assert loop == {"lit W": 3 + 1}  # the loop's three pieces and a disc behind its W
    assert chain == {"lit W": 7 + 7}  # the seven memory links and a disc behind every W
    hover = page.evaluate(f"() => document.querySelector('.st-key-{CHART_KEYS['unrolled']} .rnnviz-chart .hoverlayer')"
                          ".textContent")  # fmt: skip
    assert "W (2×2) =" in hover and "at t = 4: W s" in hover  # rnn-2's four numbers and this copy's W s_{t-1}
    # Pointing at U on the loop lights U instead, on the loop and on every copy.
    page.mouse.move(*page.evaluate(LABEL_JS, [CHART_KEYS["rolled"], "U", 0]))
    page.wait_for_function("() => window.__rnnvizPlayer.lit === 'U'")
    page.wait_for_timeout(300)
    assert page.evaluate(LIT_JS, LOOP_AND_CHAIN) == [{"lit U": 2}, {"lit U": 14}]
    page.mouse.move(5, 5)
    page.wait_for_function("() => window.__rnnvizPlayer.lit === null")
    page.wait_for_timeout(300)
    assert page.evaluate(LIT_JS, LOOP_AND_CHAIN) == [{}, {}]
    assert sent == []  # all in the page: nothing was sent to the server


SHOWN_JS = """(keys) => [
  keys.map((k) => document.querySelector(`.st-key-${k} .rnnviz-chart`).__rnnvizShown),
  (document.querySelector('.rnnviz-readout') || {}).innerText || null,
  (() => { const gd = document.querySelector(`.st-key-${keys[1]} .rnnviz-chart`);
           const v = (gd.layout.shapes || []).find((s) => s.name === 'still to come'); return v ? v.x0 : null; })(),
  getComputedStyle(document.querySelector('.st-key-step')).display,
]"""


def test_while_playing_the_readout_moves_with_the_views_and_the_chain_fills_copy_by_copy(app_page, app_url):
    page = app_page
    open_app(page, app_url, "?text=" + quote(SENTENCE) + "&model=rnn-2&step=7")
    page.locator(f".st-key-{PLAY_KEY} button:visible").click()
    page.wait_for_function("() => window.__rnnvizPlayer && window.__rnnvizPlayer.clock !== null")
    keys = [CHART_KEYS[v] for v in ("rolled", "unrolled", "projection", "positivity")]
    seen = []
    while page.evaluate("() => window.__rnnvizPlayer.clock !== null"):
        seen.append(page.evaluate(SHOWN_JS, keys))
        page.wait_for_timeout(50)
    playing = [row for row in seen if row[1]]
    assert len({row[0][0] for row in playing}) >= 5, seen  # it played word by word
    words = SENTENCE.split()
    for steps, readout, veil, slider in playing:
        if len(set(steps)) != 1:
            continue  # caught between two charts' redraws of one word
        t = steps[0]
        assert readout.startswith(f"t = {t} of 7 · xₜ = {words[t - 1]} · oₜ = "), (t, readout)
        assert slider == "none"  # the readout stands in for the slider while the page plays
        # The copies up to t are read; the veil starts just after copy t (copy k is drawn at x = k - 1).
        assert (veil is None) if t == 7 else veil == pytest.approx(t - 1 + 0.5), (t, veil)
    # The page reports its last step when the clock stops (a timer of 0 ms): wait for that run, not
    # merely for the page to be idle, which it can be for a moment before the report's run starts.
    page.wait_for_function(
        "(key) => document.querySelector(`.st-key-${key} input[type=range]`)?.value === '7'", arg=STEP_KEY
    )
    wait_idle(page)
    assert slider_value(page) == 7
    assert page.locator(f".st-key-{STEP_KEY}").is_visible()
    assert page.locator(".rnnviz-readout").count() == 0


HANDLE_JS = """(key) => {
  const gd = document.querySelector(`.st-key-${key} .rnnviz-chart`);
  const s = gd.layout.shapes.find((s) => s.name === 'nudge s_t');
  const fl = gd._fullLayout, r = gd.getBoundingClientRect();
  const at = (x, y) => [r.x + fl.xaxis._offset + fl.xaxis.c2p(x), r.y + fl.yaxis._offset + fl.yaxis.c2p(y)];
  return [at(s.xanchor, s.yanchor), at(0.6, -0.6)];
}"""
WHAT_IF_JS = """(key) => {
  const gd = document.querySelector(`.st-key-${key} .rnnviz-chart`);
  const t = gd.data.find((d) => d.name === 'what if');
  return t ? [t.x[0], t.y[0], t.text[t.text.length - 1]] : null;
}"""


def test_dragging_s_t_reads_the_rest_of_the_sentence_on_from_where_it_is_left(app_page, app_url):
    page = app_page
    key = CHART_KEYS["projection"]
    open_app(page, app_url, LINK)
    (x0, y0), (x1, y1) = page.evaluate(HANDLE_JS, key)
    page.mouse.move(x0, y0)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * k / 10, y0 + (y1 - y0) * k / 10)
    page.mouse.up()
    page.wait_for_function(f"(key) => ({WHAT_IF_JS})(key) !== null", arg=key)
    wait_idle(page)
    x, y, last = page.evaluate(WHAT_IF_JS, key)
    assert (x, y) == pytest.approx((0.6, -0.6), abs=0.03)  # the path starts where the handle was left
    assert last.startswith("what if: o<sub>7</sub> = ")
    note = page.locator("[data-testid=stAlert]").filter(has_text="What if").inner_text()
    assert "s₄ had been" in note and "the sentence would end at o =" in note
    assert slider_value(page) == 4
    page.locator(f".st-key-{NUDGE_RESET_KEY} button").click()
    page.wait_for_function(f"(key) => ({WHAT_IF_JS})(key) === null", arg=key)
    wait_idle(page)
    assert page.locator("[data-testid=stAlert]").filter(has_text="What if").count() == 0
