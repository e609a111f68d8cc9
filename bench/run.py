"""Speed of the dashboard against Streamlit's own floor, measured in one interleaved run.

    python bench/run.py            # full run, about 8-10 minutes on 2 busy cores
    python bench/run.py --quick    # a smoke run, about 3 minutes

Starts `streamlit run streamlit_app.py` and `streamlit run bench/floor_app.py` (the same live text box
and one trivial Plotly chart) on 127.0.0.1 and measures, alternating between the two:

- cold start: process launch -> first complete render in a fresh browser context; server RSS then;
- keystroke -> every view updated, in headless Chromium, for sentences of 5, 20, 50 and 200 tokens:
  one browser context per app and size; the last word is typed and erased key by key (never Enter),
  one keystroke on each app in turn; median and p95; bytes received over the websocket per keystroke;
- server time per rerun: the same keystrokes replayed through streamlit's AppTest (in a subprocess);
- 10 sessions typing at once (T = 20): median / p95 latency and errors; server RSS with the 10 open.

A keystroke is done when the page shows the new text in every view (the dashboard: all four charts
have redrawn and the rolled view's title shows the new last word; the floor: its chart has redrawn
with the new last word as its last tick) and Streamlit's running indicator is gone. Prints a table
(ours, floor, ratio) and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from support import CHROMIUM, Server, app_test, launch_options  # noqa: E402

from rnnviz.app import CHART_KEYS, TEXT_KEY  # noqa: E402
from rnnviz.vocab import display_token, tokenize  # noqa: E402

APP, FLOOR = "streamlit_app.py", "bench/floor_app.py"
RESULTS = ROOT / "bench" / "results"
PORTS = range(8700, 8800)  # apart from the tests' servers, so a test run and a benchmark can share a machine
VIEWPORT = {"width": 1400, "height": 900}
SETTLE_MS = 150  # quiet time after each keystroke, so the next debounce starts from rest
WORDS = (
    "the acting was wonderful and the story moved me but the ending felt rushed and the music was too "
    "loud for a film that wants to be quiet , yet i left the theatre smiling because every scene had "
    "something true in it".split()
)
LAST_WORD = "loudest"  # typed and erased letter by letter after T-1 words
SIZES = (5, 20, 50, 200)
CONCURRENT = 10

# Per app: which charts must redraw, and how the page says it shows `want` (the last word).
CHARTS = {APP: list(CHART_KEYS.values()), FLOOR: ["chart_positivity"]}
SIGNATURE_JS = """(keys) => keys.map(k => {
    const gd = document.querySelector('.st-key-' + k + ' .js-plotly-plot');
    return gd ? gd.textContent : '';
})"""
DONE_JS = """([keys, before, want, isApp]) => {
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    const now = (SIGNATURE)(keys);
    const t = performance.now() - (window.__t0 || 0);
    window.__seen = window.__seen || {};
    for (let i = 0; i < keys.length; i++) {
        if (now[i] !== before[i] && now[i] !== '' && !(keys[i] in window.__seen)) window.__seen[keys[i]] = t;
    }
    for (let i = 0; i < keys.length; i++) if (now[i] === before[i] || now[i] === '') return false;
    if (isApp) {
        const title = document.querySelector('.st-key-chart_rolled .gtitle');
        if (!title || !title.textContent.endsWith('\\u201c' + want + '\\u201d')) return false;
    } else {
        const ticks = [...document.querySelectorAll('.st-key-chart_positivity .xtick text')];
        if (!ticks.length || ticks[ticks.length - 1].textContent !== want) return false;
    }
    return {ms: Math.max(t, 0.001), seen: window.__seen};
}""".replace("SIGNATURE", SIGNATURE_JS)
ERROR_JS = """() => {
    const bad = document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]');
    const text = document.body.innerText;
    return bad.length + (text.includes('Cached ForwardMsg MISS') ? 1 : 0) + (text.includes('Connection error') ? 1 : 0);
}"""


def sentence(n_tokens: int) -> str:
    """T-1 words (each one token) and a space: the last word is typed after it."""
    words = [WORDS[k % len(WORDS)] for k in range(n_tokens - 1)]
    text = " ".join(words) + " "
    assert len(tokenize(text + LAST_WORD)) == n_tokens, n_tokens
    return text


def keystrokes(n: int) -> list[str]:
    keys: list[str] = []
    while len(keys) < n:
        keys += list(LAST_WORD) + ["Backspace"] * len(LAST_WORD)
    return keys[:n]


def expected(script: str, text: str) -> str:
    if script == APP:
        tok = display_token(tokenize(text)[-1])
        return tok if len(tok) <= 24 else tok[:23] + "…"
    return text.split()[-1]


def stats(xs: list[float]) -> dict[str, float]:
    if not xs:
        return {"n": 0, "median": float("nan"), "p95": float("nan"), "max": float("nan")}
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    return {"n": len(xs), "median": statistics.median(xs), "p95": p95, "max": xs[-1]}


# -- servers ---------------------------------------------------------------------------------------
def launch(script: str) -> Server:
    """`streamlit run SCRIPT` on a free port, once it answers its health check; its log goes when it stops."""
    return Server.start(script, env={"PYTHONPATH": str(ROOT)}, ports=PORTS, timeout=90, poll=0.05)


# -- one browser session ---------------------------------------------------------------------------
@dataclass
class Session:
    script: str
    page: Any
    context: Any
    text: str = ""
    bytes_in: int = 0
    times: list[float] = field(default_factory=list)
    bytes_per_key: list[int] = field(default_factory=list)
    seen: list[dict[str, float]] = field(default_factory=list)
    errors: int = 0

    @classmethod
    async def open(cls, browser: Any, server: Server, text: str) -> Session:
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        page.set_default_timeout(60_000)
        s = cls(server.script, page, context)

        def on_ws(ws: Any) -> None:
            ws.on("framereceived", lambda payload: setattr(s, "bytes_in", s.bytes_in + len(payload)))

        page.on("websocket", on_ws)
        await page.goto(server.url)
        await s.wait_first_render()
        box = page.locator(f".st-key-{TEXT_KEY} input")
        await box.fill(text)
        s.text = text
        await s.wait_done(["__none__"] * len(CHARTS[s.script]))
        await box.click()
        await page.keyboard.press("End")
        return s

    async def wait_first_render(self) -> None:
        keys = CHARTS[self.script]
        await self.page.wait_for_function(
            """(keys) => !document.querySelector('[data-testid="stStatusWidget"]') && keys.every(k =>
                document.querySelector('.st-key-' + k + ' .js-plotly-plot .main-svg'))""",
            arg=keys,
            polling="raf",
        )

    async def wait_done(self, before: list[str]) -> dict[str, Any]:
        handle = await self.page.wait_for_function(
            DONE_JS,
            arg=[CHARTS[self.script], before, expected(self.script, self.text), self.script == APP],
            polling="raf",
        )
        return await handle.json_value()

    async def key(self, key: str) -> None:
        self.text = self.text[:-1] if key == "Backspace" else self.text + key
        before = await self.page.evaluate(SIGNATURE_JS, CHARTS[self.script])
        await self.page.evaluate("() => { window.__seen = {}; window.__t0 = performance.now(); }")
        start_bytes = self.bytes_in
        try:
            await self.page.keyboard.press(key)
            done = await self.wait_done(before)
        except Exception:  # a timeout: the page never showed the new text
            self.errors += 1
            return
        self.times.append(done["ms"])
        self.seen.append(done["seen"])
        await self.page.wait_for_timeout(SETTLE_MS)
        self.bytes_per_key.append(self.bytes_in - start_bytes)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self.errors += await self.page.evaluate(ERROR_JS)
        await self.context.close()


# -- the measures ----------------------------------------------------------------------------------
async def cold_start(browser: Any, script: str) -> tuple[Server, float, float]:
    """Launch a server, open one page: seconds to the first complete render, and RSS (MB) then."""
    server = launch(script)
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(120_000)
    await page.goto(server.url)
    await Session(script, page, context).wait_first_render()
    seconds = time.monotonic() - server.launched
    rss = server.rss_mb()
    await context.close()
    return server, seconds, rss


async def typing(browser: Any, servers: dict[str, Server], n_tokens: int, n_keys: int) -> dict[str, Session]:
    sessions = {script: await Session.open(browser, server, sentence(n_tokens)) for script, server in servers.items()}
    for i, key in enumerate(keystrokes(n_keys)):
        order = [APP, FLOOR] if i % 2 == 0 else [FLOOR, APP]
        for script in order:
            await sessions[script].key(key)
    for s in sessions.values():
        await s.close()
    return sessions


async def concurrent(browser: Any, server: Server, n_keys: int) -> tuple[list[Session], float]:
    """CONCURRENT sessions typing at once (T = 20); server RSS while all are open."""
    opened = await asyncio.gather(
        *(Session.open(browser, server, sentence(20)) for _ in range(CONCURRENT)), return_exceptions=True
    )
    sessions = [s for s in opened if isinstance(s, Session)]
    failed = len(opened) - len(sessions)  # a session that never showed its first sentence is an error

    async def type_all(s: Session, offset: int) -> None:
        await s.page.wait_for_timeout(37 * offset)  # not in lock-step
        for key in keystrokes(n_keys):
            await s.key(key)

    await asyncio.gather(*(type_all(s, k) for k, s in enumerate(sessions)))
    rss = server.rss_mb()
    for s in sessions:
        await s.close()
    if sessions:
        sessions[0].errors += failed
    return sessions, rss


def server_times(n_keys: int) -> dict[str, dict[int, list[float]]]:
    """Seconds per rerun, the same keystrokes replayed with AppTest in a fresh subprocess."""
    out = subprocess.run(
        [sys.executable, __file__, "--server-time-worker", "--keys", str(n_keys)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    raw = json.loads(out.stdout.strip().splitlines()[-1])
    return {script: {int(t): v for t, v in by_t.items()} for script, by_t in raw.items()}


def server_time_worker(n_keys: int) -> None:
    tests = {script: app_test(ROOT / script, timeout=120) for script in (APP, FLOOR)}
    for at in tests.values():
        at.run()
    result: dict[str, dict[int, list[float]]] = {APP: {}, FLOOR: {}}
    for n_tokens in SIZES:
        texts = {script: sentence(n_tokens) for script in tests}
        for script, at in tests.items():  # warm: the sentence itself, not timed
            at.text_input(key=TEXT_KEY).input(texts[script]).run()
        for i, key in enumerate(keystrokes(n_keys)):
            for script in [APP, FLOOR] if i % 2 == 0 else [FLOOR, APP]:
                text = texts[script]
                texts[script] = text = text[:-1] if key == "Backspace" else text + key
                at = tests[script]
                at.text_input(key=TEXT_KEY).input(text)
                t0 = time.perf_counter()
                at.run()
                result[script].setdefault(n_tokens, []).append(time.perf_counter() - t0)
                if at.exception:
                    raise RuntimeError(f"{script}: {at.exception}")
    print(json.dumps(result))


# -- report ----------------------------------------------------------------------------------------
def ratio(ours: float, floor: float) -> float:
    return ours / floor if floor else float("nan")


def table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, float, float, str, str]] = []  # measure, ours, floor, unit, target

    def add(name: str, ours: float, floor: float, unit: str, target: str = "") -> None:
        rows.append((name, ours, floor, unit, target))

    c = results["cold_start"]
    add("cold start to first render", c[APP]["median"], c[FLOOR]["median"], "s", "<= 1.7x")
    add("RSS after first render", c[APP]["rss_mb"], c[FLOOR]["rss_mb"], "MB", "<= 350 MB")
    for n_tokens, r in results["typing"].items():
        target = ("<= 3x", "") if int(n_tokens) > 50 else ("<= 1.5x", "<= 2x")
        add(f"T={n_tokens} keystroke median", r[APP]["median"], r[FLOOR]["median"], "ms", target[0])
        add(f"T={n_tokens} keystroke p95", r[APP]["p95"], r[FLOOR]["p95"], "ms", target[1])
        add(f"T={n_tokens} bytes/keystroke", r[APP]["bytes_median"], r[FLOOR]["bytes_median"], "B")
        s = results["server_time"][n_tokens]
        add(f"T={n_tokens} server time/rerun", s[APP]["median"], s[FLOOR]["median"], "ms")
    k = results["concurrent"]
    add(f"{CONCURRENT} sessions median", k[APP]["median"], k[FLOOR]["median"], "ms")
    add(f"{CONCURRENT} sessions p95", k[APP]["p95"], k[FLOOR]["p95"], "ms", "<= 2.5x")
    add(f"{CONCURRENT} sessions errors", k[APP]["errors"], k[FLOOR]["errors"], "", "0")
    add(f"RSS with {CONCURRENT} sessions", k[APP]["rss_mb"], k[FLOOR]["rss_mb"], "MB")
    add("RSS per extra session", k[APP]["rss_per_session_mb"], k[FLOOR]["rss_per_session_mb"], "MB", "<= 10 MB")

    lines = [f"{'measure':34s} {'ours':>10s} {'floor':>10s} {'ratio':>7s}  {'unit':4s} target", "-" * 80]
    for name, ours, floor, unit, target in rows:
        fmt = "{:10.2f}" if unit == "s" else "{:10.0f}"
        lines.append(
            f"{name:34s} {fmt.format(ours)} {fmt.format(floor)} {ratio(ours, floor):6.2f}x  {unit:4s} {target}".rstrip()
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    n_keys = args.keys
    results: dict[str, Any] = {"typing": {}, "server_time": {}}
    servers: dict[str, Server] = {}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options(executable=args.chromium))
            # Cold start, alternating; the last pair of servers stays up for the rest.
            cold: dict[str, dict[str, list[float]]] = {APP: {"s": [], "rss": []}, FLOOR: {"s": [], "rss": []}}
            for run in range(args.cold_runs):
                for script in [APP, FLOOR] if run % 2 == 0 else [FLOOR, APP]:
                    if script in servers:
                        servers.pop(script).stop()
                    server, seconds, rss = await cold_start(browser, script)
                    servers[script] = server
                    cold[script]["s"].append(seconds)
                    cold[script]["rss"].append(rss)
                    print(f"cold start {script}: {seconds:.2f} s, RSS {rss:.0f} MB", flush=True)
            results["cold_start"] = {
                s: {"median": statistics.median(v["s"]), "runs": v["s"], "rss_mb": statistics.median(v["rss"])}
                for s, v in cold.items()
            }
            rss_first = {s: servers[s].rss_mb() for s in servers}

            for n_tokens in args.sizes:
                sessions = await typing(browser, servers, n_tokens, n_keys)
                results["typing"][n_tokens] = {
                    script: {
                        **stats(s.times),
                        "bytes_median": statistics.median(s.bytes_per_key) if s.bytes_per_key else 0,
                        "errors": s.errors,
                        "times": s.times,
                        "bytes": s.bytes_per_key,
                        "chart_ms": {k: statistics.median(d.get(k, 0) for d in s.seen) for k in CHARTS[script]}
                        if s.seen
                        else {},
                    }
                    for script, s in sessions.items()
                }
                r = results["typing"][n_tokens]
                print(
                    f"T={n_tokens}: ours median {r[APP]['median']:.0f} ms p95 {r[APP]['p95']:.0f} ms; floor median "
                    f"{r[FLOOR]['median']:.0f} ms p95 {r[FLOOR]['p95']:.0f} ms; per chart {r[APP]['chart_ms']}",
                    flush=True,
                )

            conc: dict[str, Any] = {}
            for script in [APP, FLOOR]:
                sessions, rss = await concurrent(browser, servers[script], args.concurrent_keys)
                times = [t for s in sessions for t in s.times]
                conc[script] = {
                    **stats(times),
                    "errors": sum(s.errors for s in sessions),
                    "rss_mb": rss,
                    "rss_per_session_mb": (rss - rss_first[script]) / (CONCURRENT - 1),
                }
                print(f"{CONCURRENT} sessions {script}: {conc[script]}", flush=True)
            results["concurrent"] = conc
            await browser.close()
    finally:
        for server in servers.values():
            server.stop()

    st_times = server_times(args.server_keys)
    for n_tokens in args.sizes:
        results["server_time"][n_tokens] = {
            script: stats([1000 * x for x in st_times[script][n_tokens]]) for script in (APP, FLOOR)
        }
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer keystrokes and sizes: a smoke run")
    p.add_argument("--keys", type=int, default=None, help="keystrokes per app and size (default 32; quick 12)")
    p.add_argument("--sizes", type=int, nargs="+", default=None, help=f"sentence lengths (default {SIZES})")
    p.add_argument("--chromium", default=CHROMIUM)
    p.add_argument("--label", default="", help="a name for this run, kept in the JSON")
    p.add_argument("--server-time-worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.server_time_worker:
        server_time_worker(args.keys or 32)
        return
    args.keys = args.keys or (12 if args.quick else 32)
    args.sizes = args.sizes or list(SIZES)
    args.cold_runs = 1 if args.quick else 3
    args.concurrent_keys = 4 if args.quick else 8
    args.server_keys = 8 if args.quick else 20
    t0 = time.monotonic()
    results = asyncio.run(main_async(args))
    results["meta"] = {
        "label": args.label,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "keys": args.keys,
        "quick": args.quick,
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "load": os.getloadavg(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "seconds": round(time.monotonic() - t0),
    }
    text = table(results)
    print()
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"run-{stamp}{'-' + args.label if args.label else ''}.json"
    results["table"] = text
    path.write_text(json.dumps(results, indent=1, default=float))
    print(f"\n{results['meta']['seconds']} s; wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
