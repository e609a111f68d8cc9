"""Keystroke -> all views updated, in headless Chromium: the dashboard against a floor app.

    python bench/keystroke.py [--keys 32] [--chromium /usr/bin/chromium]

Starts `streamlit run streamlit_app.py` and `streamlit run bench/floor_app.py` on 127.0.0.1, opens
both, fills in the first 19 tokens of a 20-token sentence, then types and erases the last word key by
key (never Enter), alternating one keystroke on each app. A keystroke counts as done when the
positivity chart's tick labels equal the new tokens and, in the dashboard, every one of the four
charts has redrawn. Prints median and p95 for each, and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from rnnviz.app import CHART_KEYS, TEXT_KEY  # noqa: E402

BASE = "the acting was wonderful and the story moved me but the ending felt rushed and the music was too"
LAST_WORD = "loudest"  # the 20th token, typed and erased letter by letter
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]

# Every text drawn in each chart (ticks, labels, annotations); the dashboard is done when each has changed.
SIGNATURE_JS = """(keys) => keys.map(k => {
    const gd = document.querySelector('.st-key-' + k + ' .js-plotly-plot');
    if (!gd) return '';
    return gd.textContent;
})"""
DONE_JS = """([keys, before, want]) => {
    const ticks = [...document.querySelectorAll('.st-key-chart_positivity .xtick text')].map(e => e.textContent);
    if (JSON.stringify(ticks) !== JSON.stringify(want)) return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    const now = (SIGNATURE)(keys);
    for (let i = 0; i < keys.length; i++) if (now[i] === before[i] || now[i] === '') return false;
    return Math.max(performance.now() - (window.__t0 || 0), 0.001);
}""".replace("SIGNATURE", SIGNATURE_JS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(script: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(Path(tempfile.gettempdir()) / f"rnnviz-bench-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)},
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2):
                return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{script} did not start; see {log.name}") from None
            time.sleep(0.3)


class Client:
    def __init__(self, browser, url: str, keys: list[str], tokenize) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.set_default_timeout(30_000)
        self.keys, self.tokenize, self.times = keys, tokenize, []
        self.page.goto(url)
        self.page.wait_for_selector(".st-key-chart_positivity .xtick", state="attached")
        box = self.page.locator(f".st-key-{TEXT_KEY} input")
        box.fill(BASE + " ")
        self.text = BASE + " "
        self.wait(self.text)
        box.click()
        self.page.keyboard.press("End")

    def wait(self, text: str) -> float:
        before = ["__none__"] * len(self.keys)
        return self.page.wait_for_function(
            DONE_JS, arg=[self.keys, before, self.tokenize(text)], polling="raf"
        ).json_value()

    def key(self, key: str) -> None:
        self.text = self.text[:-1] if key == "Backspace" else self.text + key
        before = self.page.evaluate(SIGNATURE_JS, self.keys)
        self.page.evaluate("() => { window.__t0 = performance.now(); }")
        self.page.keyboard.press(key)
        ms = self.page.wait_for_function(
            DONE_JS, arg=[self.keys, before, self.tokenize(self.text)], polling="raf"
        ).json_value()
        self.times.append(ms)
        self.page.wait_for_timeout(150)  # let the debounce timer of the next key start from quiet


def summary(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=20)
    median, p95 = statistics.median(times), q[18]
    return f"{name:10s} n={len(times):3d}  median {median:6.0f} ms  p95 {p95:6.0f} ms  max {max(times):6.0f} ms"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keys", type=int, default=32, help="keystrokes per app (>= 30)")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    args = p.parse_args()
    import rnnviz

    procs = []
    try:
        app_proc, app_url = start("streamlit_app.py")
        procs.append(app_proc)
        floor_proc, floor_url = start("bench/floor_app.py")
        procs.append(floor_proc)
        keystrokes = []
        while len(keystrokes) < args.keys:
            keystrokes += list(LAST_WORD) + ["Backspace"] * len(LAST_WORD)
        keystrokes = keystrokes[: args.keys]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            app = Client(browser, app_url, list(CHART_KEYS.values()), rnnviz.tokenize)
            floor = Client(browser, floor_url, ["chart_positivity"], lambda t: t.split() or ["-"])
            print(f"sentence: {BASE} {LAST_WORD} ({len(rnnviz.tokenize(BASE)) + 1} tokens)")
            for i, k in enumerate(keystrokes):
                for client in (app, floor) if i % 2 == 0 else (floor, app):
                    client.key(k)
            browser.close()
        print(summary("dashboard", app.times))
        print(summary("floor", floor.times))
        print(
            f"ratio of medians: {statistics.median(app.times) / statistics.median(floor.times):.2f}x (target <= 2.5x)"
        )
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
