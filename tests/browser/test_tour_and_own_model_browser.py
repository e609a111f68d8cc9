"""Guided tour, page links and your own model in a real browser (Playwright driving Debian's Chromium).

Never `playwright install`. Skips when Chromium or Playwright is missing, except under CI (CI=true), where a
missing browser is a failure.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import needs_browser, open_app, slider_value, wait_idle
from support import url_params as params

from rnnviz.app import CHART_KEYS, TEXT_KEY
from rnnviz.app.custom_model import UPLOAD_KEY
from rnnviz.app.tour import TOUR, TOUR_NEXT_KEY, TOUR_START_KEY

pytestmark = [pytest.mark.browser, needs_browser]


def rolled_title(page) -> str:
    return page.locator(f".st-key-{CHART_KEYS['rolled']} .gtitle").text_content()


def test_tour_next_changes_the_views_and_the_url(app_url, new_page):
    tour_next(new_page(height=1600), app_url)


def tour_next(page, app_url: str) -> None:
    open_app(page, app_url)
    page.locator(f".st-key-{TOUR_START_KEY} button").click()
    page.wait_for_function("() => location.search.includes('tour=1') && location.search.includes('goldfish=1')")
    wait_idle(page)
    first, second = TOUR[0], TOUR[1]
    assert page.get_by_text(first.title).is_visible()
    assert slider_value(page) == first.step and f"t = {first.step} of" in rolled_title(page)
    assert "goldfish" in page.locator(f".st-key-{CHART_KEYS['positivity']} .legend").text_content()

    page.locator(f".st-key-{TOUR_NEXT_KEY} button").click()
    page.wait_for_function("() => location.search.includes('tour=2')")
    page.wait_for_function(
        "(t) => document.querySelector('.st-key-chart_rolled .gtitle')?.textContent.includes(t)",
        arg=f"t = {second.step} of",
    )
    # The run writes the view's parameters as it ends, after drawing the views: wait for them, not only for tour=2.
    page.wait_for_function(
        "(s) => new URLSearchParams(location.search).get('step') === s && location.search.includes('goldfish=0')",
        arg=str(second.step),
    )
    wait_idle(page)
    got = params(page)
    assert got["tour"] == "2" and got["model"] == second.model and got["step"] == str(second.step)
    assert got["goldfish"] == "0" and got["text"] == second.text
    assert slider_value(page) == second.step
    assert page.get_by_text(second.title, exact=True).is_visible()
    assert "goldfish" not in page.locator(f".st-key-{CHART_KEYS['positivity']} .js-plotly-plot").text_content()


def test_page_links_open_the_playground_and_come_back(app_url, new_page):
    page_links(new_page(height=1600), app_url)


def page_links(page, app_url: str) -> None:
    open_app(page, app_url + "?text=the%20film%20is%20good&model=rnn-64")
    assert page.locator("[data-testid=stSidebarNav]").count() == 0  # no list naming the page "streamlit app"
    page.get_by_role("link", name="Training playground").click()
    page.wait_for_url("**/Training_playground")
    page.locator(".st-key-pg_train button").wait_for()
    page.get_by_role("link", name="Watch an RNN read").click()
    page.wait_for_selector(f".st-key-{CHART_KEYS['positivity']} .js-plotly-plot .xtick", state="attached")
    wait_idle(page)
    assert page.locator(f".st-key-{TEXT_KEY} input").input_value() == "the film is good"  # kept across pages
    page.wait_for_function("() => location.search.includes('model=')")  # the run writes the link as it ends
    assert urlsplit(page.url).path == "/" and params(page)["model"] == "rnn-64"


def test_an_uploaded_model_joins_the_picker_and_a_bad_one_is_explained(app_url, new_page, tmp_path):
    from support import tiny_model

    from rnnviz.model import save_checkpoint

    good = save_checkpoint(tiny_model("gru"), tmp_path / "my-model.safetensors")
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"not a checkpoint at all")
    upload(new_page(height=1600), app_url, good, bad)


def upload(page, app_url: str, good: Path, bad: Path) -> None:
    open_app(page, app_url)
    page.get_by_role("button", name="Your own model").click()
    upload = page.locator(f".st-key-{UPLOAD_KEY} input[type=file]")
    upload.set_input_files(str(good))
    page.get_by_role("radio", name="yours: my-model").wait_for()
    page.get_by_text("cannot travel in a link").wait_for()
    wait_idle(page)
    assert params(page)["model"] == "rnn-2"  # the address bar links the default model
    assert page.locator(f".st-key-{CHART_KEYS['unrolled']} .rnnviz-chart.js-plotly-plot").count() == 1  # drawn, once

    upload.set_input_files(str(bad))
    page.get_by_text("That model cannot be used").wait_for()
    assert "broken.safetensors" in page.locator("[data-testid=stAlertContentError]").inner_text()
