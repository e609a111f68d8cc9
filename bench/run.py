"""Speed of the dashboard against the fastest Streamlit floor, measured in one interleaved run.

    python bench/run.py            # 20 keystrokes per app and size: about 15 minutes on 2 busy cores
    python bench/run.py --quick    # 10 keystrokes, fewer visits and bursts: about 6 minutes

Starts three servers with `streamlit run` on 127.0.0.1: the dashboard ("ours"), the floor (bench/floor_app.py:
the same text box with `live="0ms"` and `st.text` of the text: the fastest Streamlit page that shows what was
typed) and the old floor (a 120 ms debounce and one Plotly chart; `--no-old-floor` leaves it out). Measured
alternating between them, in headless Chromium:

- keystroke -> every view updated, for sentences of 5, 20, 50 and 200 tokens: the last word is typed and erased
  key by key (never Enter), one keystroke on each app in turn. Done when every view shows the new last word:
  ours, the four charts (the rolled and projection titles name it, the positivity view's last tick and the
  unrolled view's last word are it), the step line above them and the explainer under them (its chart and its
  sentence quote it); the floor, its text equals the box's; the old floor, its last tick.
  Median and p95; bytes received over the websocket per keystroke (Playwright's framereceived payloads); at T=20,
  those bytes by what they carry (decoded ForwardMsgs) and the bytes TCP carried (`ss`, after any compression);
- a fast typist, at T=20: bursts of 5 keys 60 ms apart; the last key -> every view shows the final text, and how
  many runs of the script a burst caused;
- first visit: a fresh browser context (empty cache) opens the page of a warm server -> every view drawn
  (performance.now() from navigation start), and the bytes it fetched;
- server time per run of the script, timed inside each server (bench/timing/sitecustomize.py wraps the call in
  which Streamlit runs the page or a fragment), for the runs those keystrokes caused; and runs per keystroke;
- Play (ours only): animation frames per second while the page plays a 20-word sentence (requestAnimationFrame
  timestamps kept by the page's player) and the websocket messages the server sent meanwhile (0: no rerun per
  frame); the arrow keys: key -> every view at the new step, and the script runs a burst of 5 keys causes.

Prints a table (ours, floor, ratio, target; every other column's ratio is also to the floor) and writes JSON to
bench/results/. Levers: `--flag runner.fastReruns=true` passes a config option to our server only;
`--variant NAME=live=120ms,runner.fastReruns=true` adds a variant of ours to the same interleaved run
(`--variant NAME=root=PATH`: the dashboard of another checkout, e.g. main before a change).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from support import CHROMIUM, LOOPBACK_FLAGS, Server, launch_options  # noqa: E402

from rnnviz.app import CHART_KEYS, PLAY_KEY, TEXT_KEY  # noqa: E402
from rnnviz.vocab import display_token, tokenize  # noqa: E402

OURS, FLOOR, OLD = "ours", "floor", "old floor"
APP, FLOOR_APP = "streamlit_app.py", "bench/floor_app.py"
SCRIPTS = {OURS: (APP, {}), FLOOR: (FLOOR_APP, {"RNNVIZ_FLOOR": "text"}), OLD: (FLOOR_APP, {"RNNVIZ_FLOOR": "chart"})}
# Variants of ours measured in the same run (--variant): name -> (environment, config flags).
ROOT_ENV = "RNNVIZ_BENCH_ROOT"  # a variant's checkout (root=PATH), read by launch() only
VARIANTS: dict[str, tuple[dict[str, str], list[str]]] = {}


def kind(app: str) -> str:
    """ours, floor or old floor: what the app's page shows (a variant of ours shows what ours does)."""
    return OURS if app in VARIANTS else app


def variant(spec: str) -> tuple[str, tuple[dict[str, str], list[str]]]:
    """'NAME=live=120ms,runner.fastReruns=true' -> a variant of ours: its text box's debounce (through
    bench/timing/sitecustomize.py) and config options for its server. 'NAME=root=PATH' runs the dashboard of
    another checkout (the code before a change, say: `git worktree add PATH main`) with this one's config."""
    name, _, options = spec.partition("=")
    env: dict[str, str] = {}
    flags: list[str] = []
    for option in filter(None, options.split(",")):
        if option.startswith("live="):
            env["RNNVIZ_BENCH_LIVE"] = option.removeprefix("live=")
        elif option.startswith("root="):
            env[ROOT_ENV] = str(Path(option.removeprefix("root=")).resolve())
        else:
            flags.append(option)
    return name, (env, flags)


RESULTS = ROOT / "bench" / "results"
TIMING = ROOT / "bench" / "timing"  # sitecustomize.py: the servers' own timer of each script run
PORTS = range(8700, 8800)  # apart from the tests' servers, so a test run and a benchmark can share a machine
VIEWPORT = {"width": 1400, "height": 900}
SETTLE_MS = 150  # quiet time after each keystroke (and its run) before the next
WORDS = (
    "the acting was wonderful and the story moved me but the ending felt rushed and the music was too "
    "loud for a film that wants to be quiet , yet i left the theatre smiling because every scene had "
    "something true in it".split()
)
LAST_WORD = "loudest"  # typed and erased letter by letter after T-1 words
SIZES = (5, 20, 50, 200)

# Which views show `want` (the last word; the floor: the whole text), and when each first did (window.__seen).
DONE_JS = """([kind, want]) => {
    const q = (s) => document.querySelector(s);
    const lastTick = (k) => { const t = [...document.querySelectorAll('.st-key-' + k + ' .js-plotly-plot .xtick text')];
                              return t.length ? t[t.length - 1].textContent : null; };
    const title = (k) => { const t = q('.st-key-' + k + ' .js-plotly-plot .gtitle'); return t ? t.textContent : ''; };
    // The last word of a text trace (by name) is `want`, and the plot draws a text equal to it.
    const wordsDrawn = (k, name, want) => {
        const gd = q('.st-key-' + k + ' .js-plotly-plot');
        const tr = gd && (gd._fullData || []).find((d) => d.name === name);
        if (!tr || !tr.text || String(tr.text[tr.text.length - 1]).replace(/<[^>]*>/g, '') !== want) return false;
        return [...gd.querySelectorAll('.textpoint text')].some((t) => t.textContent === want);
    };
    const quoted = (text, want) => (text || '').includes('\\u201c' + want + '\\u201d');
    const inSight = (el) => { const r = el.getBoundingClientRect();
                              return r.height > 0 && r.top < innerHeight + 300 && r.bottom > -300; };
    const norm = (s) => s.replace(/\\s+/g, ' ').trim();
    let views;
    if (kind === 'ours') views = {
        rolled: title('chart_rolled').endsWith('\\u201c' + want + '\\u201d'),
        positivity: lastTick('chart_positivity') === want,
        projection: title('chart_projection').endsWith('\\u201c' + want + '\\u201d'),
        unrolled: wordsDrawn('chart_unrolled', 'words x_t', want),
        // The step line above the views (a checkout older than the top bar, measured with --variant, has none).
        step: !q('.st-key-step_now') && !q('.st-key-top_bar') ? true
            : ((q('.st-key-step_now') || {}).innerText || '').includes(' = ' + want + ' \\u00b7'),
        // The explainer under the views (when it is open): its chart's title and its sentence quote the word. Its chart
        // draws only in sight (live_chart.js): below the first screen, it waits for the reader to scroll to it.
        explain: !q('.st-key-chart_step') || !inSight(q('.st-key-chart_step'))
            || quoted((q('.st-key-chart_step .js-plotly-plot') || {}).textContent, want),
        story: !q('.st-key-rnnviz-story') || quoted(q('.st-key-rnnviz-story').innerText, want),
    };
    else if (kind === 'floor') views = {text: norm((q('.st-key-floor_view') || {}).textContent || '') === norm(want)};
    else views = {chart: lastTick('chart_positivity') === want};
    const t = performance.now() - (window.__t0 || 0);
    window.__seen = window.__seen || {};
    for (const [k, ok] of Object.entries(views)) if (ok && !(k in window.__seen)) window.__seen[k] = t;
    if (!Object.values(views).every(Boolean)) return false;
    return {ms: Math.max(t, 0.001), seen: window.__seen, at: performance.now()};
}"""
IDLE_JS = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
ERROR_JS = """() => {
    const bad = document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]');
    const text = document.body.innerText;
    return bad.length + (text.includes('Cached ForwardMsg MISS') ? 1 : 0) + (text.includes('Connection error') ? 1 : 0);
}"""
FETCHED_JS = "() => performance.getEntriesByType('resource').reduce((a, e) => a + (e.transferSize || 0), 0)"


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


def expected(app: str, text: str) -> str:
    """What the app's views must show once `text` is in the box."""
    if kind(app) == OURS:
        tok = display_token(tokenize(text)[-1])
        return tok if len(tok) <= 24 else tok[:23] + "…"
    return text if kind(app) == FLOOR else text.split()[-1]


def stats(xs: list[float]) -> dict[str, float]:
    if not xs:
        return {"n": 0, "median": float("nan"), "p95": float("nan"), "max": float("nan")}
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    return {"n": len(xs), "median": statistics.median(xs), "p95": p95, "max": xs[-1]}


def launch(app: str, flags: list[str], run_log: Path) -> Server:
    """`streamlit run` for one app on a free port, once it answers its health check; every run of its script
    is timed into `run_log` (bench/timing/sitecustomize.py)."""
    script, env = SCRIPTS[app] if app in SCRIPTS else (APP, dict(VARIANTS[app][0]))
    flags = flags if app == OURS else VARIANTS[app][1] if app in VARIANTS else []
    extra = [f"--{f.split('=', 1)[0]}={f.split('=', 1)[1]}" for f in flags]
    root = env.pop(ROOT_ENV, str(ROOT))
    script = script if root == str(ROOT) else str(Path(root) / script)
    env = {"PYTHONPATH": f"{root}{os.pathsep}{TIMING}", "RNNVIZ_RUN_LOG": str(run_log), **env}
    return Server.start(script, env=env, ports=PORTS, timeout=90, poll=0.05, flags=[*LOOPBACK_FLAGS, *extra])


def alternate(apps: list[str], i: int) -> list[str]:
    """The apps in turn, each one first as often as the others."""
    k = i % len(apps)
    return apps[k:] + apps[:k]


# -- one browser session ---------------------------------------------------------------------------
@dataclass
class Session:
    app: str
    page: Any
    context: Any
    text: str = ""
    bytes_in: int = 0
    times: list[float] = field(default_factory=list)
    bytes_per_key: list[int] = field(default_factory=list)
    seen: list[dict[str, float]] = field(default_factory=list)
    errors: int = 0
    messages: list[tuple[float, int, tuple[str, str]]] | None = None

    @classmethod
    async def open(cls, browser: Any, server: Server, app: str, text: str, decode: bool = False) -> Session:
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        page.set_default_timeout(60_000)
        s = cls(app, page, context, messages=record(page) if decode else None)

        def on_ws(ws: Any) -> None:
            ws.on("framereceived", lambda payload: setattr(s, "bytes_in", s.bytes_in + len(payload)))

        page.on("websocket", on_ws)
        await page.goto(server.url)
        await wait_drawn(page, app)
        box = page.locator(f".st-key-{TEXT_KEY} input")
        await box.fill(text)
        await box.press("End")
        await box.type(LAST_WORD[0])  # the box holds the sentence and a first letter, drawn
        s.text = text + LAST_WORD[0]
        await s.wait_done()
        await page.keyboard.press("Backspace")
        s.text = text
        await s.wait_done()
        await s.idle()
        return s

    async def wait_done(self) -> dict[str, Any]:
        handle = await self.page.wait_for_function(
            DONE_JS, arg=[kind(self.app), expected(self.app, self.text)], polling="raf"
        )
        return await handle.json_value()

    async def idle(self) -> None:
        await self.page.wait_for_function(IDLE_JS, polling="raf")
        await self.page.wait_for_timeout(SETTLE_MS)

    async def key(self, key: str) -> None:
        self.text = self.text[:-1] if key == "Backspace" else self.text + key
        await self.page.evaluate("() => { window.__seen = {}; window.__t0 = performance.now(); }")
        start_bytes = self.bytes_in
        try:
            await self.page.keyboard.press(key)
            done = await self.wait_done()
            await self.idle()
        except Exception:  # a timeout: the page never showed the new text
            self.errors += 1
            return
        self.times.append(done["ms"])
        self.seen.append(done["seen"])
        self.bytes_per_key.append(self.bytes_in - start_bytes)

    async def burst(self, keys: list[str], gap_ms: int) -> None:
        """Keys `gap_ms` apart (a fast typist): ms from the last key to every view showing the final text."""
        for k, key in enumerate(keys):
            self.text = self.text[:-1] if key == "Backspace" else self.text + key
            if k == len(keys) - 1:
                await self.page.evaluate("() => { window.__seen = {}; window.__t0 = performance.now(); }")
            await self.page.keyboard.press(key)
            if k < len(keys) - 1:
                await self.page.wait_for_timeout(gap_ms)
        try:
            done = await self.wait_done()
            await self.idle()
        except Exception:
            self.errors += 1
            return
        self.times.append(done["ms"])

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self.errors += await self.page.evaluate(ERROR_JS)
        await self.context.close()


async def wait_drawn(page: Any, app: str) -> float:
    """Wait until every view of the page is drawn; ms since navigation started."""
    if kind(app) == OURS:
        keys = list(CHART_KEYS.values())
        js = """(keys) => keys.every(k => document.querySelector('.st-key-' + k + ' .js-plotly-plot .main-svg .gtitle,'
                 + ' .st-key-' + k + ' .js-plotly-plot .main-svg .xtick'))
                 && (document.querySelector('.st-key-step_now') || !document.querySelector('.st-key-top_bar'))
                 && performance.now()"""
    elif kind(app) == FLOOR:
        keys, js = [], "() => (document.querySelector('.st-key-floor_view') || {}).textContent && performance.now()"
    else:
        keys = ["chart_positivity"]
        js = "(keys) => document.querySelector('.st-key-chart_positivity .main-svg .xtick') && performance.now()"
    handle = await page.wait_for_function(js, arg=keys, polling="raf")
    return float(await handle.json_value())


# -- the measures ----------------------------------------------------------------------------------
async def typing(
    browser: Any, servers: dict[str, Server], n_tokens: int, n_keys: int
) -> tuple[dict[str, Session], float, float]:
    """One session per app, the same keystrokes on each in turn; also when the keystrokes began and ended."""
    sessions = {app: await Session.open(browser, server, app, sentence(n_tokens)) for app, server in servers.items()}
    apps = list(servers)
    start = time.time()
    for i, key in enumerate(keystrokes(n_keys)):
        for app in alternate(apps, i):
            await sessions[app].key(key)
    end = time.time()
    for s in sessions.values():
        await s.close()
    return sessions, start, end


async def bursts(browser: Any, servers: dict[str, Server], n: int, size: int = 5, gap_ms: int = 60) -> dict:
    """T=20: bursts of `size` keys `gap_ms` apart (typing the first letters of the last word, then erasing them):
    last key -> every view shows the final text; and script runs per burst."""
    sessions = {app: await Session.open(browser, server, app, sentence(20)) for app, server in servers.items()}
    typed = list(LAST_WORD[:size])
    start = time.time()
    for i in range(n):
        for app in alternate(list(servers), i):
            await sessions[app].burst(typed if i % 2 == 0 else ["Backspace"] * size, gap_ms)
    end = time.time()
    for s in sessions.values():
        await s.close()
    return {app: {**stats(s.times), "errors": s.errors, "times": s.times} for app, s in sessions.items()}, start, end


async def first_visits(browser: Any, servers: dict[str, Server], runs: int) -> dict[str, dict[str, Any]]:
    """A fresh context (empty cache) opens each warm server in turn: ms to every view drawn, bytes fetched."""
    out: dict[str, dict[str, list[float]]] = {app: {"ms": [], "bytes": []} for app in servers}
    for r in range(runs):
        for app in alternate(list(servers), r):
            context = await browser.new_context(viewport=VIEWPORT)
            page = await context.new_page()
            page.set_default_timeout(60_000)
            received = record(page)
            await page.goto(servers[app].url)
            out[app]["ms"].append(await wait_drawn(page, app))
            await page.wait_for_function(IDLE_JS, polling="raf")
            out[app]["bytes"].append(await page.evaluate(FETCHED_JS) + sum(n for _, n, _ in received))
            await context.close()
    return {app: {**stats(v["ms"]), "runs": v["ms"], "bytes": statistics.median(v["bytes"])} for app, v in out.items()}


PLAYER_JS = """(keys) => keys.map(k => { const gd = document.querySelector('.st-key-' + k + ' .rnnviz-chart');
                                      return gd ? (gd.__rnnvizShown ?? null) : null; })"""


def message_kind(payload: bytes | str) -> tuple[str, str]:
    """What a websocket message from the server carries: (ForwardMsg type, element type or chart key)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return "text", ""
    msg = ForwardMsg.FromString(payload)
    kind = msg.WhichOneof("type") or ""
    what = ""
    if kind == "delta":
        delta = msg.delta
        what = delta.WhichOneof("type") or ""
        if what == "new_element":
            what = delta.new_element.WhichOneof("type") or ""
            if what == "bidi_component":
                what = "chart " + delta.new_element.bidi_component.id.split("-", 2)[-1]
    return kind, what


def record(page: Any) -> list[tuple[float, int, tuple[str, str]]]:
    """Every websocket message the page receives from now on: (time, bytes, kind)."""
    received: list[tuple[float, int, tuple[str, str]]] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda p: received.append((time.monotonic(), len(p), message_kind(p)))),
    )
    return received


def tcp_bytes_sent(server: Server) -> dict[str, int]:
    """Bytes each open connection of the server has sent so far (peer -> bytes), as TCP counts them (`ss`): what
    went over the wire, after any websocket compression (Playwright reports message payloads, decompressed)."""
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    out = subprocess.run(
        ["ss", "-tinH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True, check=True
    ).stdout
    sent, peer = {}, None
    for line in out.splitlines():
        words = line.split()
        if len(words) >= 4 and words[0].isdigit():  # Recv-Q Send-Q local peer
            peer = words[3]
        elif peer is not None:
            sent[peer] = sum(int(w.split(":")[1]) for w in words if w.startswith("bytes_acked:"))
    return sent


def tcp_delta(before: dict[str, int], after: dict[str, int]) -> int:
    """Bytes sent between two readings, over the connections open at the second (a closed one drops out)."""
    return sum(n - before.get(peer, 0) for peer, n in after.items())


async def breakdown(browser: Any, server: Server, app: str, n_tokens: int = 20, n_keys: int = 6) -> dict[str, float]:
    """Bytes per keystroke by what they carry (T = n_tokens), and over the wire (TCP, after compression)."""
    s = await Session.open(browser, server, app, sentence(n_tokens), decode=True)
    received = s.messages
    # Files the page fetches meanwhile are not what a keystroke sends (a font the first italic text needs is 138 kB,
    # which once counted as 23 kB per keystroke): their bytes are taken off what TCP carried.
    fetched: list[Any] = []
    s.page.on("requestfinished", lambda request: fetched.append(request))
    start, sent = len(received), tcp_bytes_sent(server)
    for key in keystrokes(n_keys):
        await s.key(key)
    wire = tcp_delta(sent, tcp_bytes_sent(server))
    for request in fetched:
        sizes = await request.sizes()
        wire -= sizes["responseBodySize"] + sizes["responseHeadersSize"]
    out: dict[str, float] = {"wire (TCP)": wire / n_keys}
    await s.close()
    for _, size, (kind, what) in received[start:]:
        name = f"{kind} {what}".strip()
        out[name] = out.get(name, 0) + size / n_keys
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


async def play(browser: Any, server: Server, steps: int = 10) -> dict[str, Any]:
    """Play the last `steps` words of a 20-word sentence; then step back with the arrow keys."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(60_000)
    received = record(page)
    text = sentence(20) + LAST_WORD
    await page.goto(f"{server.url}?text={quote(text)}&step={20 - steps + 1}")
    await wait_drawn(page, OURS)
    await page.wait_for_function(IDLE_JS, polling="raf")
    clicked = len(received)
    await page.locator(f".st-key-{PLAY_KEY} button:visible").click()
    # The one run that sends every step's frame: over once every chart has its frames and the script has finished.
    await page.wait_for_function(
        """(keys) => window.__rnnvizPlayer && window.__rnnvizPlayer.clock !== null && keys.every(k =>
            (document.querySelector('.st-key-' + k + ' .rnnviz-chart') || {}).__rnnvizFrames)""",
        arg=list(CHART_KEYS.values()),
    )
    while not any(kind == ("script_finished", "") for _, _, kind in received[clicked:]):
        await page.wait_for_timeout(20)
    before = len(received)
    started = time.monotonic()
    await page.wait_for_function("() => window.__rnnvizPlayer.clock === null", timeout=120_000)
    ended = time.monotonic()
    during = [n for t, n, _ in received[before:] if t <= ended]
    seconds = ended - started
    times = await page.evaluate("() => window.__rnnvizPlayer.frameTimes")
    times = [t for t in times if t >= times[-1] - 1000 * seconds]  # the frames after the run that started the play
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    await page.wait_for_function(IDLE_JS, polling="raf")  # the end of play tells the script: one run
    await page.wait_for_timeout(500)

    # The arrow keys: one press -> every view at the new step; then a burst of 5 presses -> runs of the script.
    keys = list(CHART_KEYS.values())
    await page.locator(".st-key-chart_rolled").click(position={"x": 5, "y": 5})
    key_ms = []
    for _ in range(3):
        now = (await page.evaluate(PLAYER_JS, keys))[0] or 20
        t0 = await page.evaluate("() => performance.now()")
        await page.keyboard.press("ArrowLeft")
        handle = await page.wait_for_function(
            f"(keys) => (({PLAYER_JS})(keys)).every(s => s === {now - 1}) && performance.now()", arg=keys, polling="raf"
        )
        key_ms.append(float(await handle.json_value()) - t0)
        await page.wait_for_function(IDLE_JS, polling="raf")
        await page.wait_for_timeout(400)
    runs_before = len(received)
    for _ in range(5):
        await page.keyboard.press("ArrowLeft")
        await page.wait_for_timeout(40)
    await page.wait_for_timeout(1500)
    burst_runs = sum(kind == ("script_finished", "") for _, _, kind in received[runs_before:])
    await context.close()
    fps = 1000 / gaps[len(gaps) // 2] if gaps else float("nan")
    return {
        "seconds": seconds,
        "frames": len(times),
        "fps_median": fps,
        "fps": (len(times) - 1) / ((times[-1] - times[0]) / 1000) if len(times) > 1 else float("nan"),
        "frame_gap_p95_ms": gaps[round(0.95 * (len(gaps) - 1))] if gaps else float("nan"),
        "ws_messages_during_play": len(during),
        "ws_bytes_during_play": sum(during),
        "arrow_key_ms": key_ms,
        "script_runs_after_5_keys": burst_runs,
    }


def script_runs(log: Path, start: float, end: float) -> list[tuple[float, str, str]]:
    """(seconds, fragment|page, done|rerun) of each script run that ended between `start` and `end` (time.time())."""
    runs = []
    for line in log.read_text().splitlines() if log.exists() else []:
        at, seconds, kind, stopped = line.split()
        if start <= float(at) <= end:
            runs.append((float(seconds), kind, stopped))
    return runs


# -- report ----------------------------------------------------------------------------------------
def ratio(ours: float, floor: float) -> float:
    return ours / floor if floor else float("nan")


def table(results: dict[str, Any]) -> str:
    others = [a for a in results["first_visit"] if a not in (OURS, FLOOR)]
    head = f"{'measure':44s} {'ours':>9s} {'floor':>9s} {'ratio':>7s}  {'target':8s}"
    head += "".join(f" {a[:16]:>16s} {'ratio':>7s}" for a in others)
    lines = [head, "-" * len(head)]

    def add(name: str, row: dict[str, float], unit: str, target: str = "") -> None:
        fmt = "{:9.2f}" if unit in ("s", "runs") else "{:9.0f}"
        line = f"{name + (' (' + unit + ')' if unit else ''):44s} {fmt.format(row[OURS])} {fmt.format(row[FLOOR])} "
        line += f"{ratio(row[OURS], row[FLOOR]):6.2f}x  {target:8s}"
        for a in others:
            line += f" {fmt.format(row[a]):>16s} {ratio(row[a], row[FLOOR]):6.2f}x"
        lines.append(line.rstrip())

    for n_tokens, r in results["typing"].items():
        long = int(n_tokens) > 50
        median = {a: v["median"] for a, v in r.items()}
        add(f"T={n_tokens} keystroke median", median, "ms", "<= 2x" if long else "<= 1.5x")
        add(f"T={n_tokens} keystroke p95", {a: v["p95"] for a, v in r.items()}, "ms", "" if long else "<= 2x")
        add(f"T={n_tokens} kB/keystroke", {a: v["bytes_median"] / 1000 for a, v in r.items()}, "kB", "<= 3x")
        add(f"T={n_tokens} server time/run", {a: v["server_ms"] for a, v in r.items()}, "ms", "<= 3x")
        add(f"T={n_tokens} script runs/keystroke", {a: v["runs_per_key"] for a, v in r.items()}, "runs")
    f = results["first_visit"]
    add("first visit -> all views drawn", {a: v["median"] for a, v in f.items()}, "ms", "<= 1.3x")
    add("first visit bytes", {a: v["bytes"] / 1000 for a, v in f.items()}, "kB")
    c = results["cold_start"]
    add("cold start -> first render", {a: v["median"] for a, v in c.items()}, "s")
    add("server RSS after first render", {a: v["rss_mb"] for a, v in c.items()}, "MB")
    b = results["burst"]
    gap = results["meta"]["burst_gap_ms"]
    add(f"T=20 burst of 5 keys {gap} ms apart: last key median", {a: v["median"] for a, v in b.items()}, "ms")
    add("T=20 burst of 5 keys: p95", {a: v["p95"] for a, v in b.items()}, "ms")
    add("T=20 burst of 5 keys: script runs", {a: v["runs_per_burst"] for a, v in b.items()}, "runs")
    wire = {a: v["wire (TCP)"] / 1000 for a, v in results["bytes_by_kind"].items()}
    add("T=20 kB/keystroke over TCP", wire, "kB", "<= 3x")
    errors = {a: sum(r[a]["errors"] for r in results["typing"].values()) for a in c}
    add("keystrokes never shown (errors)", errors, "")
    p = results.get("play")
    if p:
        lines.append("")
        lines.append(
            f"Play (ours): {p['fps']:.0f} frames per second (target >= 30; median frame gap "
            f"{1000 / p['fps_median']:.0f} ms, p95 {p['frame_gap_p95_ms']:.0f} ms), "
            f"{p['ws_messages_during_play']} websocket messages from the server during {p['seconds']:.1f} s of play "
            f"(target 0); arrow key -> every view at the new step "
            f"{statistics.median(p['arrow_key_ms']):.0f} ms median; a burst of 5 keys: "
            f"{p['script_runs_after_5_keys']} script runs"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    VARIANTS.update(variant(v) for v in args.variant)
    apps = [OURS, FLOOR] + ([OLD] if args.old_floor else []) + list(VARIANTS)
    results: dict[str, Any] = {"typing": {}}
    servers: dict[str, Server] = {}
    folder = tempfile.TemporaryDirectory(prefix="rnnviz-bench-")
    logs = {app: Path(folder.name) / f"runs-{k}.log" for k, app in enumerate(apps)}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options(executable=args.chromium))
            # Cold start, alternating: process launch -> first render; the last servers stay up for the rest.
            cold: dict[str, dict[str, list[float]]] = {a: {"s": [], "rss": []} for a in apps}
            for run in range(args.cold_runs):
                for app in alternate(apps, run):
                    if app in servers:
                        servers.pop(app).stop()
                    server = launch(app, args.flag, logs[app])
                    servers[app] = server
                    context = await browser.new_context(viewport=VIEWPORT)
                    page = await context.new_page()
                    page.set_default_timeout(120_000)
                    await page.goto(server.url)
                    await wait_drawn(page, app)
                    cold[app]["s"].append(time.monotonic() - server.launched)
                    cold[app]["rss"].append(server.rss_mb())
                    await context.close()
                    print(f"cold start {app}: {cold[app]['s'][-1]:.2f} s, {cold[app]['rss'][-1]:.0f} MB", flush=True)
            servers = {a: servers[a] for a in apps}
            results["cold_start"] = {
                a: {"median": statistics.median(v["s"]), "runs": v["s"], "rss_mb": statistics.median(v["rss"])}
                for a, v in cold.items()
            }
            results["first_visit"] = await first_visits(browser, servers, args.visits)
            print("first visit:", {a: round(v["median"]) for a, v in results["first_visit"].items()}, flush=True)

            for n_tokens in args.sizes:
                sessions, start, end = await typing(browser, servers, n_tokens, args.keys)
                runs = {app: script_runs(logs[app], start, end) for app in apps}
                results["typing"][n_tokens] = {
                    app: {
                        **stats(s.times),
                        "server_ms": statistics.median(1000 * r[0] for r in runs[app]) if runs[app] else float("nan"),
                        "runs_per_key": len(runs[app]) / args.keys,
                        "runs_stopped": sum(r[2] == "rerun" for r in runs[app]),
                        "fragment_runs": sum(r[1] == "fragment" for r in runs[app]),
                        "bytes_median": statistics.median(s.bytes_per_key) if s.bytes_per_key else 0,
                        "errors": s.errors,
                        "times": s.times,
                        "bytes": s.bytes_per_key,
                        "view_ms": {k: statistics.median(d.get(k, 0) for d in s.seen) for k in s.seen[0]}
                        if s.seen
                        else {},
                    }
                    for app, s in sessions.items()
                }
                r = results["typing"][n_tokens]
                print(
                    f"T={n_tokens}: "
                    + "; ".join(
                        f"{a} {v['median']:.0f}/{v['p95']:.0f} ms {v['bytes_median']:.0f} B" for a, v in r.items()
                    )
                    + f"; ours per view { ({k: round(v) for k, v in r[OURS]['view_ms'].items()}) }",
                    flush=True,
                )
            burst, start, end = await bursts(browser, servers, args.bursts, gap_ms=args.burst_gap)
            for app, b in burst.items():
                b["runs_per_burst"] = len(script_runs(logs[app], start, end)) / args.bursts
            results["burst"] = burst
            print("bursts:", {a: (round(v["median"]), round(v["p95"]), v["runs_per_burst"]) for a, v in burst.items()})
            results["bytes_by_kind"] = {app: await breakdown(browser, servers[app], app) for app in apps}
            for app, by_kind in results["bytes_by_kind"].items():
                print(f"{app}, bytes per keystroke at T=20:", {k: round(v) for k, v in by_kind.items()}, flush=True)
            if args.play:
                results["play"] = await play(browser, servers[OURS])
                print("play:", {k: v for k, v in results["play"].items()}, flush=True)
            await browser.close()
    finally:
        for server in servers.values():
            server.stop()
        folder.cleanup()

    return results


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer keystrokes and visits: about 3 minutes")
    p.add_argument("--keys", type=int, default=None, help="keystrokes per app and size (default 20; quick 10)")
    p.add_argument("--sizes", type=int, nargs="+", default=None, help=f"sentence lengths (default {SIZES})")
    p.add_argument("--no-old-floor", dest="old_floor", action="store_false", help="leave out the old chart floor")
    p.add_argument("--no-play", dest="play", action="store_false", help="leave out Play and the arrow keys")
    p.add_argument("--flag", action="append", default=[], help="a config option for our server: runner.fastReruns=true")
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        help="NAME=live=120ms,runner.fastReruns=true or NAME=root=PATH (another checkout's dashboard): a variant of "
        "ours, measured in the same run",
    )
    p.add_argument("--burst-gap", type=int, default=60, help="ms between the keys of a burst (default 60)")
    p.add_argument("--chromium", default=CHROMIUM)
    p.add_argument("--label", default="", help="a name for this run, kept in the JSON")
    args = p.parse_args()
    args.sizes = args.sizes or list(SIZES)
    args.keys = args.keys or (10 if args.quick else 20)
    args.cold_runs = 1 if args.quick else 2
    args.visits = 3 if args.quick else 5
    args.bursts = 6 if args.quick else 12
    t0 = time.monotonic()
    results = asyncio.run(main_async(args))
    results["meta"] = {
        "label": args.label,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "keys": args.keys,
        "quick": args.quick,
        "flags": args.flag,
        "variants": args.variant,
        "burst_gap_ms": args.burst_gap,
        "git": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
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
    print(f"\n{results['meta']['seconds']} s, load {results['meta']['load'][0]:.1f}; wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
