"""A classroom on one demo: N sessions typing at once, spoken in Streamlit's own websocket protocol.

    python bench/load.py                  # 1, 10 and 30 sessions, 40 keys each, against a server it starts
    python bench/load.py --quick          # the same session counts, 12 keys each (about 1 minute)
    python bench/load.py --url http://127.0.0.1:8080/ --pids 123 456 --sessions 30   # a running server or proxy
    python bench/load.py --server-flags "--runner.fastReruns true"   # the own server with a config lever

No browsers: each session is one websocket speaking what Streamlit's frontend speaks (the BackMsg and
ForwardMsg protobufs of the installed `streamlit` package), so what is measured is the server. A
session does what a tab does: GET the page (a proxy may set its sticky cookie), GET /_stcore/health
(Streamlit sets its XSRF cookie), open /_stcore/stream with the subprotocols ["streamlit", XSRF token]
and the cookies, and ask for a first run. The text box's widget id is read from that run's deltas.
Then one key every --interval seconds (0.3 s: a fast typist): a BackMsg rerun_script whose
WidgetStates carry the text typed so far as the text box's string_value. Each session types its own
sentence (the same words from another starting word), so sessions do not share cached traces.

Measures, over every key of every session:
- views: key sent -> the last of the four views' deltas (rolled, unrolled, projection, positivity) of
  a run that shows this key's text or a later one. A run shows text X when its positivity view's
  words (the hover labels "t = k: <word>") are X's tokens; a run started anew (ForwardMsg new_session)
  forgets the views it had sent. A key that arrives while a run is going stops that run at its next
  element and starts it again with the newest text (runner.fastReruns = false merges the requests), so
  one run may answer several keys, and on an overloaded server runs keep restarting until typing stops.
  With --script bench/floor_app.py the floor's one element is the view: its st.text of the typed text (its
  words as the dashboard labels them), or with RNNVIZ_FLOOR=chart the old floor's one st.plotly_chart (its
  x tick labels are its words).
- finished: key sent -> that run's ForwardMsg script_finished.
- errors: sessions that could not connect or whose socket closed, exception elements, keys never
  answered within --timeout seconds of the last key.
- server RSS (VmRSS of the server processes, peak while the sessions were open) and server CPU seconds,
  also per run started (a run interrupted by a newer key counts: its work was done and thrown away).
The load average is printed before each step: other work on the machine shows in every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.cookiejar
import json
import os
import platform
import re
import shlex
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from rnnviz.app.keys import CHART_KEYS, TEXT_KEY  # noqa: E402
from rnnviz.app.patch import apply as apply_patch  # noqa: E402
from rnnviz.vocab import display_token, tokenize  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PORTS = range(8700, 8800)  # bench/run.py's range: apart from the tests' servers
WORDS = (
    "the acting was wonderful and the story moved me but the ending felt rushed and the music was too "
    "loud for a film that wants to be quiet yet i left the theatre smiling because every scene had "
    "something true in it".split()
)
SENTENCE_CHARS = 110  # about 20 words: the views show every word of it
VIEWS = {key: name for name, key in CHART_KEYS.items()}  # widget key -> view
WORD = re.compile("t = \\d+: \u201c(.*)\u201d")  # the positivity view's hover label of one word
FINISHED_OK = 0  # ForwardMsg.script_finished: FINISHED_SUCCESSFULLY


def sentence(session: int) -> str:
    """The sentence session `session` types: WORDS from another starting word, about SENTENCE_CHARS long."""
    start = (session * 7) % len(WORDS)
    words = [*WORDS[start:], *WORDS[:start]]
    text = ""
    for word in words:
        if len(text) + len(word) + 1 > SENTENCE_CHARS:
            break
        text = f"{text} {word}" if text else word
    return text


def typed(session: int, keys: int) -> list[str]:
    """The text box after each key: the sentence letter by letter, begun again when it is all typed."""
    text = sentence(session)
    return [text[: i % len(text) + 1] for i in range(keys)]


def shown_words(text: str) -> tuple[str, ...]:
    """The words the positivity view labels for `text`."""
    return tuple(display_token(t) for t in tokenize(text))


def rerun(widget_id: str | None = None, text: str = "") -> bytes:
    """A BackMsg asking for a run of the page, with the text box's value if given."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = ""
    if widget_id is not None:
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        state.string_value = text
    return msg.SerializeToString()


def handshake(base: str, timeout: float = 30) -> dict[str, str]:
    """What a browser has before it opens the websocket: the page's and the health check's cookies."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for path in ("", "_stcore/health"):
        with opener.open(base + path, timeout=timeout) as r:
            r.read()
    return {c.name: c.value for c in jar}


@dataclass
class Session:
    """One simulated tab: the keys it sent and when each was answered."""

    index: int
    texts: list[str]
    widget_id: str | None = None
    sent: list[float] = field(default_factory=list)  # time.perf_counter() per key
    views_at: list[float] = field(default_factory=list)  # when each key's views arrived (a prefix of keys)
    finished_at: list[float] = field(default_factory=list)
    runs: int = 0  # runs finished after the first
    starts: int = 0  # runs started after the first (a run that a newer key interrupts starts again)
    shown: str | None = None  # the words of the last run whose views all arrived, joined by spaces
    expected: set[str] = field(default_factory=set)  # the views the first run drew (the app: all four)
    cookies: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    keyframes: dict[str, Any] = field(default_factory=dict)  # the positivity view's figures sent whole, by hash
    first_run: asyncio.Event = field(default_factory=asyncio.Event)
    words: list[tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.words = [shown_words(t) for t in self.texts]

    def answered(self, words: tuple[str, ...] | None, now: float, done: list[float]) -> None:
        """A run showing `words` reached the client at `now`: it answers every waiting key up to the
        latest sent key whose text it shows."""
        if words is None:
            return
        for j in range(len(self.sent) - 1, len(done) - 1, -1):
            if self.words[j] == words:
                done.extend([now] * (j + 1 - len(done)))
                return


def positivity_words(spec_json: str | bytes, keyframes: dict[str, Any] | None = None) -> tuple[str, ...] | None:
    """The words of the positivity view's spec (its hover labels), or None if it has none. A chart's data that is a
    patch (rnnviz/app/patch.py) is applied to its keyframe, which `keyframes` (hash -> figure) keeps as the page
    does."""
    data = json.loads(spec_json)
    keyframes = {} if keyframes is None else keyframes
    if "patch" in data:
        base = keyframes.get(data.get("keyframe", ""))
        figure = apply_patch(base, data["patch"]) if base is not None else {}
    else:
        figure = data.get("figure", {})
        if "keyframe" in data:
            keyframes[data["keyframe"]] = figure
    for trace in figure.get("data", []):
        labels = trace.get("hovertext")
        if isinstance(labels, list) and labels and isinstance(labels[0], str) and WORD.match(labels[0]):
            return tuple(m.group(1) if (m := WORD.match(h)) else "" for h in labels)
    return None


def tick_words(spec_json: str) -> tuple[str, ...] | None:
    """The words of a plain Plotly chart's x ticks (the floor app's one chart), or None."""
    ticks = json.loads(spec_json).get("layout", {}).get("xaxis", {}).get("ticktext")
    return tuple(ticks) if isinstance(ticks, list) else None


def view_of(element: Any, etype: str, keyframes: dict[str, Any]) -> tuple[str | None, tuple[str, ...] | None]:
    """Which view an element is and the words it shows. The dashboard's live charts by their keys; the
    floors (bench/floor_app.py) stand in for the positivity view: the text floor's one `st.text` (the typed
    text, whose words are compared as the dashboard labels them) or the chart floor's one chart."""
    if etype == "text":
        return "positivity", shown_words(element.text.body)
    chart = getattr(element, etype)
    view = VIEWS.get(chart.id.rsplit("-", 1)[-1])
    if view != "positivity":
        return view, None
    if etype != "bidi_component":
        return view, tick_words(chart.spec)
    return view, positivity_words(chart.bytes if chart.WhichOneof("data") == "bytes" else chart.json, keyframes)


async def read(ws: Any, s: Session) -> None:
    """Follow the server's messages: which views each run sent, and which keys they answer."""
    views: set[str] = set()
    words: tuple[str, ...] | None = None
    async for raw in ws:
        now = time.perf_counter()
        msg = ForwardMsg.FromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "new_session":  # a run starts (again): what came before it is not this run's
            views, words = set(), None
            s.starts += s.first_run.is_set()
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            etype = element.WhichOneof("type")
            if etype == "exception":
                s.errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
            elif etype == "text_input" and element.text_input.id.endswith("-" + TEXT_KEY):
                s.widget_id = element.text_input.id
            elif etype in ("bidi_component", "plotly_chart", "text"):  # a live chart; the floors' chart or text
                view, found = view_of(element, etype, s.keyframes)
                if view is not None:
                    views.add(view)
                    if not s.first_run.is_set():
                        s.expected.add(view)
                    elif view == "positivity":
                        words = found
                    if views == s.expected:
                        s.answered(words, now, s.views_at)
                        s.shown = None if words is None else " ".join(words)
        elif kind == "script_finished" and msg.script_finished == FINISHED_OK:
            if s.first_run.is_set():
                s.runs += 1
                if s.expected and views == s.expected:
                    s.answered(words, now, s.finished_at)
            s.first_run.set()


async def session(
    s: Session,
    base: str,
    interval: float,
    offset: float,
    go: asyncio.Event,
    connected: asyncio.Semaphore,
    timeout: float,
) -> None:
    """Connect, take the first run, wait for `go`, then type one key every `interval` seconds."""
    split = urlsplit(base)
    ws_url = ("wss" if split.scheme == "https" else "ws") + base[len(split.scheme) :] + "_stcore/stream"
    ws: Any = None
    reader: asyncio.Task | None = None
    try:
        async with connected:  # a few handshakes at a time, as tabs opening
            s.cookies = await asyncio.to_thread(handshake, base)
            ws = await connect(
                ws_url,
                subprotocols=["streamlit", s.cookies.get("_streamlit_xsrf", "")],
                additional_headers={
                    "Cookie": "; ".join(f"{k}={v}" for k, v in s.cookies.items()),
                    "Origin": f"{split.scheme}://{split.netloc}",
                },
                max_size=None,
                open_timeout=timeout,
            )
            reader = asyncio.create_task(read(ws, s))
            await ws.send(rerun())
            await asyncio.wait_for(s.first_run.wait(), timeout)
        if s.widget_id is None or "positivity" not in s.expected:
            raise RuntimeError(f"no text box with key {TEXT_KEY!r} or no positivity view in the first run")
    except Exception as exc:
        s.errors.append(f"connect: {type(exc).__name__}: {exc}")
        if reader is not None:
            reader.cancel()
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        return
    try:
        await go.wait()
        await asyncio.sleep(offset)
        due = time.perf_counter()
        for text in s.texts:
            s.sent.append(time.perf_counter())
            await ws.send(rerun(s.widget_id, text))
            due += interval
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        deadline = time.perf_counter() + timeout
        while (len(s.views_at) < len(s.sent) or len(s.finished_at) < len(s.sent)) and time.perf_counter() < deadline:
            if reader.done():
                break
            await asyncio.sleep(0.05)
        if reader.done() and reader.exception() is not None:
            s.errors.append(f"socket: {type(reader.exception()).__name__}: {reader.exception()}")
        elif len(s.views_at) < len(s.sent):
            s.errors.append(f"unanswered: {len(s.sent) - len(s.views_at)} keys without their views")
    except Exception as exc:
        s.errors.append(f"typing: {type(exc).__name__}: {exc}")
    finally:
        reader.cancel()
        with contextlib.suppress(Exception):
            await ws.close()


# -- the server's processes ----------------------------------------------------------------------
def rss_mb(pids: Sequence[int]) -> float:
    """VmRSS of the processes, summed (Linux /proc); a process that is gone counts 0."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of the processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (nearest rank), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def load(
    base: str, n: int, keys: int, interval: float, pids: Sequence[int], timeout: float = 20, first: int = 0
) -> dict[str, Any]:
    """N sessions typing `keys` keys each; latencies in ms, errors, server memory and CPU."""
    sessions = [Session(first + i, typed(first + i, keys)) for i in range(n)]
    go, connected = asyncio.Event(), asyncio.Semaphore(4)
    load_avg = os.getloadavg()
    rss_before = rss_mb(pids)
    offsets = [interval * i / n for i in range(n)]  # keys spread over the interval, as people type
    tasks = [
        asyncio.create_task(session(s, base, interval, offset, go, connected, timeout))
        for s, offset in zip(sessions, offsets, strict=True)
    ]
    while not all(s.first_run.is_set() or s.errors for s in sessions):  # every tab open before anyone types
        await asyncio.sleep(0.05)
    cpu0, own0, t0 = cpu_seconds(pids), time.process_time(), time.perf_counter()
    go.set()
    peak = rss_mb(pids)
    while not all(t.done() for t in tasks):
        await asyncio.sleep(0.25)
        peak = max(peak, rss_mb(pids))
    wall = time.perf_counter() - t0
    views = [(a - b) * 1000 for s in sessions for a, b in zip(s.views_at, s.sent, strict=False)]
    finished = [(a - b) * 1000 for s in sessions for a, b in zip(s.finished_at, s.sent, strict=False)]
    errors = [f"session {s.index}: {e}" for s in sessions for e in s.errors]
    keys_sent = sum(len(s.sent) for s in sessions)
    return {
        "sessions": n,
        "keys_sent": keys_sent,
        "keys_answered": len(views),
        "runs": sum(s.runs for s in sessions),
        "starts": sum(s.starts for s in sessions),
        "views_ms": {"p50": percentile(views, 50), "p95": percentile(views, 95), "max": max(views, default=None)},
        "finished_ms": {"p50": percentile(finished, 50), "p95": percentile(finished, 95)},
        "errors": len(errors),
        "error_samples": errors[:10],
        "shown": [s.shown for s in sessions],
        "rss_mb": {"before": round(rss_before, 1), "peak": round(peak, 1)},
        "server_cpu_s": round(cpu_seconds(pids) - cpu0, 2),
        "server_cpu_ms_per_run": round((cpu_seconds(pids) - cpu0) * 1000 / max(1, sum(s.starts for s in sessions))),
        "generator_cpu_s": round(time.process_time() - own0, 2),
        "seconds": round(wall, 1),
        "load_average_before": [round(x, 2) for x in load_avg],
    }


def fmt(ms: float | None) -> str:
    return "-" if ms is None else f"{ms:.0f}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| sessions | keys sent / answered | runs started / finished | views p50 / p95 / max | finished p50 / p95"
        " | errors | server RSS peak | server CPU (per run) | load avg before |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        v, f = r["views_ms"], r["finished_ms"]
        lines.append(
            f"| {r['sessions']} | {r['keys_sent']} / {r['keys_answered']} | {r['starts']} / {r['runs']} |"
            f" {fmt(v['p50'])} / {fmt(v['p95'])} / {fmt(v['max'])} ms | {fmt(f['p50'])} / {fmt(f['p95'])} ms |"
            f" {r['errors']} | {r['rss_mb']['peak']:.0f} MB | {r['server_cpu_s']:.1f} s in {r['seconds']:.0f} s"
            f" ({r['server_cpu_ms_per_run']} ms) |"
            f" {r['load_average_before'][0]:.2f} |"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    server = None
    base, pids = args.url, list(args.pids)
    if base is None:
        from support import LOOPBACK_FLAGS, Server

        server = Server.start(args.script, ports=PORTS, flags=[*LOOPBACK_FLAGS, *args.server_flags])
        base, pids = server.url, [server.proc.pid]
    base = base if base.endswith("/") else base + "/"
    rows = []
    try:
        first = 0
        for n in args.sessions:
            row = await load(base, n, args.keys, args.interval, pids, args.timeout, first)
            first += n  # fresh sentences: no step reuses another's cached traces
            rows.append(row)
            print(table([row]).splitlines()[-1], flush=True)
            for e in row["error_samples"][:3]:
                print("   ", e, flush=True)
            await asyncio.sleep(args.pause)
    finally:
        if server is not None:
            server.stop()
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default=None, help="a running server or proxy (default: start streamlit_app.py)")
    p.add_argument("--pids", type=int, nargs="*", default=[], help="with --url: the server processes to measure")
    p.add_argument("--script", default="streamlit_app.py", help="without --url: the app (or bench/floor_app.py)")
    p.add_argument(
        "--server-flags",
        type=shlex.split,
        default=[],
        help='without --url: more flags for streamlit run, one string: "--runner.fastReruns true"',
    )
    p.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 30], help="session counts, one step each")
    p.add_argument("--keys", type=int, default=None, help="keys per session (default 40; --quick 12)")
    p.add_argument("--interval", type=float, default=0.3, help="seconds between one session's keys")
    p.add_argument("--timeout", type=float, default=20, help="seconds to wait for a connection or a last answer")
    p.add_argument("--pause", type=float, default=2, help="seconds between steps")
    p.add_argument("--quick", action="store_true", help="12 keys per session")
    p.add_argument("--label", default="", help="a name for this run, kept in the JSON")
    p.add_argument("--no-save", action="store_true", help="print only; write no JSON")
    args = p.parse_args(argv)
    args.keys = args.keys or (12 if args.quick else 40)
    print(table([]), flush=True)
    started = time.time()
    rows = asyncio.run(main_async(args))
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = RESULTS / f"load-{args.label or 'run'}-{stamp}.json"
        meta = {
            "label": args.label,
            "url": args.url or f"own server: {args.script}",
            "server_flags": args.server_flags,
            "keys": args.keys,
            "interval_s": args.interval,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "seconds": round(time.time() - started),
        }
        path.write_text(json.dumps({"meta": meta, "rows": rows, "table": table(rows)}, indent=1))
        print(f"wrote {path.relative_to(ROOT)}")
    return rows


if __name__ == "__main__":
    main()
