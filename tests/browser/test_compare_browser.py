""" "Compare with" in a real browser: picked beside the model picker, drawn under the views, in the URL; a click on
the comparison picks the step for every view; the first screen keeps the text box and the views (issue 14, point 9).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from support import INSIDE, needs_browser, open_app, slider_value, url_params, wait_idle

from rnnviz.app import CHART_KEYS, STEP_KEY, TEXT_KEY
from rnnviz.app.compare import COMPARE_CHART_KEYS, COMPARE_STORY_KEY
from rnnviz.app.controls import COMPARE_KEY, COMPARE_OFF, COMPARE_POPOVER_KEY

pytestmark = [pytest.mark.browser, needs_browser]

QUERY = "?text=" + quote("this movie is not bad") + "&model=rnn-2"
PLOT = ".js-plotly-plot .nsewdrag"
# The page coordinates of the point for step t on the first curve named `name` (plotly keeps each point's data).
POINT = """(gd, [name, t]) => {
  for (const tr of gd._fullData) {
    if (tr.name !== name || !tr.customdata) continue;
    const j = tr.customdata.findIndex((cd) => cd[0] === t);
    const xa = gd._fullLayout[tr.xaxis.replace('x', 'xaxis')], ya = gd._fullLayout[tr.yaxis.replace('y', 'yaxis')];
    const r = gd.querySelector('.main-svg').getBoundingClientRect();
    return {x: r.left + xa._offset + xa.d2p(tr.x[j]), y: r.top + ya._offset + ya.d2p(tr.y[j])};
  }
  return null;
}"""


def pick(page, choice: str) -> None:
    """Open the "Compare" popover beside the model picker and click `choice` in it."""
    page.locator(f".st-key-{COMPARE_POPOVER_KEY} button:visible").first.click()
    page.locator(f".st-key-{COMPARE_KEY} button", has_text=choice).click()
    page.keyboard.press("Escape")  # close the popover


def compare_drawn(page) -> None:
    for key in COMPARE_CHART_KEYS.values():
        page.wait_for_selector(f".st-key-{key} {PLOT}", state="attached")
    wait_idle(page)


def test_picking_a_model_draws_the_comparison_and_the_url_keeps_it(new_page, app_url):
    page = new_page(height=900)
    open_app(page, app_url, QUERY)
    assert page.locator(f".st-key-{COMPARE_CHART_KEYS['positivity']}").count() == 0
    pick(page, "gru-64")
    compare_drawn(page)
    page.wait_for_function("() => new URL(location.href).searchParams.get('compare') === 'gru-64'")
    story = page.locator(f".st-key-{COMPARE_STORY_KEY}").inner_text()
    assert "The two readings differ most at" in story and "rnn-2" in story and "gru-64" in story
    legend = page.locator(f".st-key-{COMPARE_CHART_KEYS['positivity']} .legendtext").all_text_contents()
    assert legend[:2] == ["rnn-2", "gru-64"]
    pick(page, COMPARE_OFF)
    page.wait_for_function("() => !new URL(location.href).searchParams.has('compare')")
    page.wait_for_selector(f".st-key-{COMPARE_CHART_KEYS['positivity']}", state="detached")


def test_a_click_on_the_comparison_selects_the_step_in_every_view(new_page, app_url):
    page = new_page(height=900)
    open_app(page, app_url, QUERY + "&compare=gru-64&step=5")
    compare_drawn(page)
    chart = page.locator(f".st-key-{COMPARE_CHART_KEYS['positivity']} .js-plotly-plot")
    chart.scroll_into_view_if_needed()  # a mouse click at page coordinates needs the chart on screen
    point = chart.evaluate(POINT, ["gru-64", 2])
    assert point is not None
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("(sel) => document.querySelector(sel)?.value === '2'", arg=f".st-key-{STEP_KEY} input")
    page.wait_for_function("() => new URL(location.href).searchParams.get('step') === '2'")
    for role in ("shown", "other"):
        title = f".st-key-{COMPARE_CHART_KEYS[role]} .gtitle"
        page.wait_for_function("(sel) => document.querySelector(sel)?.textContent.includes('t = 2')", arg=title)
    assert slider_value(page) == 2 and url_params(page)["compare"] == "gru-64"
    page.keyboard.press("ArrowRight")  # the arrow keys step the comparison with the views
    for key in (COMPARE_CHART_KEYS["shown"], COMPARE_CHART_KEYS["other"], CHART_KEYS["projection"]):
        title = f".st-key-{key} .gtitle"
        page.wait_for_function("(sel) => document.querySelector(sel)?.textContent.includes('t = 3')", arg=title)


@pytest.mark.parametrize(("width", "height", "views"), [(1400, 900, 3), (390, 844, 1)])
def test_the_first_screen_keeps_the_text_box_and_the_views_with_compare_on(new_page, app_url, width, height, views):
    page = new_page(height=height)
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, app_url, QUERY + "&compare=gru-64")
    compare_drawn(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    assert page.evaluate(INSIDE, [f".st-key-{TEXT_KEY} input", width, height])
    seen = [name for name, key in CHART_KEYS.items() if page.evaluate(INSIDE, [f".st-key-{key} {PLOT}", width, height])]
    assert len(seen) >= views and (views > 1 or "rolled" in seen), seen
    # the picker is one click away, on the first screen too
    box = page.locator(f".st-key-{COMPARE_POPOVER_KEY} button:visible").first.bounding_box()
    assert box and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, box
