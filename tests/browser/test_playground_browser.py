"""The training playground in a real browser: reached by its page link, Train fills the curves live, Stop ends the run.

Drives Debian's /usr/bin/chromium with Playwright (never `playwright install`). Skips when Chromium or Playwright
is missing, except under CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import re

import pytest
from support import needs_browser

pytestmark = [pytest.mark.browser, needs_browser]


@pytest.fixture
def playground_page(new_page):
    return new_page(height=1600)


def _progress_step(page) -> int:
    text = page.locator("[data-testid=stProgress]").inner_text()
    return int(text.split("Step ", 1)[1].split(" ", 1)[0])


def test_train_updates_live_and_stop_ends_it(playground_page, app_url):
    page = playground_page
    page.goto(app_url)
    page.locator("a", has_text="Training playground").first.click()  # the page link under the title
    page.wait_for_url(re.compile(r"/Training_playground(\?|$)"))  # the main page's query may come along
    train = page.locator(".st-key-pg_train button")
    train.wait_for()
    # The most steps, so Stop comes well before the end.
    page.locator(".st-key-pg_steps input[type=range]").focus()
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('.st-key-pg_steps').innerText.includes('3000')")
    train.click()
    page.wait_for_selector(".st-key-pg_curves .js-plotly-plot .scatterlayer .trace")
    page.wait_for_selector(".st-key-pg_space .js-plotly-plot")
    first = _progress_step(page)
    page.wait_for_function(
        "(n) => { const e = document.querySelector('[data-testid=stProgress]');"
        " const m = e && e.innerText.match(/Step (\\d+)/); return m && +m[1] > n + 20; }",
        arg=first,
    )  # the progress and curves keep moving while the page stays responsive
    stop = page.locator(".st-key-pg_stop button")
    assert stop.is_enabled()
    stop.click()
    page.wait_for_selector("[data-testid=stProgress] >> text=stopped by you")
    page.wait_for_selector(".st-key-pg_snapshot")  # the replay scrubber appears
    assert _progress_step(page) < 3000
    # Train comes back once the run that saw the stop has drawn (waits for it, fails if it never does).
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-pg_train button'); return b && !b.disabled; }"
    )


def _missing_when_opened_directly(page, app_url: str) -> list[str]:
    """Every URL that answered 404 while the playground loaded from its own address (not through the main page)."""
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(app_url.rstrip("/") + "/Training_playground")
    page.locator(".st-key-pg_train button").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text().startswith("Training playground")
    return missing


STREAMLIT_PROBES = ("/Training_playground/_stcore/health", "/Training_playground/_stcore/host-config")


def test_opened_directly_nothing_of_ours_is_missing(playground_page, app_url):
    """The page, its assets and its charts' scripts are all found; only Streamlit's own probes may miss."""
    missing = _missing_when_opened_directly(playground_page, app_url)
    assert all(url.split("?")[0].endswith(STREAMLIT_PROBES) for url in missing), missing


@pytest.mark.xfail(
    strict=True,
    reason="Streamlit's frontend first probes <page>/_stcore/health and /host-config on a page URL opened directly "
    "(streamlit/streamlit#7074, open); nothing in the app can answer them. Strict: passes loudly once fixed.",
)
def test_opened_directly_the_page_loads_without_404s(playground_page, app_url):
    assert not _missing_when_opened_directly(playground_page, app_url)
