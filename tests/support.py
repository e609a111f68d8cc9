"""What the tests share: a tiny random model, the app in AppTest, `streamlit run` servers, Debian's Chromium.

Servers listen on loopback on a free port and stop when their `with` block ends; their log goes to the
folder given (pytest's tmp_path in the fixtures) or to a temporary folder removed with the server, so
nothing is left in /tmp. Chromium is /usr/bin/chromium (never `playwright install`); without it the
browser tests skip, except under CI (CI=true), where they fail. bench/run.py and docs/screenshot.py
start their servers and browsers with these helpers too.
"""

from __future__ import annotations

import importlib.util
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

    from rnnviz.cell import CellParams
    from rnnviz.corpus import Corpus
    from rnnviz.model import SentimentRNN
    from rnnviz.trace import Trace

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
APP_TIMEOUT = 60  # s per AppTest run: a shared 2-core machine is slow to load the models the first time
CHROMIUM = os.environ.get("RNNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PORTS = range(8800, 8900)
# How the tests and the benchmark run the app: on loopback, headless, no usage statistics.
LOOPBACK_FLAGS = ["--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]


# Markup that hostile text carries: typed, linked or in a file name, it must show as text and never run.
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<b>bold</b>",
    "[link](javascript:alert(1))",
    "{{7*7}}",
]


# -- a tiny random model -------------------------------------------------------------------------
TINY_WORDS = ["this", "movie", "is", "not", "good", "bad", "but", "great", "."]


def tiny_model(arch: str = "rnn", hidden: int = 3, embed: int = 5, seed: int = 0) -> SentimentRNN:
    """A random model over TINY_WORDS, the same for the same arguments, with non-zero biases."""
    import torch

    from rnnviz.model import ModelConfig, SentimentRNN
    from rnnviz.vocab import Vocab

    torch.manual_seed(seed)
    vocab = Vocab.build([TINY_WORDS, TINY_WORDS])  # twice: n-grams need two sightings
    model = SentimentRNN(ModelConfig(arch, hidden, embed, vocab.size), vocab)
    with torch.no_grad():  # non-zero biases, so tests see them used
        model.b.normal_(0, 0.5)
        if arch != "rnn":
            model.b_hh.normal_(0, 0.5)
        model.c.fill_(0.1)
    model.name = f"tiny-{arch}"
    return model.eval()


# -- the app without a server: streamlit's AppTest ------------------------------------------------
GATES = {"rnn": (), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}


def make_trace(
    tokens: list[str] | int = 6,
    hidden: int = 2,
    arch: str = "rnn",
    seed: int = 0,
    forget: bool = False,
    kinds: list[str] | None = None,
) -> Trace:
    """A trace built by hand: random but fixed states in (-1, 1) and o_t from the readout."""
    import numpy as np

    from rnnviz.trace import Trace

    toks = [f"w{k}" for k in range(tokens)] if isinstance(tokens, int) else list(tokens)
    t, h = len(toks), hidden
    rng = np.random.default_rng(seed)
    states = np.tanh(rng.normal(0, 1.2, (t + 1, h)))  # (T+1, H)
    states[0] = 0.0
    v = rng.normal(0, 1.5, h)  # (H,)
    c = 0.2
    outputs = 1 / (1 + np.exp(-(states[1:] @ v + c)))  # (T,)
    n_blocks = max(1, len(GATES[arch]))
    gates = {name: 1 / (1 + np.exp(-rng.normal(0, 1, (t, h)))) for name in GATES[arch]}
    if arch == "gru":
        gates["n"] = np.tanh(rng.normal(0, 1, (t, h)))
    if arch == "lstm":
        gates["g"] = np.tanh(rng.normal(0, 1, (t, h)))
        gates["cell"] = rng.normal(0, 1, (t, h))
    return Trace(
        text=" ".join(toks),
        tokens=toks,
        kinds=kinds or ["known"] * t,
        hidden=states,
        outputs=outputs,
        input_part=rng.normal(0, 1, (t, n_blocks * h)),
        memory_part=rng.normal(0, 1, (t, n_blocks * h)),
        V=v,
        c=c,
        gates=gates,
        arch=arch,
        model_name=f"hand-{arch}",
        forget=forget,
    )


def make_corpus(h: int, n: int = 40, seed: int = 1) -> Corpus:
    """A corpus built by hand: random final states of n sentences and an orthonormal basis."""
    import numpy as np

    from rnnviz.corpus import Corpus

    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(h, h)))
    return Corpus(
        final_states=np.tanh(rng.normal(0, 1, (n, h))).astype(np.float32),
        labels=(np.arange(n) % 2).astype(np.int8),
        outputs=rng.uniform(0, 1, n).astype(np.float32),
        lengths=np.full(n, 5, dtype=np.int16),
        mean=rng.normal(0, 0.1, h).astype(np.float32),
        components=q[:3].astype(np.float32),
        explained=np.array([0.5, 0.2, 0.1], dtype=np.float32),
    )


def by_name(fig: Any, name: str) -> Any:
    """The one trace of a figure with this name."""
    found = [tr for tr in fig.data if tr.name == name]
    assert len(found) == 1, f"expected one trace named {name!r}, got {[tr.name for tr in fig.data]}"
    return found[0]


def hand_params(arch: str = "rnn", h: int = 2, e: int = 3, seed: int = 0, scale: float = 1.0) -> CellParams:
    """Cell parameters drawn by hand (fixed seed), float64."""
    import numpy as np

    from rnnviz.cell import CellParams

    rng = np.random.default_rng(seed)
    g = {"rnn": 1, "gru": 3, "lstm": 4}[arch] * h
    return CellParams(
        arch=arch,  # type: ignore[arg-type]
        U=rng.normal(0, scale, (g, e)),
        W=rng.normal(0, scale, (g, h)),
        b=rng.normal(0, 0.3, g),
        b_hh=rng.normal(0, 0.3, g),
        V=rng.normal(0, 1.5, h),
        c=0.1,
    )


def hand_run(params: CellParams, tokens: list[str], forget: bool = False, seed: int = 1) -> Trace:
    """A trace built by hand from one run of the cell over random inputs (no model, no vocabulary)."""
    import numpy as np

    from rnnviz.cell import run
    from rnnviz.trace import Trace

    x = np.random.default_rng(seed).normal(0, 1, (len(tokens), params.E))  # (T, E)
    steps = run(params, x, forget=forget)
    return Trace(
        text=" ".join(tokens),
        tokens=tokens,
        kinds=["known"] * len(tokens),
        hidden=steps.hidden,
        outputs=steps.outputs,
        input_part=steps.input_part,
        memory_part=steps.memory_part,
        V=params.V,
        c=params.c,
        gates=steps.gates,
        arch=params.arch,
        forget=forget,
    )


def app_test(
    script: str | Path = APP,
    query: dict[str, str] | None = None,
    state: dict[str, Any] | None = None,
    timeout: float = APP_TIMEOUT,
) -> AppTest:
    """An AppTest of a page script (not run yet), with these query parameters and session state set."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script), default_timeout=timeout)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    for name, value in (state or {}).items():
        at.session_state[name] = value
    return at


def playground_with_upload(content: bytes, timeout: float = 60) -> AppTest:
    """The playground page with its file uploader answering `content` (AppTest cannot upload files)."""
    from streamlit.testing.v1 import AppTest

    page = ROOT / "pages" / "1_Training_playground.py"
    script = f"""
import streamlit as st

class _Upload:
    def getvalue(self):
        return {content!r}

_real_uploader = st.file_uploader
st.file_uploader = lambda *args, **kwargs: _Upload()
try:
    exec(compile(open({str(page)!r}).read(), {str(page)!r}, "exec"), {{"__name__": "__main__"}})
finally:
    st.file_uploader = _real_uploader  # AppTest runs in this process: leave streamlit as it was
"""
    return AppTest.from_string(script, default_timeout=timeout)


def run_app(query: dict[str, str] | None = None, state: dict[str, Any] | None = None) -> AppTest:
    """The dashboard run once in AppTest, as opened with this link (query) and session state."""
    return app_test(APP, query, state).run()


# -- a `streamlit run` server ---------------------------------------------------------------------
def free_port(ports: Sequence[int] = PORTS) -> int:
    """A port on 127.0.0.1 nobody listens on, tried from a random place in `ports` (other runs share them)."""
    start = random.randrange(len(ports))
    for port in [*ports[start:], *ports[:start]]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(
        f"no free port in {ports.start}-{ports.stop - 1}" if isinstance(ports, range) else "no free port"
    )


@dataclass
class Server:
    """One `streamlit run SCRIPT` process on loopback; `stop()` ends it and removes a temporary log."""

    script: str
    url: str
    proc: subprocess.Popen
    log: Path
    launched: float  # time.monotonic() at launch
    _own_log_dir: tempfile.TemporaryDirectory | None = None

    @classmethod
    def start(
        cls,
        script: str = "streamlit_app.py",
        env: dict[str, str] | None = None,
        log_dir: Path | None = None,
        ports: Sequence[int] = PORTS,
        timeout: float = 60,
        poll: float = 0.3,
        flags: Sequence[str] = LOOPBACK_FLAGS,
    ) -> Server:
        """Launch `streamlit run SCRIPT --server.port PORT FLAGS` from the repository (with its
        .streamlit/config.toml) and wait until it answers its health check on 127.0.0.1."""
        port = free_port(ports)
        own = None if log_dir is not None else tempfile.TemporaryDirectory(prefix="rnnviz-server-")
        log = Path(log_dir if log_dir is not None else own.name) / f"streamlit-{port}.log"
        launched = time.monotonic()
        with open(log, "w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), *flags],
                cwd=ROOT,
                env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = cls(script, f"http://127.0.0.1:{port}/", proc, log, launched, own)
        base = (env or {}).get("STREAMLIT_SERVER_BASE_URL_PATH", "").strip("/")
        health = server.url + (base + "/" if base else "") + "_stcore/health"
        while True:
            try:
                with urllib.request.urlopen(health, timeout=2) as r:
                    if r.status == 200:
                        return server
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > launched + timeout:
                tail = server.log_text()[-3000:]
                server.stop()
                raise RuntimeError(f"streamlit run {script} did not start; its log:\n{tail}")
            time.sleep(poll)

    def rss_mb(self) -> float:
        """Resident memory of the server process (Linux /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._own_log_dir is not None:
            self._own_log_dir.cleanup()


@contextmanager
def streamlit_server(
    env: dict[str, str] | None = None,
    timeout: float = 60,
    log_dir: Path | None = None,
    flags: Sequence[str] = LOOPBACK_FLAGS,
) -> Iterator[Server]:
    """`streamlit run streamlit_app.py` for the length of a `with` block."""
    server = Server.start(env=env, log_dir=log_dir, timeout=timeout, flags=flags)
    try:
        yield server
    finally:
        server.stop()


# -- Debian's Chromium ----------------------------------------------------------------------------
def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set RNNVIZ_CHROMIUM)"
    return None


# Skips a browser test where Chromium or Playwright is missing; under CI the test runs, and fails.
needs_browser = pytest.mark.skipif(missing_browser() is not None and not IN_CI, reason=str(missing_browser()))


def launch_options(*extra_args: str, executable: str = CHROMIUM) -> dict[str, Any]:
    """Arguments for Playwright's `chromium.launch` (sync or async): Debian's Chromium, headless, in a container."""
    if executable == CHROMIUM and (reason := missing_browser()):
        raise RuntimeError(f"the browser cannot start: {reason}")
    return {"executable_path": executable, "args": [*CHROMIUM_ARGS, *extra_args]}


@contextmanager
def chromium(*extra_args: str) -> Iterator[Any]:
    """One Playwright and one headless Chromium, closed when the block ends (one per thread: the sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(*extra_args))
        try:
            yield browser
        finally:
            browser.close()


def open_context(browser: Any, height: int = 900, timeout_ms: float = 30_000, **context: Any) -> tuple[Any, Any]:
    """A fresh browser context 1400 px wide and its one page: (context, page). Close the context when done."""
    ctx = browser.new_context(viewport={"width": 1400, "height": height}, **context)
    page = ctx.new_page()
    page.set_default_timeout(timeout_ms)
    return ctx, page


# -- the dashboard in a page ----------------------------------------------------------------------
def wait_idle(page: Any) -> None:
    """Streamlit shows a running indicator while a script runs; wait until it is gone."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")


# Whether the element `sel` is wholly inside a w x h window (page.evaluate(INSIDE, [sel, w, h]); None: not found).
INSIDE = """([sel, w, h]) => {
  const el = document.querySelector(sel);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= h && r.right <= w;
}"""


def open_app(page: Any, url: str, query: str = "") -> None:
    """Open the dashboard and wait until the positivity view has its ticks and the run has ended."""
    from rnnviz.app import CHART_KEYS

    page.goto(url + query)
    page.wait_for_selector(f".st-key-{CHART_KEYS['positivity']} .js-plotly-plot .xtick", state="attached")
    wait_idle(page)


def url_params(page: Any) -> dict[str, str]:
    """The page's query parameters, one value each."""
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query, keep_blank_values=True).items()}


def slider_value(page: Any) -> int:
    """The step slider's position."""
    from rnnviz.app import STEP_KEY

    return int(page.locator(f".st-key-{STEP_KEY} input[type=range]").evaluate("e => e.value"))


# -- a session that speaks Streamlit's websocket protocol, no browser ----------------------------
@dataclass
class Run:
    """What one script run sent: its elements in order and how it finished."""

    elements: list = field(default_factory=list)  # streamlit.proto.Element_pb2.Element
    status: int = 0

    def of(self, kind: str) -> list:
        return [getattr(e, kind) for e in self.elements if e.WhichOneof("type") == kind]

    def widget_id(self, kind: str, key: str) -> str:
        return next(w.id for w in self.of(kind) if w.id.endswith("-" + key))


class ProtocolSession:
    """One browser tab's worth of server work (rerun requests with widget values), without rendering.

    Cheap enough to drive a thousand reruns in a test. Speaks the same BackMsg/ForwardMsg protobufs
    as Streamlit's frontend over /_stcore/stream.
    """

    def __init__(self, server: Server, query: str = "") -> None:
        from websockets.sync.client import connect

        ws_url = server.url.replace("http://", "ws://") + "_stcore/stream"
        self._ws = connect(ws_url, subprotocols=["streamlit"], origin=server.url.rstrip("/"), max_size=None)
        self.query = query

    def rerun(self, widgets: dict[str, object] | None = None, timeout: float = 60) -> Run:
        """Ask for a rerun with these widget values (by widget id); return when the script finished.

        A text box takes a str, a slider a list of floats, a segmented control a list of option strings.
        """
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        for wid, value in (widgets or {}).items():
            w = state.widget_states.widgets.add()
            w.id = wid
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                w.string_array_value.data.extend(value)
            elif isinstance(value, list):
                w.double_array_value.data.extend(float(v) for v in value)
            elif isinstance(value, bool):
                w.bool_value = value
            elif isinstance(value, str):
                w.string_value = value
            elif isinstance(value, int):
                w.int_value = value
            else:
                w.double_value = value
        self._ws.send(msg.SerializeToString())
        run = Run()
        deadline = time.monotonic() + timeout
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                run.elements.append(fm.delta.new_element)
            elif kind == "script_finished":
                run.status = fm.script_finished
                return run

    def close(self) -> None:
        self._ws.close()
