"""The dashboard in a real browser: typing without Enter, clicking a step, the URL, typed HTML.

Drives Debian's /usr/bin/chromium with Playwright (never `playwright install`). Skips when Chromium
or Playwright is missing, except under CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from support import needs_browser, open_app, slider_value, url_params, wait_idle

import rnnviz
from rnnviz.app import CHART_KEYS, GOLDFISH_KEY, STEP_KEY, TEXT_KEY

pytestmark = [pytest.mark.browser, needs_browser]


@pytest.fixture
def app_page(new_page):
    return new_page(height=900, timeout_ms=20_000)


# -- helpers --------------------------------------------------------------------------------------
def text_box(page):
    return page.locator(f".st-key-{TEXT_KEY} input")


SLIDER = f".st-key-{STEP_KEY} input[type=range]"


def positivity_ticks(page) -> list[str]:
    return page.locator(f".st-key-{CHART_KEYS['positivity']} .xtick text").all_text_contents()


def wait_for_ticks(page, tokens: list[str]) -> None:
    sel = f".st-key-{CHART_KEYS['positivity']} .xtick text"
    page.wait_for_function(
        "([sel, want]) => { const got = [...document.querySelectorAll(sel)].map(e => e.textContent);"
        " return JSON.stringify(got) === JSON.stringify(want); }",
        arg=[sel, tokens],
    )


def type_slowly(page, text: str) -> None:
    box = text_box(page)
    box.click()
    box.press("ControlOrMeta+a")
    box.press("Backspace")
    page.keyboard.type(text, delay=35)  # key by key, never Enter


# -- tests ----------------------------------------------------------------------------------------
def test_views_follow_typing_without_enter(app_page, app_url):
    page = app_page
    open_app(page, app_url)
    sentence = "the acting was wonderful but the plot was terrible"
    type_slowly(page, sentence)
    tokens = rnnviz.tokenize(sentence)
    wait_for_ticks(page, tokens)
    assert page.locator(".rnnviz-chart.js-plotly-plot:not(.st-key-explain *)").count() == 4
    page.wait_for_function("(n) => new URL(location.href).searchParams.get('text') === n", arg=sentence)
    assert url_params(page)["step"] == str(len(tokens))
    assert slider_value(page) == len(tokens)


def test_clicking_a_point_selects_its_step(app_page, app_url):
    page = app_page
    open_app(page, app_url, "?text=" + quote("this movie is not good") + "&model=rnn-2&step=5")
    assert slider_value(page) == 5
    chart = page.locator(f".st-key-{CHART_KEYS['positivity']} .js-plotly-plot")
    chart.scroll_into_view_if_needed()  # a mouse click at page coordinates needs the chart on screen
    # the second step's point: plotly stores each point's data on its SVG node
    box = chart.evaluate(
        """(gd) => {
            for (const [i, tr] of gd._fullData.entries()) {
                const cd = tr.customdata;
                if (!cd || tr.visible === false || !tr.mode || !tr.mode.includes('markers')) continue;
                for (let j = 0; j < cd.length; j++) {
                    const t = Array.isArray(cd[j]) ? cd[j][0] : cd[j];
                    if (t !== 2) continue;
                    const xa = gd._fullLayout[tr.xaxis.replace('x', 'xaxis')];
                    const ya = gd._fullLayout[tr.yaxis.replace('y', 'yaxis')];
                    const r = gd.querySelector('.main-svg').getBoundingClientRect();  // several subplots
                    return {x: r.left + xa._offset + xa.d2p(tr.x[j]), y: r.top + ya._offset + ya.d2p(tr.y[j])};
                }
            }
            return null;
        }"""
    )
    assert box is not None, "the positivity chart has no clickable point for step 2"
    page.mouse.click(box["x"], box["y"])
    page.wait_for_function(
        "(sel) => document.querySelector(sel)?.value === '2'",
        arg=SLIDER,
    )
    page.wait_for_function("() => new URL(location.href).searchParams.get('step') === '2'")


def test_clicking_a_word_under_the_positivity_selects_its_step(app_page, app_url):
    page = app_page
    open_app(page, app_url, "?text=" + quote("this movie is not good") + "&model=rnn-2&step=5")
    page.locator(f".st-key-{CHART_KEYS['positivity']} .xtick text").nth(1).click(force=True)  # "movie"
    page.wait_for_function("(sel) => document.querySelector(sel)?.value === '2'", arg=SLIDER)
    page.wait_for_function("() => new URL(location.href).searchParams.get('step') === '2'")


def test_a_link_opens_the_same_view(app_page, app_url):
    page = app_page
    text = "the film is disgustingly good"
    open_app(page, app_url, f"?text={quote(text)}&model=rnn-2&step=3&goldfish=1")
    assert text_box(page).input_value() == text
    assert slider_value(page) == 3
    assert positivity_ticks(page) == rnnviz.tokenize(text)
    assert page.locator(f".st-key-{GOLDFISH_KEY} input[type=checkbox]").is_checked()  # the goldfish switch
    params = url_params(page)
    assert params == {"text": text, "model": "rnn-2", "step": "3", "goldfish": "1"}


def test_typed_html_never_runs(app_page, app_url):
    page = app_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, app_url)
    evil = "<script>alert(1)</script> <b>bold</b> <img src=x onerror=alert(2)>"
    type_slowly(page, evil)
    n = len(rnnviz.tokenize(evil))
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n",
        arg=[f".st-key-{CHART_KEYS['positivity']} .xtick text", n],
    )
    wait_idle(page)
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator("b:text('bold')").count() == 0
    assert page.locator("img[src=x]").count() == 0


ERRORS_JS = """() => ({
    text: document.body.innerText,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
    alerts: [...document.querySelectorAll('[data-testid="stAlertContentError"]')].map(e => e.innerText),
})"""


def assert_page_ok(page) -> None:
    state = page.evaluate(ERRORS_JS)
    assert "Cached ForwardMsg MISS" not in state["text"]
    assert "Connection error" not in state["text"]
    assert state["exceptions"] == 0, state["text"][-2000:]
    assert state["alerts"] == []


def test_retyping_the_same_text_quickly_keeps_the_page_working(app_page, app_url):
    """Streamlit 1.67 with default settings can answer a quick retype of the same text with "Cached
    ForwardMsg MISS"; .streamlit/config.toml turns the message cache off (global.minCachedMessageSize)."""
    page = app_page
    open_app(page, app_url)
    sentence = "the acting was wonderful but the plot was terrible"
    box = text_box(page)
    for round_ in range(6):  # the same texts again and again, as fast as the debounce lets through
        box.click()
        box.press("ControlOrMeta+a")
        box.press("Backspace")
        page.keyboard.type(sentence, delay=8 if round_ % 2 else 45)
        for _ in range(4):  # erase and retype the last word: reruns whose messages were just sent
            for _ in range(len("terrible")):
                page.keyboard.press("Backspace")
            page.keyboard.type("terrible", delay=10)
        assert_page_ok(page)
    wait_for_ticks(page, rnnviz.tokenize(sentence))
    wait_idle(page)
    page.wait_for_timeout(500)
    assert_page_ok(page)
    assert page.locator(".rnnviz-chart.js-plotly-plot:not(.st-key-explain *)").count() == len(CHART_KEYS)
    wait_for_ticks(page, rnnviz.tokenize(sentence))  # still the right sentence, after settling
