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
            # the panel's chart draws a frame after the views (and the sentence above it): wait for it
            page.wait_for_function(
                "() => (document.querySelector('.st-key-chart_step .gtitle') || {}).textContent?.includes('Step t = 2')"
            )
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
