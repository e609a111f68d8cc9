"""The first screen in a real browser: the text box and the views fit without scrolling (issue 14, point 6).

At 1400x900 the text box and at least three of the four views' plot areas lie fully inside the viewport;
on a phone (390x844) the text box and the first view do. The tour outlines the view it talks about.
"""

from __future__ import annotations

import pytest
from support import INSIDE, needs_browser, open_app

from rnnviz.app import CHART_KEYS, TEXT_KEY
from rnnviz.app.keys import TOUR_TARGETS
from rnnviz.app.tour import TOUR

pytestmark = [pytest.mark.browser, needs_browser]


def page_at(browser, width: int, height: int):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return ctx, page


def on_first_screen(page, width: int, height: int) -> dict[str, bool]:
    """For the text box and each view: does its box (the plot area, for a view) lie fully in the viewport?"""
    page.evaluate("() => window.scrollTo(0, 0)")
    found = {"text box": page.evaluate(INSIDE, [f".st-key-{TEXT_KEY} input", width, height])}
    for name, key in CHART_KEYS.items():
        found[name] = page.evaluate(INSIDE, [f".st-key-{key} .js-plotly-plot .nsewdrag", width, height])
    return found


def test_desktop_shows_the_text_box_and_three_views_without_scrolling(chromium_browser, app_url):
    ctx, page = page_at(chromium_browser, 1400, 900)
    try:
        open_app(page, app_url)
        for key in CHART_KEYS.values():  # every view drawn (the chain is below the first row)
            page.wait_for_selector(f".st-key-{key} .js-plotly-plot .nsewdrag", state="attached")
        seen = on_first_screen(page, 1400, 900)
        assert seen["text box"], seen
        views = [name for name in CHART_KEYS if seen[name]]
        assert len(views) >= 3, seen
    finally:
        ctx.close()


def test_a_phone_shows_the_text_box_and_the_first_view(chromium_browser, app_url):
    ctx, page = page_at(chromium_browser, 390, 844)
    try:
        open_app(page, app_url)
        page.wait_for_selector(f".st-key-{CHART_KEYS['rolled']} .js-plotly-plot .nsewdrag", state="attached")
        seen = on_first_screen(page, 390, 844)
        assert seen["text box"] and seen["rolled"], seen
    finally:
        ctx.close()


@pytest.mark.parametrize("n", [2, 6, 7, 9])  # the loop, the projection, inside one step, two models
def test_the_tour_outlines_the_view_it_talks_about(chromium_browser, app_url, n):
    ctx, page = page_at(chromium_browser, 1400, 900)
    try:
        open_app(page, app_url, f"?tour={n}")
        page.wait_for_selector(".st-key-tour_box")
        page.wait_for_selector(f".st-key-{TOUR_TARGETS[TOUR[n - 1].view]}", state="attached")
        outline = "(sel) => { const e = document.querySelector(sel); return e && getComputedStyle(e).outlineStyle; }"
        for name, key in TOUR_TARGETS.items():  # (Compare's section is not on the page while it is off)
            style = page.evaluate(outline, f".st-key-{key}")
            assert (style == "solid") == (name == TOUR[n - 1].view), (name, style)
    finally:
        ctx.close()
