"""The explainer panel in a real browser: a click on a copy in the unrolled chain moves it to that step."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from support import streamlit_server


# -- in a browser -----------------------------------------------------------------------------------
@pytest.mark.browser
def test_clicking_a_copy_in_the_unrolled_chain_moves_the_panel(chromium_browser):
    from rnnviz.app import CHART_KEYS

    with streamlit_server() as server:
        ctx = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = ctx.new_page()
            page.set_default_timeout(30_000)
            page.goto(server.url + "?text=" + quote("this movie is not good") + "&model=rnn-2&step=5")
            page.wait_for_selector(".st-key-rnnviz-story p", state="attached")
            page.wait_for_function(
                "() => document.querySelector('.st-key-rnnviz-story p').textContent.includes('(t = 5)')"
            )
            chart = page.locator(f".st-key-{CHART_KEYS['unrolled']} .rnnviz-chart.js-plotly-plot")
            chart.scroll_into_view_if_needed()
            box = chart.evaluate(CLICKABLE, 2)
            assert box is not None, "the unrolled chain has no clickable copy for step 2"
            page.mouse.click(box["x"], box["y"])
            page.wait_for_function(
                "() => document.querySelector('.st-key-rnnviz-story p').textContent.includes('(t = 2)')"
            )
            assert "“movie”" in page.locator(".st-key-rnnviz-story p").first.text_content()
            # the explainer's chart draws a frame after the views, and only in sight: bring it there, wait for its title
            page.locator(".st-key-chart_step").scroll_into_view_if_needed()
            page.wait_for_function(
                "() => document.querySelector('.st-key-chart_step .gtitle')?.textContent.includes('Step t = 2')"
            )
            title = page.locator(".st-key-chart_step .gtitle").first.text_content()
            assert "Step t = 2" in title and "“movie”" in title
        finally:
            ctx.close()


STORY_SAYS = "(s) => document.querySelector('.st-key-rnnviz-story p')?.textContent.includes(s)"
CLICKABLE = """(gd, step) => {
    for (const tr of gd._fullData) {
        const cd = tr.customdata;
        if (!cd || tr.visible === false || !tr.mode || !tr.mode.includes('markers')) continue;
        for (let j = 0; j < cd.length; j++) {
            if ((Array.isArray(cd[j]) ? cd[j][0] : cd[j]) !== step) continue;
            const xa = gd._fullLayout[tr.xaxis.replace('x', 'xaxis')];
            const ya = gd._fullLayout[tr.yaxis.replace('y', 'yaxis')];
            const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return {x: r.left + xa.d2p(tr.x[j]), y: r.top + ya.d2p(tr.y[j])};
        }
    }
    return null;
}"""


# The explainer's chart: its title, and whether the neurons' plane (axis x2) and its arrows are drawn.
STEP_CHART = """() => {
  const gd = document.querySelector('.st-key-chart_step .rnnviz-chart');
  const plane = gd._fullData.filter((d) => d.xaxis === 'x2' && d.visible === true).length;
  return {title: gd.querySelector('.gtitle')?.textContent, plane, x2: !!gd._fullLayout.xaxis2?.visible,
          width: gd.clientWidth};
}"""

NUMBERS = """() => [...document.querySelectorAll('.st-key-chart_step .rnnviz-chart .cartesianlayer text')]
  .filter((t) => /^[+−-]?\\d\\.\\d\\d$/.test(t.textContent)).length"""


@pytest.mark.browser
@pytest.mark.parametrize(("width", "plane"), [(1400, True), (390, False)])
def test_on_a_phone_the_step_gives_its_columns_the_width_and_a_short_title(chromium_browser, app_url, width, plane):
    ctx = chromium_browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        page.goto(app_url + "?text=" + quote("this movie is not good") + "&model=rnn-2&step=4")
        page.wait_for_selector(".st-key-chart_step", state="attached")
        page.locator(".st-key-chart_step").scroll_into_view_if_needed()  # it draws only in sight
        page.wait_for_function("() => document.querySelector('.st-key-chart_step .gtitle')?.textContent"
                               ".includes('Step t = 4')")  # fmt: skip
        got = page.evaluate(STEP_CHART)
        assert bool(got["plane"]) == plane and got["x2"] == plane, got  # the plane's arrows and its axis
        assert got["title"].startswith("Step t = 4, “not”"), got
        assert ("the same U, W, V" in got["title"]) == plane, got  # the long title only where it fits
        # Every number of rnn-2's step is in its cell: six 2-unit columns, V s_t + c and o_t.
        cells = page.evaluate(NUMBERS)
        assert cells == 6 * 2 + 2, (cells, got)
    finally:
        ctx.close()


@pytest.mark.browser
def test_the_explainer_draws_only_in_sight_and_catches_up_when_scrolled_to(chromium_browser, app_url):
    """Typing on the first screen spends no plotly.js time on the explainer's chart below it; scrolled to, it shows
    the newest step at once."""
    from support import open_app, wait_idle

    from rnnviz.app import CHART_KEYS, TEXT_KEY

    ctx = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        open_app(page, app_url, "?text=" + quote("this movie is not good") + "&model=rnn-2")
        page.wait_for_selector(".st-key-chart_step", state="attached")
        page.wait_for_timeout(500)
        assert page.evaluate(SIGHT) == {"seen": False, "deferred": True, "drawn": False}  # below the first screen
        box = page.locator(f".st-key-{TEXT_KEY} input")
        box.click()
        box.press("End")
        box.press_sequentially(" at all")
        page.wait_for_function(
            "(k) => document.querySelector(`.st-key-${k} .gtitle`)?.textContent.includes('“all”')",
            arg=CHART_KEYS["rolled"],
        )  # the views follow every key ...
        wait_idle(page)
        page.wait_for_timeout(500)
        assert page.evaluate(SIGHT) == {"seen": False, "deferred": True, "drawn": False}  # ... the explainer waits
        page.locator(".st-key-chart_step").scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector('.st-key-chart_step .gtitle')?.textContent"
                               ".includes('Step t = 7, “all”')")  # fmt: skip
        assert page.evaluate(SIGHT) == {"seen": True, "deferred": False, "drawn": True}
    finally:
        ctx.close()


SIGHT = """() => { const gd = document.querySelector('.st-key-chart_step .rnnviz-chart');
  return {seen: gd.__rnnvizSeen, deferred: !!gd.__rnnvizDeferred, drawn: !!gd._fullLayout}; }"""
