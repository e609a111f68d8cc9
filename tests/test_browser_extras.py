"""Guided tour, page links and your own model in a real browser (Playwright driving Debian's Chromium).

Never `playwright install`. Skips when Chromium or Playwright is missing, except under CI (CI=true), where a
missing browser is a failure. The server listens on loopback on a free port in 9100-9199.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from rnnviz.app import CHART_KEYS, STEP_KEY, TEXT_KEY
from rnnviz.app.custom_model import UPLOAD_KEY
from rnnviz.app.tour import TOUR, TOUR_NEXT_KEY, TOUR_START_KEY

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("RNNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PORTS = range(9100, 9200)


def _missing_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set RNNVIZ_CHROMIUM)"
    return None


_REASON = _missing_reason()
if _REASON and IN_CI:
    raise RuntimeError(f"browser tests cannot run under CI: {_REASON}")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(_REASON is not None, reason=_REASON or "")]


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    port = _free_port()
    log = open(tmp_path_factory.mktemp("server") / f"rnnviz-extras-{port}.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
            "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1"}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def in_browser(check: Callable, timeout: float = 240) -> None:
    """check(page) with its own Playwright and Chromium, in a thread of its own.

    The sync API allows one Playwright per thread, and tests/test_browser.py keeps one open in the main
    thread for the whole session.
    """
    failure: list[BaseException] = []

    def work() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 1600})
                    page.set_default_timeout(30_000)
                    check(page)
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"the browser check took more than {timeout:.0f} s"
    if failure:
        raise failure[0]


def open_app(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(f".st-key-{CHART_KEYS['positivity']} .js-plotly-plot .xtick", state="attached")
    wait_idle(page)


def wait_idle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")


def params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query, keep_blank_values=True).items()}


def slider_value(page) -> int:
    return int(page.locator(f".st-key-{STEP_KEY} input[type=range]").evaluate("e => e.value"))


def rolled_title(page) -> str:
    return page.locator(f".st-key-{CHART_KEYS['rolled']} .gtitle").text_content()


def test_tour_next_changes_the_views_and_the_url(app_url):
    in_browser(lambda page: tour_next(page, app_url))


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


def test_page_links_open_the_playground_and_come_back(app_url):
    in_browser(lambda page: page_links(page, app_url))


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


def test_an_uploaded_model_joins_the_picker_and_a_bad_one_is_explained(app_url, tmp_path):
    from conftest import tiny_model

    from rnnviz.model import save_checkpoint

    good = save_checkpoint(tiny_model("gru"), tmp_path / "my-model.safetensors")
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"not a checkpoint at all")
    in_browser(lambda page: upload(page, app_url, good, bad))


def upload(page, app_url: str, good: Path, bad: Path) -> None:
    open_app(page, app_url)
    page.get_by_role("button", name="Your own model").click()
    upload = page.locator(f".st-key-{UPLOAD_KEY} input[type=file]")
    upload.set_input_files(str(good))
    page.get_by_role("radio", name="yours: my-model").wait_for()  # the example note names it too
    page.get_by_text("cannot travel in a link").wait_for()
    wait_idle(page)
    assert params(page)["model"] == "rnn-2"  # the address bar links the default model
    assert page.locator(f".st-key-{CHART_KEYS['unrolled']} .rnnviz-chart.js-plotly-plot").count() == 1  # drawn, once

    upload.set_input_files(str(bad))
    page.get_by_text("That model cannot be used").wait_for()
    assert "broken.safetensors" in page.locator("[data-testid=stAlertContentError]").inner_text()
