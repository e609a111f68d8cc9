"""The first screen in a real browser: the text box and the views fit without scrolling (issue 14, point 6).

At 1400x900 the text box and at least three of the four views' plot areas lie fully inside the viewport;
on a phone (390x844) the text box and the first view do. The tour outlines the view it talks about, and each
step brings that view into sight under the tour box, which stays pinned in sight (on a phone too).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from support import INSIDE, needs_browser, open_app, wait_idle

from rnnviz.app import CHART_KEYS, TEXT_KEY
from rnnviz.app.focus import TOUR_BOX_KEY
from rnnviz.app.keys import TOUR_TARGETS
from rnnviz.app.tour import TOUR, TOUR_NEXT_KEY

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


# Where the tour box and the view it talks about lie in the window, once the page has scrolled to it.
PLACES = """([box, target]) => {
  const r = (sel) => { const b = document.querySelector(sel).getBoundingClientRect(); return [b.top, b.bottom]; };
  const main = document.querySelector('[data-testid="stMain"]');
  return {box: r(box), view: r(target), scrollTop: main.scrollTop, height: main.clientHeight};
}"""


def wait_scrolled(page, times: int = 1) -> None:
    """Wait until the tour has scrolled `times` times and the (smooth) scroll has reached where it aims."""
    page.wait_for_function("(n) => (window.__rnnvizTourScrolled || 0) >= n", arg=times)
    page.wait_for_function("() => Math.abs(document.querySelector('[data-testid=\"stMain\"]').scrollTop"
                           " - window.__rnnvizTourAim) < 2")  # fmt: skip


def tour_places(page, n: int) -> dict:
    target = f".st-key-{TOUR_TARGETS[TOUR[n - 1].view]}"
    return page.evaluate(PLACES, [f".st-key-{TOUR_BOX_KEY}", target])


@contextmanager
def at_tour_step(browser, app_url: str, n: int, width: int = 1400, height: int = 900):
    """A page opened at tour step n, once it has scrolled to the step's view (closed afterwards)."""
    ctx, page = page_at(browser, width, height)
    try:
        open_app(page, app_url, f"?tour={n}")
        wait_scrolled(page)
        yield page
    finally:
        ctx.close()


@pytest.mark.parametrize("n", [7, 9])  # inside one step, two models: both below the first screen
def test_a_tour_step_brings_its_view_whole_into_sight_under_the_box(chromium_browser, app_url, n):
    with at_tour_step(chromium_browser, app_url, n) as page:
        at = tour_places(page, n)
    assert at["scrollTop"] > 300, at  # the page moved down to the section
    (box_top, box_bottom), (view_top, view_bottom) = at["box"], at["view"]
    assert 50 <= box_top < 100 and box_bottom < view_top, at  # the box pinned under the header, above the view
    assert view_bottom <= 900, at  # and the whole view in the window


def test_next_scrolls_to_the_next_view_and_typing_leaves_the_page_where_the_reader_put_it(chromium_browser, app_url):
    with at_tour_step(chromium_browser, app_url, 7) as page:
        page.locator(f".st-key-{TOUR_NEXT_KEY} button").click()  # 8: the projection, in the first row
        page.wait_for_function("() => location.search.includes('tour=8')")
        wait_scrolled(page, 2)
        at = tour_places(page, 8)
        assert at["box"][1] < at["view"][0] and at["view"][1] <= 900, at
        # The reader scrolls back up to the text box, clicks in it and types: the runs must not move the page.
        page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
        box = page.locator(f".st-key-{TEXT_KEY} input")
        box.click()
        box.press("End")
        box.press_sequentially(" again")
        page.wait_for_function("() => location.search.includes('again')")
        wait_idle(page)
        page.wait_for_timeout(1500)  # longer than the focus waits for a page to settle
        assert tour_places(page, 8)["scrollTop"] == 0
        assert page.evaluate("() => window.__rnnvizTourScrolled") == 2


def test_on_a_phone_the_tour_keeps_its_buttons_and_the_view_in_sight(chromium_browser, app_url):
    with at_tour_step(chromium_browser, app_url, 7, 390, 844) as page:
        at = tour_places(page, 7)
        box_top, box_bottom = at["box"]
        assert box_bottom - box_top <= 0.35 * 844 + 2, at  # the box keeps a third of the screen
        assert box_bottom < at["view"][0] < 844 - 200, at  # the view starts under it, with room to be seen
        next_button = page.locator(f".st-key-{TOUR_NEXT_KEY} button")
        assert page.evaluate(INSIDE, [f".st-key-{TOUR_NEXT_KEY} button", 390, 844]), at  # Next is on screen
        assert "below" in page.locator(f".st-key-{TOUR_BOX_KEY}").text_content()  # and it is below
        next_button.click()
        page.wait_for_function("() => location.search.includes('tour=8')")
