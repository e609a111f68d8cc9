"""The training playground in a real browser: reached from the sidebar, Train fills the curves live, Stop ends the run.

Drives Debian's /usr/bin/chromium with Playwright (never `playwright install`). Skips when Chromium or Playwright
is missing, except under CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

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
PORTS = range(9000, 9100)


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
def app_url():
    port = _free_port()
    log = open(Path(tempfile.gettempdir()) / f"rnnviz-playground-{port}.log", "w")
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


@pytest.fixture
def playground_page(app_url, chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1600})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def _progress_step(page) -> int:
    text = page.locator("[data-testid=stProgress]").inner_text()
    return int(text.split("Step ", 1)[1].split(" ", 1)[0])


def test_train_updates_live_and_stop_ends_it(playground_page, app_url):
    page = playground_page
    page.goto(app_url)
    page.locator("a", has_text="Training playground").first.click()  # the page link under the title
    page.wait_for_url("**/Training_playground")
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
    assert page.locator(".st-key-pg_train button").is_enabled()
